# Reversed, the diagnostic is removed: nothing got worse, exit 0.
privlink diff --before ../../seed-estate sandbox.json --after ../../seed-estate
