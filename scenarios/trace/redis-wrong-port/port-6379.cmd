# redis1 has enableNonSslPort false, so it listens on TLS 6380 only (§5.3). The path to pe-redis1 is open (the NSG's
# default AllowVnetOutBound admits 6379 to VirtualNetwork, §4.1) but the service does not answer on 6379: denied,
# decided by the cache (exact client error UNVERIFIED, §5.3).
privlink trace --from app1 --to redis1.redis.cache.windows.net:6379 --estate estate --format json
