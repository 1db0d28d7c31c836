privlink check --estate estate --select NET203
