privlink check --estate estate --select IAM502
