# The PE /32 is longer than 0.0.0.0/0 and never invalidated by it (§2.4): allowed.
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate
