# As new.cmd, in JSON: only the new finding, and "baseline" says 1 known (not shown), 1 new, 0 fixed.
privlink check --estate ../../rules/DNS101/positive/estate --estate ../../rules/PE101/positive/estate --baseline privlink-baseline.json --format json
