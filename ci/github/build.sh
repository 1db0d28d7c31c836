#!/usr/bin/env bash
# Builds privlink from the action's own source (step `build` of action.yml) into the action's
# target directory, which actions/cache restored when it could. Writes `privlink=PATH` to
# GITHUB_OUTPUT for the later steps.
# Env: ACTION_PATH (the action's checkout), GITHUB_OUTPUT; CARGO (default cargo).
set -euo pipefail
CI_PLATFORM=github
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ci_require ACTION_PATH GITHUB_OUTPUT
ci_build "$ACTION_PATH"
"$PRIVLINK_BUILT" --version
echo "privlink=$PRIVLINK_BUILT" >>"$GITHUB_OUTPUT"
