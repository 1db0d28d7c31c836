#!/usr/bin/env bash
# Change impact on a pull request (step `diff` of action.yml): `privlink diff` of the estate at the
# pull request's base commit against the checked-out merge commit. Appends the Markdown report
# (what got worse, hop by hop) to the job summary, prints annotations, and writes `worse=N` to
# GITHUB_OUTPUT. Exits 1 when a dependency got worse or a finding at or above fail-on was added
# (never: exits 0), 2 on an input error, 0 otherwise; on other events and with diff off it does
# nothing.
# Env: PRIVLINK, INPUT_ESTATE, INPUT_PARAMETERS, INPUT_FAIL_ON, INPUT_WORKING_DIRECTORY (see
#      ci/lib.sh); INPUT_DIFF (true|false), BASE_SHA (the pull request's base commit);
#      GITHUB_EVENT_NAME, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (set by the runner).
set -uo pipefail
CI_PLATFORM=github
here="$(dirname "${BASH_SOURCE[0]}")"
. "$here/../lib.sh"
. "$here/../diff-common.sh"
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target) ;;
  *)
    echo "privlink diff: not a pull request (${GITHUB_EVENT_NAME:-no event}); nothing to compare"
    exit 0
    ;;
esac
if [ "${INPUT_DIFF:-true}" != true ]; then
  echo "privlink diff: off (diff: ${INPUT_DIFF})"
  exit 0
fi
ci_require PRIVLINK INPUT_ESTATE BASE_SHA GITHUB_OUTPUT GITHUB_STEP_SUMMARY
ci_diff "$BASE_SHA" "$GITHUB_STEP_SUMMARY"
echo "worse=$DIFF_WORSE" >>"$GITHUB_OUTPUT"
echo "privlink diff against $BASE_SHA: worse: $DIFF_WORSE (exit $DIFF_CODE)"
if [ "$DIFF_CODE" -ne 0 ] && [ "$FAIL_ON" != never ]; then
  echo "::error title=privlink diff::this change makes dependencies worse ($DIFF_WORSE) or adds findings at or above --fail-on ${INPUT_FAIL_ON:-error}: see the job summary"
  exit "$DIFF_CODE"
fi
exit 0
