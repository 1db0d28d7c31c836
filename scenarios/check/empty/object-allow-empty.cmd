# With --allow-empty the `{}` file is checked, and its LOAD002 error fails the gate as an error finding does.
privlink check --estate object.json --allow-empty
