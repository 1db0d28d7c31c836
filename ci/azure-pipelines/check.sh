#!/usr/bin/env bash
# `privlink check` for the Azure Pipelines template. Writes into PRIVLINK_OUT:
#   privlink-junit.xml              for PublishTestResults@2 (one test case per rule and resource)
#   CodeAnalysisLogs/privlink.sarif the pipeline artifact the SARIF SAST Scans Tab extension reads
#   privlink-check.md               the findings, attached to the run's summary (task.uploadsummary)
# prints each finding as a logging command (an error or warning on the file and line), and sets the
# pipeline variable PRIVLINK_CHECK_EXIT_CODE. Exits 0 even when there are findings, so the results
# are published first; the template's verdict step fails the job by that code. Exits 2 at once on
# an input error.
# Env: PRIVLINK, INPUT_ESTATE, INPUT_PARAMETERS, INPUT_BASELINE, INPUT_FAIL_ON,
#      INPUT_WORKING_DIRECTORY (see ci/lib.sh); PRIVLINK_OUT (default privlink-results).
set -uo pipefail
CI_PLATFORM=azure
here="$(dirname "${BASH_SOURCE[0]}")"
. "$here/../lib.sh"
. "$here/../check-common.sh"
ci_require PRIVLINK INPUT_ESTATE
ci_fail_on
ci_check_args
out="${PRIVLINK_OUT:-privlink-results}"
mkdir -p "$out/CodeAnalysisLogs"
ci_check sarif "$out/CodeAnalysisLogs/privlink.sarif"
ci_check junit "$out/privlink-junit.xml"

# GitHub's workflow commands turned into Azure Pipelines' (which have no notice level).
"$PRIVLINK" check "${CHECK_ARGS[@]}" --fail-on never --format github | sed -E \
  -e 's/^::(error|warning) (file=([^,]*),)?(line=([0-9]+),)?title=([^:]*)::(.*)$/##vso[task.logissue type=\1;sourcepath=\3;linenumber=\5;code=\6]\7/' \
  -e 's/^::notice [^:]*title=([^:]*)::/note: \1 /'

summary="$(cd "$out" && pwd)/privlink-check.md"
: >"$summary"
ci_check_summary "$summary"
echo "##vso[task.uploadsummary]$summary"
echo "##vso[task.setvariable variable=PRIVLINK_CHECK_EXIT_CODE]$CHECK_CODE"
echo "privlink check: $CHECK_SUMMARY (exit $CHECK_CODE with --fail-on $FAIL_ON)"
exit 0
