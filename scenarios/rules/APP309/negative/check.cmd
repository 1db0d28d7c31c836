# The same estate with REDIS_PORT=6380: TLS through pe-redis1, allowed.
privlink check --estate estate --select APP309
