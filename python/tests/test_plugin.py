"""The `cinnox_mock` fixture (loaded from the wheel's pytest11 entry point) and assert_valid,
exercised by a small example client."""

from __future__ import annotations

import collections
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

import enquiry_contract as ec
from example_client import fetch_pages

START, END = "2025-01-01T00:00:00Z", "2026-02-01T00:00:00Z"


@pytest.mark.cinnox_mock(seed=7, records=230, invalid_rate=0.1)
def test_the_example_client_sees_exactly_the_manifest(cinnox_mock: Any) -> None:
    assert cinnox_mock.base_url.startswith("http://127.0.0.1:")
    pages = fetch_pages(cinnox_mock.base_url, cinnox_mock.app, cinnox_mock.token, START, END, limit=50)
    assert len(pages) == 5
    reports = [ec.validate(page) for page in pages]
    assert sum(r.summary.records for r in reports) == 230
    manifest = cinnox_mock.manifest()
    assert manifest, "10% of 230 records are mutants"
    assert sum(r.summary.invalid for r in reports) == len(manifest)
    found = collections.Counter((f.pointer, f.code) for r in reports for f in r.findings if f.severity == "error")
    assert found == collections.Counter((m["pointer"], m["code"]) for m in manifest)
    with pytest.raises(AssertionError, match="breaks the enquiry contract"):
        for page in pages:
            ec.assert_valid(page)

    log = cinnox_mock.requests()
    detail = [entry for entry in log if "enquiry-detail" in json.dumps(entry)]
    assert len(detail) == 5
    assert cinnox_mock.token not in json.dumps(log), "the request log masks the token"


@pytest.mark.cinnox_mock(seed=2, records=230, invalid_rate=0.1, fault_rate=0.4)
def test_the_client_rides_out_seeded_faults(cinnox_mock: Any) -> None:
    pages = fetch_pages(cinnox_mock.base_url, cinnox_mock.app, cinnox_mock.token, START, END, limit=50)
    assert len(pages) == 5
    invalid = sum(ec.validate(page).summary.invalid for page in pages)
    assert invalid == len(cinnox_mock.manifest()) > 0
    detail = [entry for entry in cinnox_mock.requests() if entry["path"].endswith("/enquiry-detail")]
    assert len(detail) > 5, "a 40% fault rate made the client retry"
    assert any(entry["status"] >= 500 for entry in detail)


@pytest.mark.cinnox_mock(seed=3, records=40)
def test_a_valid_dataset_passes_assert_valid_and_the_token_is_required(cinnox_mock: Any) -> None:
    pages = fetch_pages(cinnox_mock.base_url, cinnox_mock.app, cinnox_mock.token, START, END, limit=500)
    assert len(pages) == 1
    ec.assert_valid(pages[0])
    assert cinnox_mock.manifest() == []
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(cinnox_mock.url(f"/v1/api/apps/{cinnox_mock.app}/data/enquiry-detail?startAt={START}&endAt={END}"), timeout=10)
    assert refused.value.code == 401


def test_unknown_marker_options_are_a_usage_error() -> None:
    from enquiry_contract.pytest_plugin import serve_command

    with pytest.raises(pytest.UsageError, match="unknown option"):
        serve_command("t", {"sed": 1})
    command = serve_command("-tok", {"seed": 5, "records": 10, "invalid_rate": 0.2, "fault_rate": None})
    assert command[command.index("serve"):] == [
        "serve", "--addr=127.0.0.1:0", "--token=-tok", "--seed=5", "--records=10", "--invalid-rate=0.2"
    ]
