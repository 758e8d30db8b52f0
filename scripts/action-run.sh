#!/usr/bin/env bash
# Runs rbacdrift check for the GitHub Action (action.yml) and exits with its
# exit code. The inputs come in the environment (INPUT_*), never inside the
# script's text; the database URL is handed over as DATABASE_URL, so that it
# is on no command line.
#
# Writes the outputs drifted, errors, warnings, report and exit-code to
# GITHUB_OUTPUT, and the Markdown report to GITHUB_STEP_SUMMARY (check does
# that itself with --format github).
set -uo pipefail

bin="${RBACDRIFT:?the install step gives the binary}"
out="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rbacdrift-report.XXXXXX")"
report="$out/rbacdrift.json"
format="${INPUT_FORMAT:-github}"

args=(check --spec "${INPUT_SPEC:-rbacdrift.yaml}" --format "$format" --fail-on "${INPUT_FAIL_ON:-error}" --report "json=$report")
if [ -n "${INPUT_TARGETS:-}" ]; then
  args+=(--targets "$INPUT_TARGETS")
elif [ -n "${INPUT_DB:-}" ]; then
  export DATABASE_URL="$INPUT_DB"
fi
[ -n "${INPUT_SHARD:-}" ] && args+=(--shard "$INPUT_SHARD")
[ -n "${INPUT_MIGRATIONS:-}" ] && args+=(--migrations "$INPUT_MIGRATIONS")
[ -n "${INPUT_SARIF:-}" ] && args+=(--report "sarif=$INPUT_SARIF")
if [ "$format" != github ]; then
  args+=(--report "markdown=$out/summary.md")
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  # White-space splitting only: read -a does no globbing and no expansion.
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi

"$bin" "${args[@]}"
code=$?

# The last "errors", "warnings" and "failed" lines of the indented JSON are
# the report's own summary: it is the last field of both report shapes, and
# a finding's text can hold no line of that form (its quotes are escaped).
last() { sed -n "s/^ *\"$1\": \\([0-9][0-9]*\\),\\{0,1\\}\$/\\1/p" "$report" | tail -n 1; }
errors="" warnings="" failed=0 path=""
if [ -s "$report" ]; then
  path="$report" errors="$(last errors)" warnings="$(last warnings)" failed="$(last failed)"
fi
drifted=false
if [ "$code" = 1 ] || [ "${failed:-0}" -gt 0 ]; then drifted=true; fi
{
  echo "drifted=$drifted"
  echo "errors=$errors"
  echo "warnings=$warnings"
  echo "report=$path"
  echo "exit-code=$code"
} >> "${GITHUB_OUTPUT:?}"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -s "$out/summary.md" ]; then
    cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
  elif [ "$code" -ge 2 ] && [ ! -s "$report" ]; then
    printf '## :no_entry: rbacdrift could not run the check (exit %s)\n\nSee the log of the step.\n' "$code" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$code"
