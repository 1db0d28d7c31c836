privlink check --estate estate --select IAM505
