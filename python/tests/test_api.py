"""The Python API gives what `enquiry validate --format json` gives, on every fixture."""

from __future__ import annotations

import gzip
import json
import pathlib
from typing import Any, Callable, Dict, List, Type

import pytest

import enquiry_contract as ec
from conftest import LISTS, REPO, cli_report, payload_fixtures, run_enquiry

LABELS = pathlib.Path("fixtures/with-lists/labels.list")
CHANNELS = pathlib.Path("fixtures/with-lists/channels.list")


def list_options(flags: List[str]) -> Dict[str, Any]:
    return {"labels": LABELS, "channels": CHANNELS} if flags else {}


def as_dicts(findings: List[ec.Finding]) -> List[Dict[str, Any]]:
    return [json.loads(finding.to_json()) for finding in findings]


@pytest.mark.parametrize("relative,flags", payload_fixtures())
def test_every_api_function_agrees_with_the_cli(relative: str, flags: List[str]) -> None:
    expected = cli_report(relative, *flags)
    options = list_options(flags)
    path = pathlib.Path(relative)
    data = (REPO / relative).read_bytes()

    from_path = ec.validate(path, **options)
    assert json.loads(from_path.to_json()) == expected
    assert json.loads(from_path.summary.to_json()) == expected["summary"]

    from_bytes = ec.validate(data, name=relative, **options)
    assert json.loads(from_bytes.to_json()) == expected
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # the `encoding` fixtures: not representable as str
    if text is not None:
        assert json.loads(ec.validate(text, name=relative, **options).to_json()) == expected

    streamed = ec.iter_findings(path, **options)
    assert as_dicts(list(streamed)) == expected["findings"]
    assert streamed.summary is not None
    assert json.loads(streamed.summary.to_json()) == expected["summary"]
    assert as_dicts(list(ec.iter_findings(data, name=relative, **options))) == expected["findings"]

    assert ec.is_valid(path, **options) == (expected["summary"]["errors"] == 0)
    assert ec.is_valid(data, **options) == (expected["summary"]["errors"] == 0)

    # And the generated, checked-in expectation agrees too.
    assert json.loads((REPO / (relative + ".expected")).read_text()) == expected


def test_findings_are_typed_objects_with_the_report_fields() -> None:
    report = ec.validate(pathlib.Path("fixtures/mixed.ndjson"))
    assert report.findings, "mixed.ndjson has invalid records"
    for finding in report.findings:
        as_json = json.loads(finding.to_json())
        for key in ("file", "record", "line", "column", "pointer", "code", "severity", "message"):
            assert getattr(finding, key) == as_json[key]
        assert finding.expected == as_json.get("expected")
        assert finding.suggestion == as_json.get("suggestion")
    assert len(report) == len(report.findings)
    assert report.is_valid() == (report.summary.errors == 0)


def test_str_text_and_parsed_objects_are_inputs() -> None:
    record = ec.fake(1, seed=3).records[0]
    assert ec.is_valid(record.decode())
    parsed = json.loads(record)
    assert ec.is_valid(parsed)
    parsed["status"] = "Closed"
    report = ec.validate(parsed)
    assert [(f.pointer, f.code, f.suggestion) for f in report.findings] == [("/status", "enum", "closed")]
    assert ec.is_valid(gzip.compress(record))


def test_personal_values_are_masked_unless_asked() -> None:
    record = json.loads(ec.fake(1, seed=5).records[0])
    record["ip"] = "203.0.113.999"
    masked = ec.validate(record).findings
    shown = ec.validate(record, show_values=True).findings
    assert [f.code for f in masked] == ["ip"] and [f.code for f in shown] == ["ip"]
    assert "203.0.113.999" not in masked[0].message
    assert "203.0.113.999" in shown[0].message


