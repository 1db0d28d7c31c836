# The TLS port 6380 through the same private endpoint (§5.3): allowed.
privlink trace --from app1 --to redis1.redis.cache.windows.net:6380 --estate estate
