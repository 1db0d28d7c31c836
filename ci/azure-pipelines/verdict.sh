#!/usr/bin/env bash
# The last step of the Azure Pipelines template: fails the job by `privlink check`'s exit code,
# which the check step recorded (PRIVLINK_CHECK_EXIT_CODE) instead of failing, so that the results
# were published and the diff ran first.
# Env: PRIVLINK_CHECK_EXIT_CODE, INPUT_FAIL_ON.
set -euo pipefail
code="${PRIVLINK_CHECK_EXIT_CODE:-}"
case "$code" in
  0) echo "privlink check passed (--fail-on ${INPUT_FAIL_ON:-error})" ;;
  1)
    echo "##vso[task.logissue type=error]privlink check found findings at or above --fail-on ${INPUT_FAIL_ON:-error}: see the Tests tab, the Scans tab and the privlink-check summary"
    exit 1
    ;;
  *)
    echo "##vso[task.logissue type=error]the privlink check step recorded no exit code ('$code'): it did not run to its end"
    exit 2
    ;;
esac
