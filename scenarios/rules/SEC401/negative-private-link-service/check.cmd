privlink check --estate estate --select SEC401
