privlink inventory --format json
