privlink check --estate estate --select NET202
