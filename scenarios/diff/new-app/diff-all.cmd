# --all lists the unchanged dependencies too.
privlink diff --before ../../seed-estate --after ../../seed-estate app-admin.json --all
