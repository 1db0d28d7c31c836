privlink check --estate estate --select NET204
