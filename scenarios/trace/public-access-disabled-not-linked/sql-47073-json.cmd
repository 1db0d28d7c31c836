# The same trace as JSON (§5.2 error 47073 in message).
privlink trace --from app1 --to sql1.database.windows.net:1433 --estate estate --format json
