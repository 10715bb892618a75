#!/usr/bin/env bash
# System packages the test suite needs beyond the Rust toolchain and Python: Debian's Chromium
# (the HTML report's browser test) and a Java runtime (the local Spark session of the Python
# suite). Installs only what is missing; without root it names what to install and fails.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: chromium and java are installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) and rerun" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