def test_assert_valid_lists_every_finding() -> None:
    data = ec.fake(20, seed=9, invalid_rate=0.5)
    assert data.manifest, "seed 9 at 50% has mutants"
    ec.assert_valid(data.records[next(i for i in range(20) if i not in {m["record"] for m in data.manifest})])
    with pytest.raises(AssertionError) as raised:
        ec.assert_valid(data.ndjson())
    message = str(raised.value)
    report = ec.validate(data.ndjson())
    assert f"{report.summary.errors} error(s)" in message
    for finding in report.findings:
        assert str(finding) in message


def test_fake_is_the_cli_fake(tmp_path: pathlib.Path) -> None:
    data = ec.fake(60, 4, invalid_rate=0.25)
    manifest = tmp_path / "manifest.json"
    done = run_enquiry("fake", "--count", "60", "--seed", "4", "--invalid-rate", "0.25", "--manifest", str(manifest))
    assert done.returncode == 0, done.stderr.decode()
    assert data.ndjson() == done.stdout
    assert data.manifest == json.loads(manifest.read_text())
    # Each mutant gives exactly its labelled finding.
    found = [{"record": f.record, "pointer": f.pointer, "code": f.code} for f in ec.validate(data.ndjson()).findings]
    assert found == data.manifest


@pytest.mark.parametrize("strict", [False, True])
def test_schema_is_the_cli_schema(strict: bool) -> None:
    done = run_enquiry("schema", *(["--strict"] if strict else []))
    assert done.returncode == 0
    assert ec.schema(strict=strict) == json.loads(done.stdout)
    assert ec.schema(contract="record", strict=strict, draft="07")["$schema"].endswith("draft-07/schema#")


def test_list_arguments_take_ids_paths_and_bytes() -> None:
    path = pathlib.Path("fixtures/with-lists/label-unknown.ndjson")
    by_path = ec.validate(path, labels=LABELS, channels=CHANNELS)
    by_bytes = ec.validate(path, labels=LABELS.read_bytes(), channels=CHANNELS.read_bytes())
    ids = json.loads(LABELS.read_text())
    if isinstance(ids, dict):
        ids = [label["id"] for label in ids["labelList"]]
    by_ids = ec.validate(path, labels=ids, channels=json.loads(CHANNELS.read_text()))
    assert by_path.to_json() == by_bytes.to_json() == by_ids.to_json()
    assert "label-unknown" in {f.code for f in by_path.findings}


BAD_ARGUMENTS: List[Any] = [
    (lambda: ec.validate(12), TypeError, "data must be bytes, str (JSON text), os.PathLike"),
    (lambda: ec.validate(b"{}", profile="lenient"), ValueError, "profile 'lenient' is not a profile; expected one of: default, strict"),
    (lambda: ec.validate(b"{}", profile=1), TypeError, "profile must be a str, not int"),
    (lambda: ec.validate(b"{}", contract="order"), ValueError, 'contract "order" is not a contract; expected one of: record, event, challenge-request'),
    (lambda: ec.fake(1, contract="label-list"), ValueError, "fake makes records and events, not label-lists"),
    (lambda: ec.validate(b"{}", labels="labels.json"), TypeError, "wrap a file name in pathlib.Path"),
    (lambda: ec.validate(b"{}", labels=[1]), TypeError, "labels must hold strings, not int"),
    (lambda: ec.validate(b"{}", labels=3), TypeError, "labels must be an iterable of label IDs"),
    (lambda: ec.validate(b"{}", show_values="yes"), TypeError, "show_values must be a bool, not str"),
    (lambda: ec.validate(b"{}", pointer="data"), ValueError, "is not a JSON Pointer"),
    (lambda: ec.validate(b"{}", name=3), TypeError, "name must be a str or None, not int"),
    (lambda: ec.fake(-1), ValueError, "count must be from 0 to 2**64 - 1, not -1"),
    (lambda: ec.fake(1.5), TypeError, "count must be an int, not float"),
    (lambda: ec.fake(1, invalid_rate=2), ValueError, "invalid_rate must be from 0 to 1, not 2"),
    (lambda: ec.fake(1, invalid_rate="lots"), ValueError, "invalid rate `lots`: expected a number from 0 to 1"),
    (lambda: ec.fake(1, invalid_rate=True), TypeError, "invalid_rate must be a number"),
    (lambda: ec.schema(draft="04"), ValueError, 'draft "04" is not a JSON Schema draft; expected one of: 2020-12, 07'),
    (lambda: ec.schema(strict="yes"), TypeError, "strict must be a bool, not str"),
    (lambda: ec.validate(pathlib.Path("no/such/file.json")), ec.EnquiryError, "no/such/file.json: No such file or directory"),
    (lambda: ec.iter_findings(pathlib.Path("no/such/file.json")), ec.EnquiryError, "no/such/file.json: No such file or directory"),
    (lambda: ec.validate(b"{}", labels=pathlib.Path("no/labels.json")), ec.EnquiryError, "cannot read label list no/labels.json: No such file or directory (os error 2)"),
    (lambda: ec.validate(b"{}", labels=b'{"code": 401}'), ec.EnquiryError, "labels: "),
]


