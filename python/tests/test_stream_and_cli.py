"""Streaming a file larger than a memory budget, and the wheel's `enquiry` command."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import enquiry_contract as ec
from conftest import REPO, enquiry_command, run_enquiry

#: Peak memory (RSS) the streaming calls may add over an interpreter that imported the module.
BUDGET_MIB = 64
#: The generated file is this many times the budget.
FILE_TO_BUDGET = 3

CHILD = r"""
import json, pathlib, resource, sys
import enquiry_contract as ec
path = pathlib.Path(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = [(f.record, f.pointer, f.code) for f in ec.iter_findings(path)]
after_iter = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = ec.validate(path)
after_validate = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kib": base, "iter_kib": after_iter, "validate_kib": after_validate,
                  "found": found, "records": report.summary.records, "errors": report.summary.errors}))
"""


def test_a_file_larger_than_the_budget_streams(tmp_path: pathlib.Path) -> None:
    big = tmp_path / "big.ndjson"
    manifest = tmp_path / "manifest.json"
    count = 1000
    # Grow the record count until the file is FILE_TO_BUDGET times the budget.
    while True:
        done = run_enquiry("fake", "--count", str(count), "--seed", "21", "--invalid-rate", "0.001",
                           "--manifest", str(manifest), "--output", str(big))
        assert done.returncode == 0, done.stderr.decode()
        if big.stat().st_size >= FILE_TO_BUDGET * BUDGET_MIB << 20:
            break
        count = int(count * (FILE_TO_BUDGET * BUDGET_MIB << 20) / big.stat().st_size * 1.05) + 1
    child = subprocess.run([sys.executable, "-c", CHILD, str(big)], capture_output=True, timeout=600)
    assert child.returncode == 0, child.stderr.decode()
    result = json.loads(child.stdout)
    labels = [(m["record"], m["pointer"], m["code"]) for m in json.loads(manifest.read_text())]
    assert labels, "the file has mutants"
    assert [tuple(f) for f in result["found"]] == labels
    assert result["records"] == count and result["errors"] == len(labels)
    grown_mib = (max(result["iter_kib"], result["validate_kib"]) - result["base_kib"]) / 1024
    assert grown_mib < BUDGET_MIB, f"streaming {big.stat().st_size >> 20} MiB grew RSS by {grown_mib:.0f} MiB"


def test_an_abandoned_iterator_stops_without_hanging() -> None:
    data = ec.fake(2000, seed=2, invalid_rate=0.5).ndjson()
    findings = ec.iter_findings(data)
    first = next(findings)
    assert first.record in (0, 1, 2, 3, 4, 5)
    assert findings.summary is None, "no summary before the end"
    del findings  # the worker notices at its next read or send


def test_the_console_command_behaves_as_the_binary() -> None:
    version = run_enquiry("--version")
    assert version.returncode == 0 and version.stdout.decode().strip() == f"enquiry {ec.__version__}"

    clean = run_enquiry("validate", "fixtures/valid/one-object.json")
    assert clean.returncode == 0, clean.stderr.decode()

    failing = run_enquiry("validate", "--format", "github", "fixtures/mixed.ndjson")
    assert failing.returncode == 1
    assert failing.stdout.decode().count("::error ") == ec.validate(pathlib.Path("fixtures/mixed.ndjson")).summary.errors

    missing = run_enquiry("validate", "no/such.json")
    assert missing.returncode == 2
    assert missing.stderr.decode().strip().splitlines() == [
        "enquiry validate: no/such.json: No such file or directory (os error 2)"
    ]

    usage = run_enquiry("validate", "--format", "yaml")
    assert usage.returncode == 2 and b"--format" in usage.stderr

    piped = run_enquiry("validate", "--format", "json", "-", input=(REPO / "fixtures/mixed.ndjson").read_bytes())
    assert piped.returncode == 1
    assert json.loads(piped.stdout)["summary"] == json.loads(ec.validate(pathlib.Path("fixtures/mixed.ndjson")).summary.to_json())

    as_module = subprocess.run([sys.executable, "-m", "enquiry_contract", "explain", "enum"], capture_output=True, timeout=60)
    assert as_module.returncode == 0 and b"enum" in as_module.stdout
    assert enquiry_command()[0].endswith("enquiry")
