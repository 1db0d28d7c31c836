privlink check --estate estate
