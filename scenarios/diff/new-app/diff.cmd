# app-admin-privlink joins the plan and the integration subnet and reads the vault with its own grant: its
# dependency is new, nothing else changes.
privlink diff --before ../../seed-estate --after ../../seed-estate app-admin.json
