# A `{}` file is not an ARM document (LOAD002) and leaves nothing to analyse: exit 2.
privlink check --estate object.json
