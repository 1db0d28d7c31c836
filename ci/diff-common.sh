# `privlink diff` against a base revision, shared by the GitHub Action (ci/github/diff.sh) and the
# Azure Pipelines template (ci/azure-pipelines/diff.sh); sourced after ci/lib.sh.
#
# ci_diff BASE SUMMARY_FILE runs the estate as it is at git revision BASE against the working tree
# (the estate paths are the same on both sides: `--before-git`), appends the Markdown report to
# SUMMARY_FILE, prints the findings as the platform's annotations (GitHub: `--format github`) and
# sets DIFF_WORSE (dependencies that got worse) and DIFF_CODE (privlink diff's exit code: 0 nothing
# got worse and no finding at or above fail-on was added, 1 otherwise). Exits 2 on an input error.

# Makes sure the base commit is in the clone: CI services clone shallow by default. Fetching the one
# commit works on GitHub and Azure Repos; when it does not, the message says what to set.
ci_have_commit() {
  local rev="$1"
  git rev-parse --verify --quiet "$rev^{commit}" >/dev/null && return 0
  echo "the base revision $rev is not in this clone; fetching it"
  case "$rev" in
    origin/*) git fetch --no-tags --quiet origin "${rev#origin/}:refs/remotes/$rev" 2>/dev/null || true ;;
    *) git fetch --no-tags --quiet --depth=1 origin "$rev" 2>/dev/null || true ;;
  esac
  git rev-parse --verify --quiet "$rev^{commit}" >/dev/null ||
    ci_die "the base revision $rev is not in this clone and could not be fetched: check out with full history (GitHub: actions/checkout with fetch-depth: 0; Azure Pipelines: checkout with fetchDepth: 0)"
}

ci_diff() {
  local base="$1" summary_file="$2" args=() json
  ci_fail_on
  ci_estate
  ci_have_commit "$base"
  for path in "${ESTATE_PATHS[@]}"; do args+=(--after "$path"); done
  # (The `+` form: bash 3.2, macOS runners' /bin/bash, calls an empty array unset.)
  args+=(${TEMPLATE_ARGS[@]+"${TEMPLATE_ARGS[@]}"} --before-git "$base")
  # With fail-on `never` privlink diff exits 0 whatever got worse (report only); the callers also
  # never fail then, whatever the code.
  json=$("$PRIVLINK" diff "${args[@]}" --fail-on "$FAIL_ON" --format json)
  DIFF_CODE=$?
  if [ "$DIFF_CODE" -ne 0 ] && [ "$DIFF_CODE" -ne 1 ]; then
    ci_die "privlink diff could not compare the estate with $base (exit $DIFF_CODE); its message is above"
  fi
  DIFF_WORSE=$(printf '%s' "$json" | ci_summary_count worse)

  # privlink's Markdown starts with its own heading and names both sides.
  "$PRIVLINK" diff "${args[@]}" --fail-on "$FAIL_ON" --format markdown >>"$summary_file"
  printf '\n' >>"$summary_file"

  if [ "${CI_PLATFORM:-}" = github ]; then
    "$PRIVLINK" diff "${args[@]}" --fail-on "$FAIL_ON" --format github
  fi
}
