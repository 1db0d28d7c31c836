# The same empty estate with --allow-empty: checked as it is, nothing found, exit 0.
privlink check --estate estate --allow-empty
