"""Throughput of the Python entry points, side by side with the CLI and jsonschema-rs.

Run with the wheel installed: ``python python/bench.py [--mib 64]``. Prints MB/s (1 MB = 10^6
bytes) of:

* ``enquiry validate --jobs 1`` (the installed command, single thread): the reference;
* ``validate(bytes)`` with ``jobs=1`` (the same work, through the module) and with the default
  (one thread per CPU);
* ``validate_arrow`` over a binary column, one record per row;
* jsonschema-rs (``json.loads`` + ``iter_errors`` per record, with the generated schema), on a
  sample of the records (it is much slower).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Tuple

import enquiry_contract as ec


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` wall-clock timings, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64, help="size of the generated NDJSON (MiB)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20000, help="records for jsonschema-rs")
    args = parser.parse_args()

    enquiry = str(Path(sys.executable).with_name("enquiry"))
    records: List[bytes] = []
    per_record = len(ec.fake(100, 1).ndjson()) / 100
    data = ec.fake(int(args.mib * 2**20 / per_record), 1, invalid_rate=0.01)
    records = data.records
    payload = data.ndjson()
    size_mb = len(payload) / 1e6
    rows: List[Tuple[str, float, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.ndjson")
        with open(path, "wb") as out:
            out.write(payload)
        command = [enquiry, "validate", "--jobs", "1", "--format", "json", "--no-config", path]
        cli = best_of(args.runs, lambda: subprocess.run(command, stdout=subprocess.DEVNULL, check=False))
    rows.append(("enquiry validate --jobs 1 (CLI)", size_mb / cli, "reference"))

    one = best_of(args.runs, lambda: ec.validate(payload, jobs=1))
    rows.append(("validate(bytes, jobs=1)", size_mb / one, f"{cli / one:.0%} of the CLI"))
    default = best_of(args.runs, lambda: ec.validate(payload))
    rows.append((f"validate(bytes), {os.cpu_count()} CPUs", size_mb / default, f"{cli / default:.0%} of the CLI"))

    try:
        import pyarrow as pa

        table = pa.table({"value": pa.array(records, pa.binary())})
        column_mb = sum(len(r) for r in records) / 1e6
        arrow = best_of(args.runs, lambda: ec.validate_arrow(table))
        rows.append(("validate_arrow (binary column)", column_mb / arrow, f"{len(records)} rows"))
    except ImportError:
        rows.append(("validate_arrow", 0.0, "pyarrow not installed"))

    try:
        import jsonschema_rs

        schema = ec.schema()
        validator = jsonschema_rs.validator_for(schema)
        sample = [r for r in records[: args.sample] if _decodes(r)]
        sample_mb = sum(len(r) for r in sample) / 1e6

        def with_jsonschema() -> None:
            for record in sample:
                for _ in validator.iter_errors(json.loads(record)):
                    pass

        theirs = best_of(1, with_jsonschema)
        ours = best_of(args.runs, lambda: ec.validate(b"\n".join(sample), jobs=1))
        rows.append(("jsonschema_rs (json.loads + iter_errors)", sample_mb / theirs, f"{len(sample)} records"))
        rows.append(("validate(bytes, jobs=1), same records", sample_mb / ours, f"{theirs / ours:.1f}x jsonschema_rs"))
    except ImportError:
        rows.append(("jsonschema_rs", 0.0, "jsonschema-rs not installed"))

    print(f"input: {size_mb:.1f} MB NDJSON, {len(records)} records, best of {args.runs}")
    width = max(len(name) for name, _, _ in rows)
    for name, rate, note in rows:
        print(f"{name:<{width}}  {rate:9.1f} MB/s  {note}")


def _decodes(record: bytes) -> bool:
    try:
        json.loads(record)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    main()
