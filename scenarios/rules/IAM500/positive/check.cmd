privlink check --estate estate --select IAM500