@pytest.mark.parametrize("call,error,message", BAD_ARGUMENTS)
def test_bad_arguments_raise_clear_errors(call: Callable[[], Any], error: Type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        call()
    text = str(raised.value)
    assert message in text
    assert "\n" not in text, "errors are one line"


def test_the_module_error_is_an_exception_class() -> None:
    assert issubclass(ec.EnquiryError, Exception)
    assert ec.CONTRACTS == ("record", "event", "challenge-request", "challenge-response", "label-list")


def test_webhook_events_are_faked_validated_and_described_as_the_cli_does() -> None:
    data = ec.fake(200, seed=3, invalid_rate=0.2, contract="event")
    done = run_enquiry("fake", "--contract", "event", "--count", "200", "--seed", "3", "--invalid-rate", "0.2")
    assert done.returncode == 0
    assert data.ndjson() == done.stdout
    assert data.manifest, "a fifth of the events carry a defect"
    for contract in ("event", None):
        found = ec.validate(data.ndjson(), contract=contract).findings
        listed = sorted((f.record, f.pointer, f.code) for f in found)
        assert listed == sorted((m["record"], m["pointer"], m["code"]) for m in data.manifest)
    # Read as enquiry records, events are not valid.
    assert not ec.is_valid(ec.fake(5, seed=3, contract="event").ndjson(), contract="record")
    schema = ec.schema(contract="event", strict=True)
    cli = run_enquiry("schema", "--contract", "event", "--strict")
    assert cli.returncode == 0
    assert schema == json.loads(cli.stdout)
    assert schema["title"] == "CINNOX enquiry event"


def test_the_summary_names_each_contract_even_without_findings() -> None:
    path = pathlib.Path("fixtures/events/valid.ndjson")
    events = len(path.read_bytes().splitlines())
    clean = {"event": {"records": events, "valid": events, "invalid": 0, "errors": 0, "warnings": 0}}
    report = ec.validate(path)
    assert report.findings == []
    assert report.summary.contracts == clean
    assert json.loads(report.to_json())["summary"]["contracts"] == clean
    assert json.loads(report.to_json()) == cli_report(str(path))
    streamed = ec.iter_findings(path)
    assert list(streamed) == []
    assert streamed.summary is not None and streamed.summary.contracts == clean
    # A mixed stream counts each contract; a line that is not JSON is in none.
    mixed = ec.validate(pathlib.Path("fixtures/events/mixed.ndjson").read_bytes() + b"{not json\n")
    contracts = mixed.summary.contracts
    assert set(contracts) == {"record", "event", "challenge-request", "challenge-response"}
    assert sum(counts["records"] for counts in contracts.values()) == mixed.summary.records - 1
