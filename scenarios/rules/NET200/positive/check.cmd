# redis1 listens on TLS 6380 only (enableNonSslPort false, azure-semantics §5.3) and app1's REDIS_PORT says 6379: the
# trace is denied by the cache. Alone, the safety net reports every dependency that is not allowed, on the resource
# that decided, an error.
privlink check --estate estate --select NET200
