privlink check --estate estate --select DNS105
