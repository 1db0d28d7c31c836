privlink check --estate estate --select DNS102
