# The Pending endpoint alone: the baseline's finding no longer occurs (its zone is not in this
# estate), which the last line says; the new finding is shown.
privlink check --estate ../../rules/PE101/positive/estate --baseline privlink-baseline.json
