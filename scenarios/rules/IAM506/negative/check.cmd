privlink check --estate estate --select IAM506
