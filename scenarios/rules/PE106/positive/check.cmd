privlink check --estate estate --select PE106
