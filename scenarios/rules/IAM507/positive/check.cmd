privlink check --estate estate --select IAM507
