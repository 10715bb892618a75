"""validate_arrow over string and binary columns: valid, invalid, malformed and null rows."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pyarrow as pa
import pytest

import enquiry_contract as ec
from conftest import REPO

Row = Tuple[int, str, str, str, int, int, str]


def fixture_rows() -> Tuple[List[Optional[bytes]], List[Row]]:
    """The lines of mixed.ndjson plus the malformed and non-object fixtures, with null rows
    between them, and the findings their `.expected` reports give, moved to row numbers (each
    record is one line, so its line within the row is 1 and its column is unchanged)."""
    sources = ["fixtures/mixed.ndjson", "fixtures/invalid/syntax-python-literal.ndjson",
               "fixtures/invalid/not-an-object.ndjson", "fixtures/invalid/encoding-lone-surrogate.ndjson"]
    rows: List[Optional[bytes]] = []
    expected: List[Row] = []
    for source in sources:
        lines = (REPO / source).read_bytes().splitlines()
        report: Dict[str, Any] = json.loads((REPO / (source + ".expected")).read_text())
        first_row = len(rows)
        for index, line in enumerate(lines):
            rows.append(line)
            if index % 7 == 3:
                rows.append(None)
        row_of = [i for i in range(first_row, len(rows)) if rows[i] is not None]
        for f in report["findings"]:
            expected.append((row_of[f["record"]], f["pointer"], f["code"], f["severity"], 1, f["column"], f["message"]))
    assert any(r is None for r in rows) and len(expected) > 10
    return rows, expected


def as_rows(table: pa.Table) -> List[Row]:
    columns = ["row", "pointer", "code", "severity", "line", "column", "message"]
    data = table.select(columns).to_pydict()
    return [tuple(data[c][i] for c in columns) for i in range(table.num_rows)]  # type: ignore[misc]


@pytest.mark.parametrize("kind", [pa.binary(), pa.large_binary(), pa.string(), pa.large_string()])
def test_fixture_lines_give_their_findings_at_their_rows(kind: pa.DataType) -> None:
    rows, expected = fixture_rows()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # A string column cannot hold the invalid UTF-8 rows: leave them out, renumbered.
        keep = [i for i, r in enumerate(rows) if r is None or _utf8(r)]
        new_index = {old: new for new, old in enumerate(keep)}
        rows = [rows[i] for i in keep]
        expected = [(new_index[e[0]],) + e[1:] for e in expected if e[0] in new_index]  # type: ignore[misc]
        values = pa.array([r.decode() if r is not None else None for r in rows], kind)
    else:
        values = pa.array(rows, kind)
    table = pa.table({"id": list(range(len(rows))), "value": values})
    findings = ec.validate_arrow(table)
    assert as_rows(findings) == expected
    assert findings.schema.names == ["row", "pointer", "code", "severity", "line", "column", "message", "expected", "suggestion"]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_row_indices_continue_across_batches_and_chunks() -> None:
    rows, expected = fixture_rows()
    table = pa.table({"value": pa.array(rows, pa.binary())})
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=5))
    assert chunked.column("value").num_chunks > 3
    assert as_rows(ec.validate_arrow(chunked)) == expected
    assert as_rows(ec.validate_arrow(chunked.column("value"))) == expected
    batch = table.to_batches()[0]
    assert as_rows(ec.validate_arrow(batch, "value")) == expected


def test_many_rows_are_split_across_threads_in_order() -> None:
    data = ec.fake(5000, seed=17, invalid_rate=0.05)
    findings = ec.validate_arrow(pa.table({"value": pa.array(data.records, pa.binary())}))
    assert [{"record": r, "pointer": p, "code": c} for r, p, c in
            zip(*(findings.column(n).to_pylist() for n in ("row", "pointer", "code")))] == data.manifest


def test_agrees_with_validate_on_each_row() -> None:
    data = ec.fake(40, seed=8, invalid_rate=0.5)
    findings = ec.validate_arrow(pa.table({"value": pa.array(data.records, pa.binary())}))
    for index, record in enumerate(data.records):
        mine = [f for f in as_rows(findings) if f[0] == index]
        theirs = [(index, f.pointer, f.code, f.severity, f.line, f.column, f.message) for f in ec.validate(record).findings]
        assert mine == theirs


def test_bad_arrow_arguments() -> None:
    table = pa.table({"value": pa.array([1, 2])})
    with pytest.raises(TypeError, match="the column is Int64; expected string"):
        ec.validate_arrow(table)
    with pytest.raises(ValueError, match="no column 'json'; the columns are: value"):
        ec.validate_arrow(table, "json")
    with pytest.raises(TypeError, match="data must be a pyarrow.RecordBatch"):
        ec.validate_arrow([b"{}"])


def test_empty_and_all_null_columns() -> None:
    assert ec.validate_arrow(pa.table({"value": pa.array([], pa.string())})).num_rows == 0
    assert ec.validate_arrow(pa.table({"value": pa.array([None, None], pa.string())})).num_rows == 0


def test_polars_frames_go_through_the_same_path() -> None:
    import polars as pl

    from enquiry_contract.polars import validate_frame

    rows, expected = fixture_rows()
    utf8 = [r.decode() if r is not None and _utf8(r) else None for r in rows]
    dropped = {i for i, r in enumerate(rows) if r is not None and not _utf8(r)}
    frame = pl.DataFrame({"id": list(range(len(rows))), "value": utf8})
    findings = validate_frame(frame, "value")
    assert isinstance(findings, pl.DataFrame)
    assert as_rows(findings.to_arrow()) == [e for e in expected if e[0] not in dropped]
    with pytest.raises(ValueError, match="no column 'json'"):
        validate_frame(frame, "json")
