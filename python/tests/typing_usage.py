"""A usage file for `mypy --strict`: the public API's types, as a user's code sees them."""

from __future__ import annotations

import pathlib
from typing import Dict, Iterator, List, Optional

import enquiry_contract as ec


def codes(path: pathlib.Path) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    findings: ec.FindingIter = ec.iter_findings(path, profile="strict")
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    summary: Optional[ec.Summary] = findings.summary
    assert summary is None or summary.records >= 0
    return counts


def first_pointer(data: bytes) -> Optional[str]:
    report: ec.Report = ec.validate(data, labels=["label-1"], show_values=False)
    summary: ec.Summary = report.summary
    findings: List[ec.Finding] = report.findings
    if summary.errors and findings:
        line: int = findings[0].line
        assert line >= 1
        return findings[0].pointer
    return None


def fakes() -> Iterator[bytes]:
    data: ec.FakeData = ec.fake(10, 1, invalid_rate=0.1)
    manifest: List[Dict[str, object]] = data.manifest
    assert len(manifest) <= 10
    yield data.ndjson()
    yield from data.records


def schema_title() -> str:
    title = ec.schema(strict=True)["title"]
    assert isinstance(title, str)
    return title


def check(payload: Dict[str, object]) -> bool:
    try:
        ec.assert_valid(payload)
    except ec.EnquiryError as err:
        raise SystemExit(str(err)) from None
    return ec.is_valid(payload)
