#!/usr/bin/env bash
# `privlink check` for the GitHub Action (step `check` of action.yml). Writes the SARIF file for
# code scanning, prints the findings as workflow commands (annotations on the estate's files) and
# adds the findings to the job summary. Exits 0 even when there are findings, so that the SARIF
# upload and the diff run first; the `verdict` step fails the job afterwards by the exit code this
# step records. Exits 2 at once on an input error (nothing to upload then).
# Env: PRIVLINK, INPUT_ESTATE, INPUT_PARAMETERS, INPUT_BASELINE, INPUT_FAIL_ON,
#      INPUT_WORKING_DIRECTORY (see ci/lib.sh); PRIVLINK_SARIF (default privlink.sarif);
#      GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (set by the runner; the summary is optional).
# Outputs: sarif-file, exit-code (privlink check's: 0 passed, 1 findings at or above fail-on),
#          summary (privlink's summary line).
set -uo pipefail
CI_PLATFORM=github
here="$(dirname "${BASH_SOURCE[0]}")"
. "$here/../lib.sh"
. "$here/../check-common.sh"
ci_require PRIVLINK INPUT_ESTATE GITHUB_OUTPUT
ci_fail_on
ci_check_args
sarif="${PRIVLINK_SARIF:-privlink.sarif}"
ci_check sarif "$sarif"

# Annotations: the runner turns these lines of the log into annotations on the estate's files.
"$PRIVLINK" check "${CHECK_ARGS[@]}" --fail-on never --format github

ci_check_summary "${GITHUB_STEP_SUMMARY:-/dev/null}"
{
  echo "sarif-file=$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"
  echo "exit-code=$CHECK_CODE"
  echo "summary=$CHECK_SUMMARY"
} >>"$GITHUB_OUTPUT"
echo "privlink check: $CHECK_SUMMARY (exit $CHECK_CODE with --fail-on $FAIL_ON)"
exit 0
