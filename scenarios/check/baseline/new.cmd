# As known.cmd, with a new problem added to the estate (a private endpoint whose connection is
# Pending): exactly that finding is shown, and it fails the gate (exit 1).
privlink check --estate ../../rules/DNS101/positive/estate --estate ../../rules/PE101/positive/estate --baseline privlink-baseline.json
