# redis1 listens on TLS 6380 only (enableNonSslPort false, azure-semantics §5.3) and app1's REDIS_PORT says 6379: the
# trace is denied by the cache and no rule diagnoses it, so the safety net reports the deciding resource, an error.
privlink check --estate estate
