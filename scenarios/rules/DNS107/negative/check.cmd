privlink check --estate estate --select DNS107
