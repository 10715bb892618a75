#!/usr/bin/env bash
# The mock server's conformance run: a virtual environment with schemathesis under the cargo
# target directory (kept between runs), the debug `enquiry` binary, then
# crates/mock/tests/schemathesis.sh, which starts the server on loopback and checks every
# response against the server's own OpenAPI document.
#   .ci/conformance.sh TARGET_DIR
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target=${1:-target}
venv="$target/venv-conformance"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis
fi
cargo build --locked --quiet -p enquiry-cli
bash crates/mock/tests/schemathesis.sh "$venv/bin/python" "$target/debug/enquiry"
