privlink check --estate estate --select IAM504
