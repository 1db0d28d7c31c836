# A sandbox VNet that no app uses is added: no dependency changes, no finding; exit 0 and nothing listed.
privlink diff --before ../../seed-estate --after ../../seed-estate sandbox.json
