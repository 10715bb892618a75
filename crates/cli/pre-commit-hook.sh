#!/bin/sh
# The `enquiry-validate` pre-commit hook: builds the `enquiry` binary from the hook's checkout
# (once; cargo caches it in the checkout's target directory) and validates the staged files.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
exec cargo run --quiet --release --locked --manifest-path "$root/Cargo.toml" -p enquiry-cli -- validate "$@"
