#!/usr/bin/env bash
# Change impact on a pull request build for the Azure Pipelines template: `privlink diff` of the
# estate on the target branch (origin/<System.PullRequest.TargetBranch>) against the checked-out
# merge commit. Writes PRIVLINK_OUT/privlink-diff.md (what got worse, hop by hop), attaches it to
# the run's summary, and sets the pipeline variable PRIVLINK_WORSE (an output variable too). Exits 1
# when a dependency got worse or a finding at or above fail-on was added (never: 0), 2 on an input
# error, 0 otherwise; on builds that are not pull requests it does nothing.
# Env: PRIVLINK, INPUT_ESTATE, INPUT_PARAMETERS, INPUT_FAIL_ON, INPUT_WORKING_DIRECTORY (see
#      ci/lib.sh); BUILD_REASON, SYSTEM_PULLREQUEST_TARGETBRANCH (set by the agent);
#      PRIVLINK_BASE (a revision to compare with instead); PRIVLINK_OUT (default privlink-results).
set -uo pipefail
CI_PLATFORM=azure
here="$(dirname "${BASH_SOURCE[0]}")"
. "$here/../lib.sh"
. "$here/../diff-common.sh"
base="${PRIVLINK_BASE:-}"
if [ -z "$base" ]; then
  if [ "${BUILD_REASON:-}" != PullRequest ]; then
    echo "privlink diff: not a pull request build (${BUILD_REASON:-no reason}); nothing to compare"
    exit 0
  fi
  ci_require SYSTEM_PULLREQUEST_TARGETBRANCH
  # Azure Repos names the branch refs/heads/main, GitHub main.
  base="origin/${SYSTEM_PULLREQUEST_TARGETBRANCH#refs/heads/}"
fi
ci_require PRIVLINK INPUT_ESTATE
out="${PRIVLINK_OUT:-privlink-results}"
mkdir -p "$out"
summary="$(cd "$out" && pwd)/privlink-diff.md"
: >"$summary"
ci_diff "$base" "$summary"
echo "##vso[task.uploadsummary]$summary"
echo "##vso[task.setvariable variable=PRIVLINK_WORSE;isOutput=true]$DIFF_WORSE"
echo "privlink diff against $base: worse: $DIFF_WORSE (exit $DIFF_CODE)"
if [ "$DIFF_CODE" -ne 0 ] && [ "$FAIL_ON" != never ]; then
  echo "##vso[task.logissue type=error]this change makes dependencies worse ($DIFF_WORSE) or adds findings at or above --fail-on $FAIL_ON: see the privlink-diff summary"
  exit "$DIFF_CODE"
fi
exit 0
