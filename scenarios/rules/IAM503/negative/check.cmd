privlink check --estate estate --select IAM503
