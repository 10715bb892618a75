#!/usr/bin/env bash
# The Python package's CI: build the wheel, install it into a fresh virtual environment, run the
# pytest suite against the installed wheel (API, streaming, CLI, Arrow, Spark, pytest plugin) and
# mypy --strict on a usage file. Prints each step's time; exits non-zero on any failure.
#
# Environment: PYTHON (default python3, >= 3.9), CARGO_TARGET_DIR (default <repo>/target),
# ENQUIRY_PY_VENV (default: a new temporary directory, removed at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
python="${PYTHON:-python3}"
target="${CARGO_TARGET_DIR:-$repo/target}"
wheels="$target/wheels-ci"

if [[ -n "${ENQUIRY_PY_VENV:-}" ]]; then
  venv="$ENQUIRY_PY_VENV"
else
  venv="$(mktemp -d "${TMPDIR:-/tmp}/enquiry-py-ci.XXXXXX")"
  trap 'rm -rf "$venv"' EXIT
fi

started=$SECONDS
step() {
  local name="$1"
  shift
  local begin=$SECONDS
  echo "==> $name"
  "$@"
  echo "<== $name: $((SECONDS - begin)) s"
}

java_present() {
  if command -v java >/dev/null 2>&1; then
    java -version 2>&1 | head -1
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
}

make_venv() {
  if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q maturin pytest pyarrow pyspark pandas polars mypy jsonschema-rs
}

build_wheel() {
  rm -rf "$wheels"
  (cd "$here" && CARGO_TARGET_DIR="$target" "$venv/bin/maturin" build --release --locked -o "$wheels" -i "$venv/bin/python")
  ls -l "$wheels"
}

install_wheel() {
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$wheels"/enquiry_contract-*.whl
}

run_pytest() {
  # PYSPARK_PYTHON: Spark's Python workers must import the installed wheel.
  (cd "$here" && PYSPARK_PYTHON="$venv/bin/python" NO_COLOR=1 "$venv/bin/pytest" -q -p no:cacheprovider tests) || {
    local status=$?
    if [[ $status -eq 5 ]]; then echo "pytest collected no test" >&2; fi
    return "$status"
  }
}

run_mypy() {
  # The usage file type-checks against the installed wheel's stubs; the package's own sources
  # against the stub of the extension module.
  (cd "$here/tests" && "$venv/bin/python" -m mypy --strict --no-incremental typing_usage.py)
  (cd "$here" && "$venv/bin/python" -m mypy --strict --no-incremental src/enquiry_contract)
}

step "java" java_present
step "venv and tools" make_venv
step "maturin build --release" build_wheel
step "install the wheel" install_wheel
step "pytest" run_pytest
step "mypy --strict" run_mypy
echo "wheel: $(du -h "$wheels"/enquiry_contract-*.whl | cut -f1) $(basename "$wheels"/enquiry_contract-*.whl)"
echo "python/ci.sh: all steps passed in $((SECONDS - started)) s"
