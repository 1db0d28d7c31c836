privlink diff --before ../../seed-estate --after ../../seed-estate sandbox.json --format github
