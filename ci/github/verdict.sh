#!/usr/bin/env bash
# The last step of the GitHub Action: fails the job by `privlink check`'s exit code, which the
# `check` step recorded instead of failing, so that the SARIF upload and the diff ran first.
# Env: CHECK_EXIT_CODE (the check step's `exit-code` output), INPUT_FAIL_ON.
set -euo pipefail
code="${CHECK_EXIT_CODE:-}"
case "$code" in
  0) echo "privlink check passed (--fail-on ${INPUT_FAIL_ON:-error})" ;;
  1)
    echo "::error title=privlink::privlink check found findings at or above --fail-on ${INPUT_FAIL_ON:-error}: see the annotations, code scanning and the job summary"
    exit 1
    ;;
  *)
    echo "::error title=privlink::the check step recorded no exit code ('$code'): it did not run to its end"
    exit 2
    ;;
esac
