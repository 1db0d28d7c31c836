# Shared by the CI integrations (ci/github/*.sh, ci/azure-pipelines/*.sh); sourced, not run.
#
# Every script gets its inputs as environment variables, as the GitHub Action and the Azure
# Pipelines template set them, so crates/cli/tests/ci_integration.rs can run them as they run:
#   PRIVLINK                 the privlink binary
#   INPUT_ESTATE             estate paths, space-separated (files or directories)
#   INPUT_PARAMETERS         a template parameters file (optional)
#   INPUT_BASELINE           a `privlink check --format json` file of accepted findings (optional)
#   INPUT_FAIL_ON            error | warning | info | never (default error)
#   INPUT_WORKING_DIRECTORY  where relative paths are, relative to the repository root (default .)
# privlink runs from the repository root with the paths prefixed by the working directory, so the
# file names in SARIF results and annotations are relative to the repository root, which is what
# code scanning and GitHub's annotations need to land on the right file.

# Prints an error the way the CI service shows one, then exits 2 (privlink's input-error code).
ci_die() {
  ci_error "$*"
  exit 2
}

# An error line in the CI service's own syntax (set by the platform's scripts; plain by default).
ci_error() {
  case "${CI_PLATFORM:-}" in
    github) printf '::error title=privlink::%s\n' "$*" ;;
    azure) printf '##vso[task.logissue type=error]%s\n' "$*" ;;
    *) printf 'error: %s\n' "$*" >&2 ;;
  esac
}

ci_require() {
  local name
  for name in "$@"; do
    [ -n "${!name:-}" ] || ci_die "$name is not set"
  done
}

# A path as privlink is given it: relative to the repository root when the input names it
# relative to the working directory.
ci_path() {
  local dir="${INPUT_WORKING_DIRECTORY:-.}"
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) if [ "$dir" = "." ] || [ -z "$dir" ]; then printf '%s' "$1"; else printf '%s/%s' "${dir%/}" "$1"; fi ;;
  esac
}

# Fills ESTATE_PATHS (the estate as privlink is given it) and TEMPLATE_ARGS (--parameters).
ci_estate() {
  ESTATE_PATHS=()
  TEMPLATE_ARGS=()
  local path
  # Word-splitting is the interface: the input is space-separated paths (no globbing).
  set -f
  # shellcheck disable=SC2086
  for path in ${INPUT_ESTATE:-}; do
    ESTATE_PATHS+=("$(ci_path "$path")")
  done
  set +f
  [ "${#ESTATE_PATHS[@]}" -gt 0 ] || ci_die "the estate input names no path (space-separated files or directories of the repository)"
  for path in "${ESTATE_PATHS[@]}"; do
    [ -e "$path" ] || ci_die "estate path $path does not exist (working directory ${INPUT_WORKING_DIRECTORY:-.})"
  done
  if [ -n "${INPUT_PARAMETERS:-}" ]; then
    TEMPLATE_ARGS+=(--parameters "$(ci_path "$INPUT_PARAMETERS")")
  fi
}

# Sets FAIL_ON to the fail-on input, checked (default error).
ci_fail_on() {
  FAIL_ON="${INPUT_FAIL_ON:-error}"
  case "$FAIL_ON" in
    error | warning | info | never) ;;
    *) ci_die "fail-on must be error, warning, info or never, not '$FAIL_ON'" ;;
  esac
}

# The number under "summary" → KEY in privlink's JSON output (read from stdin), or 0. The summary
# is the output's last member, so the last "KEY": N in the text is the one.
ci_summary_count() {
  local key="$1" count
  count=$(tr -d '\n' | grep -o "\"$key\": *[0-9][0-9]*" | tail -n 1 | grep -o '[0-9][0-9]*$')
  printf '%s' "${count:-0}"
}

# The hash the build cache is keyed on: Cargo.lock and every source file of the privlink checkout
# at $1, so a cache entry is reused exactly when the same binary would be built. (GitHub's
# hashFiles() sees only the caller's workspace, not the action's own directory.)
ci_source_hash() {
  local root="$1" sha=(sha256sum)
  command -v sha256sum >/dev/null 2>&1 || sha=(shasum -a 256) # macOS
  (
    cd "$root" || exit 2
    local paths=() path
    for path in Cargo.lock Cargo.toml crates benches/estate-gen scenarios/seed-estate; do
      [ ! -e "$path" ] || paths+=("$path")
    done
    find "${paths[@]}" -type f \
      \( -name '*.rs' -o -name '*.toml' -o -name '*.json' -o -name '*.lock' \) -not -path '*/target/*' |
      LC_ALL=C sort | xargs "${sha[@]}" | "${sha[@]}" | cut -c1-16
  )
}

# The hash of one file (Cargo.lock), for the cache key's prefix.
ci_file_hash() {
  local sha=(sha256sum)
  command -v sha256sum >/dev/null 2>&1 || sha=(shasum -a 256)
  "${sha[@]}" <"$1" | cut -c1-16
}

# ci_build ROOT: builds privlink from the checkout at ROOT into ROOT/target (which the CI cache
# restores when it can; with a hit cargo only checks that nothing changed) and sets PRIVLINK_BUILT
# to the binary. CARGO names cargo (default cargo).
ci_build() {
  local root="$1" cargo="${CARGO:-cargo}"
  [ -f "$root/Cargo.lock" ] || ci_die "$root/Cargo.lock is missing: $root must be a checkout of privlink"
  command -v "$cargo" >/dev/null 2>&1 ||
    ci_die "cargo is not installed: hosted runners and agents have it; elsewhere install a Rust toolchain (1.85 or later) before this step"
  CARGO_TARGET_DIR="$root/target" "$cargo" build --release --locked -p privlink --manifest-path "$root/Cargo.toml" ||
    ci_die "building privlink failed (cargo build --release --locked -p privlink in $root)"
  PRIVLINK_BUILT="$root/target/release/privlink"
  [ -x "$PRIVLINK_BUILT" ] || ci_die "cargo build finished but $PRIVLINK_BUILT is not there"
}

# ci_cache_hashes ROOT: sets CACHE_LOCK_HASH (Cargo.lock) and CACHE_SOURCE_HASH (the sources) of
# the privlink checkout at ROOT, the parts of the build cache's key.
ci_cache_hashes() {
  local root="$1"
  [ -f "$root/Cargo.lock" ] || ci_die "$root/Cargo.lock is missing: $root must be a checkout of privlink"
  CACHE_LOCK_HASH=$(ci_file_hash "$root/Cargo.lock")
  CACHE_SOURCE_HASH=$(ci_source_hash "$root")
}
