privlink check --estate estate --select IAM508
