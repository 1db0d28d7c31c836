#!/usr/bin/env bash
# The parts of the Azure Pipelines template's build cache keys, as pipeline variables for the
# Cache@2 tasks that follow: PRIVLINK_LOCK_HASH (Cargo.lock) and PRIVLINK_SOURCE_HASH (the sources).
# Env: PRIVLINK_SOURCE (the checkout of privlink).
set -euo pipefail
CI_PLATFORM=azure
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ci_require PRIVLINK_SOURCE
ci_cache_hashes "$PRIVLINK_SOURCE"
echo "##vso[task.setvariable variable=PRIVLINK_LOCK_HASH]$CACHE_LOCK_HASH"
echo "##vso[task.setvariable variable=PRIVLINK_SOURCE_HASH]$CACHE_SOURCE_HASH"
