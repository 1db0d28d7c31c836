# The same trace as text (§9 steps 1-6, one line per hop).
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
