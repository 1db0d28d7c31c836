# redis1 has enableNonSslPort false, so it listens on TLS 6380 only (azure-semantics §5.3); app1's REDIS_PORT says 6379:
# the cache refuses the connection. The fix sets REDIS_PORT to 6380 (the client must use TLS).
privlink check --estate estate --select APP309
