# `privlink check` for the CI integrations, shared by ci/github/check.sh and
# ci/azure-pipelines/check.sh; sourced after ci/lib.sh.

# Sets CHECK_ARGS: the estate, template parameters and baseline arguments of `privlink check`.
ci_check_args() {
  ci_estate
  CHECK_ARGS=()
  local path
  for path in "${ESTATE_PATHS[@]}"; do CHECK_ARGS+=(--estate "$path"); done
  CHECK_ARGS+=(${TEMPLATE_ARGS[@]+"${TEMPLATE_ARGS[@]}"})
  [ -z "${INPUT_BASELINE:-}" ] || CHECK_ARGS+=(--baseline "$(ci_path "$INPUT_BASELINE")")
}

# ci_check FORMAT FILE: runs `privlink check --format FORMAT > FILE` with the fail-on input and sets
# CHECK_CODE to its exit code (0 passed, 1 findings at or above fail-on). An input error (exit 2)
# removes FILE and exits 2: the estate could not be read and there is nothing to publish.
ci_check() {
  local format="$1" file="$2"
  "$PRIVLINK" check "${CHECK_ARGS[@]}" --fail-on "$FAIL_ON" --format "$format" >"$file"
  CHECK_CODE=$?
  if [ "$CHECK_CODE" -ne 0 ] && [ "$CHECK_CODE" -ne 1 ]; then
    rm -f "$file"
    ci_die "privlink check could not read the estate (exit $CHECK_CODE); its message is above"
  fi
}

# ci_check_summary FILE: appends `privlink check`'s findings to a Markdown summary (a job summary)
# and sets CHECK_SUMMARY to its summary line (`1 error, 0 warnings, 0 info in 51 resources (…)`).
# Uses CHECK_CODE from ci_check for the verdict in the heading.
ci_check_summary() {
  local file="$1" text findings_listed=false verdict
  text=$("$PRIVLINK" check "${CHECK_ARGS[@]}" --fail-on never --format text)
  # The text ends with `Summary: N errors, …` after findings, or `No findings: 0 errors, …`.
  CHECK_SUMMARY=$(printf '%s\n' "$text" | grep -E '^(Summary|No findings): ' | tail -n 1)
  case "$CHECK_SUMMARY" in Summary:*) findings_listed=true ;; esac
  CHECK_SUMMARY="${CHECK_SUMMARY#Summary: }"
  verdict="passed"
  [ "$CHECK_CODE" -eq 0 ] || verdict="failed (findings at or above \`--fail-on $FAIL_ON\`)"
  {
    echo "### privlink check: $verdict"
    echo
    echo "$CHECK_SUMMARY"
    echo
    if $findings_listed; then
      # A GitHub job summary holds at most 1 MiB; the findings go in whole only when they fit.
      if [ "${#text}" -lt 500000 ]; then
        printf '<details><summary>Findings</summary>\n\n````text\n%s\n````\n\n</details>\n\n' "$text"
      else
        echo "The findings are too many for this summary: see the annotations and the SARIF file."
        echo
      fi
    fi
  } >>"$file"
}
