#!/usr/bin/env bash
# The GitHub Action's build cache key (step `cache-key` of action.yml): the runner's OS, the hash of
# the action's Cargo.lock, then the hash of its sources. An exact hit restores a built binary; a
# restore by the prefix (same Cargo.lock, other sources) restores the compiled dependencies.
# Env: ACTION_PATH (the action's checkout), RUNNER_OS, GITHUB_OUTPUT. Outputs: key, restore-key.
set -euo pipefail
CI_PLATFORM=github
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ci_require ACTION_PATH GITHUB_OUTPUT
ci_cache_hashes "$ACTION_PATH"
prefix="privlink-${RUNNER_OS:-$(uname -s)}-$CACHE_LOCK_HASH-"
{
  echo "key=$prefix$CACHE_SOURCE_HASH"
  echo "restore-key=$prefix"
} >>"$GITHUB_OUTPUT"
