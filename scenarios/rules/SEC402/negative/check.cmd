privlink check --estate estate --select SEC402
