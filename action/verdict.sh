#!/usr/bin/env bash
# The action's last step: fails the job with enquiry's exit status (1 findings, 2 usage error).
set -euo pipefail
status="${ENQUIRY_EXIT_CODE:-2}"
if [ "$status" != 0 ]; then
    echo "::error title=enquiry validate::enquiry validate exited with status $status"
fi
exit "$status"
