privlink check --estate estate --select IAM501
