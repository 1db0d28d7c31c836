# The pull-request comment: pinned here and parsed as GitHub-flavoured markdown by crates/cli/tests/diff_markdown.rs.
privlink diff --before ../../seed-estate --after ../../seed-estate/access.json ../../seed-estate/backends.json ../../seed-estate/endpoints.json ../../seed-estate/network.json ../../seed-estate/web.json dns.json --format markdown
