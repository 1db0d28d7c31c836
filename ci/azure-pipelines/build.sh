#!/usr/bin/env bash
# Builds privlink for the Azure Pipelines template from its checkout into its target directory
# (restored by Cache@2 when it could) and sets the pipeline variable PRIVLINK to the binary.
# Env: PRIVLINK_SOURCE (the checkout of privlink); CARGO (default cargo).
set -euo pipefail
CI_PLATFORM=azure
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ci_require PRIVLINK_SOURCE
ci_build "$PRIVLINK_SOURCE"
"$PRIVLINK_BUILT" --version
echo "##vso[task.setvariable variable=PRIVLINK]$PRIVLINK_BUILT"
