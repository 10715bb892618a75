#!/usr/bin/env bash
# The action's validation step: one pass of `enquiry validate` writes GitHub annotations to the
# log, the Markdown summary to $GITHUB_STEP_SUMMARY and SARIF to $ENQUIRY_SARIF. It always
# succeeds, so that the SARIF upload runs; the exit status is handed on as the `exit-code`
# output and applied by verdict.sh.
set -euo pipefail

bin="${ENQUIRY_BIN:-}"
if [ -z "$bin" ]; then
    if ! command -v enquiry >/dev/null 2>&1; then
        cargo install --locked --path "$GITHUB_ACTION_PATH/crates/cli"
    fi
    bin=enquiry
fi
sarif="${ENQUIRY_SARIF:-enquiry.sarif}"
summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT

status=0
# Paths and extra arguments are word lists, as the workflow author wrote them.
# shellcheck disable=SC2086
"$bin" validate ${ENQUIRY_PATHS:-} ${ENQUIRY_ARGS:-} \
    --format github --format "sarif=$sarif" --format "markdown=$summary" || status=$?

cat "$summary" >>"$GITHUB_STEP_SUMMARY"
{
    echo "sarif=$sarif"
    echo "exit-code=$status"
} >>"$GITHUB_OUTPUT"
