# check --format markdown on the built-in estate: nothing broken, so the estate diagram and a line saying so.
privlink check --format markdown
