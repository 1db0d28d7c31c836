privlink check --estate estate --select NET201
