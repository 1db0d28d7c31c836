privlink trace --from app-flask-privlink --to redis-privlink-seed.redis.cache.windows.net:6379
