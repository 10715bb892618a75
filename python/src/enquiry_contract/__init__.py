"""Validate CINNOX enquiry payloads against the documented contract, from Python.

The checking is done by the Rust validator of the ``enquiry`` command (the extension module
``enquiry_contract._native``), with the GIL released; this module checks arguments and turns
them into what the extension takes::

    import enquiry_contract as ec

    report = ec.validate(b'{"_id": "e1", "status": "Closed"}')
    for finding in report.findings:
        print(finding.pointer, finding.code, finding.message)
    assert ec.is_valid(ec.fake(1, seed=7).records[0])

Inputs (``data``): ``bytes`` (any shape the CLI reads: one object, an array, NDJSON, a list
response, gzip), ``str`` (JSON text), an ``os.PathLike`` (a file, streamed in bounded memory;
its findings name the path), or a ``dict``/``list`` (a parsed payload, serialised first).
Personal values are masked in messages unless ``show_values=True``, as in the CLI.

Errors: a wrong argument type is ``TypeError``, a bad value ``ValueError``, an unreadable input
or list file :class:`EnquiryError` with the CLI's one-line message.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Optional,
    Tuple,
    Union,
)

from . import _native
from ._native import EnquiryError, Finding, FindingIter, Report, Summary

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "CONTRACTS",
    "EnquiryError",
    "FakeData",
    "Finding",
    "FindingIter",
    "Report",
    "Summary",
    "assert_valid",
    "fake",
    "is_valid",
    "iter_findings",
    "schema",
    "validate",
    "validate_arrow",
]

__version__: str = _native.__version__

#: The contracts ``contract=`` accepts (``None``: detected from the input).
CONTRACTS: Tuple[str, ...] = tuple(_native.contracts())

#: What ``validate`` and friends accept as input.
Data = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", Dict[str, Any], List[Any]]
#: A label or channel allowlist: the IDs, a list file's path, or a list file's bytes.
ListArg = Union[Iterable[str], "os.PathLike[str]", bytes, None]

_PROFILES = ("default", "strict")


def _type_name(value: object) -> str:
    return type(value).__name__


def _list_arg(value: ListArg, what: str) -> Any:
    """A label or channel list as the extension takes it: IDs, or (name, bytes of a file)."""
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        path = os.fsdecode(os.fspath(value))
        try:
            with open(path, "rb") as handle:
                return (path, handle.read())
        except OSError as err:
            # Worded as Rust's `io::Error`, so the message is the CLI's.
            reason = f"{err.strerror} (os error {err.errno})" if err.errno else str(err)
            raise EnquiryError(f"cannot read {what} list {path}: {reason}") from None
    if isinstance(value, (bytes, bytearray)):
        return (f"{what}s", bytes(value))
    if isinstance(value, str):
        raise TypeError(
            f"{what}s must be an iterable of {what} IDs, a path (os.PathLike) or the bytes of a "
            f"{what} list file, not str (wrap a file name in pathlib.Path)"
        )
    try:
        ids = list(value)
    except TypeError:
        raise TypeError(
            f"{what}s must be an iterable of {what} IDs, a path (os.PathLike) or bytes, "
            f"not {_type_name(value)}"
        ) from None
    for item in ids:
        if not isinstance(item, str):
            raise TypeError(f"{what}s must hold strings, not {_type_name(item)} ({item!r})")
    return ids


def _freeze(list_arg: Any) -> Any:
    """Makes a list argument hashable for the validator cache."""
    if isinstance(list_arg, list):
        return ("ids", tuple(sorted(set(list_arg))))
    return list_arg


def _validator(
    contract: Optional[str],
    profile: str,
    labels: ListArg,
    channels: ListArg,
    pointer: Optional[str],
    show_values: bool,
) -> _native.Validator:
    if contract is not None and not isinstance(contract, str):
        raise TypeError(f"contract must be a str or None, not {_type_name(contract)}")
    if not isinstance(profile, str):
        raise TypeError(f"profile must be a str, not {_type_name(profile)}")
    if profile not in _PROFILES:
        raise ValueError(f"profile {profile!r} is not a profile; expected one of: default, strict")
    if pointer is not None and not isinstance(pointer, str):
        raise TypeError(f"pointer must be a str or None, not {_type_name(pointer)}")
    if not isinstance(show_values, bool):
        raise TypeError(f"show_values must be a bool, not {_type_name(show_values)}")
    label_arg = _list_arg(labels, "label")
    channel_arg = _list_arg(channels, "channel")
    return _build_validator(profile, contract, _freeze(label_arg), _freeze(channel_arg), pointer, show_values)


@functools.lru_cache(maxsize=32)
def _build_validator(
    profile: str,
    contract: Optional[str],
    labels: Any,
    channels: Any,
    pointer: Optional[str],
    show_values: bool,
) -> _native.Validator:
    def thaw(arg: Any) -> Any:
        if isinstance(arg, tuple) and len(arg) == 2 and arg[0] == "ids":
            return list(arg[1])
        return arg

    return _native.Validator(
        profile=profile,
        contract=contract,
        labels=thaw(labels),
        channels=thaw(channels),
        pointer=pointer,
        show_values=show_values,
    )


def _input(data: Data) -> Tuple[Optional[bytes], Optional[str]]:
    """``(bytes, None)`` for data in memory, ``(None, path)`` for a file."""
    if isinstance(data, bytes):
        return data, None
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data), None
    if isinstance(data, str):
        # Lone surrogates become the bytes a broken encoder would write: an `encoding` finding.
        return data.encode("utf-8", "surrogatepass"), None
    if isinstance(data, os.PathLike):
        return None, os.fsdecode(os.fspath(data))
    if isinstance(data, (dict, list)):
        return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"), None
    raise TypeError(
        "data must be bytes, str (JSON text), os.PathLike (a file) or a dict/list (a parsed "
        f"payload), not {_type_name(data)}"
    )


def _check_name(name: Optional[str]) -> str:
    if name is None:
        return "-"
    if not isinstance(name, str):
        raise TypeError(f"name must be a str or None, not {_type_name(name)}")
    return name


def validate(
    data: Data,
    *,
    contract: Optional[str] = None,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    pointer: Optional[str] = None,
    show_values: bool = False,
    name: Optional[str] = None,
    jobs: Optional[int] = None,
) -> Report:
    """Checks ``data`` and returns every finding with the summary.

    ``profile``: ``"default"`` or ``"strict"``. ``labels``/``channels``: the tenant's lists
    (IDs, or a list file as a path or bytes), as ``--labels``/``--channels``. ``pointer``: where
    the records are in a list response. ``name``: the ``file`` of findings for data in memory
    (default ``-``, as standard input). ``jobs``: threads for NDJSON (default: one per CPU,
    as the CLI's ``--jobs``); the findings are the same whatever it is.
    """
    validator = _validator(contract, profile, labels, channels, pointer, show_values)
    payload, path = _input(data)
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)):
        raise TypeError(f"jobs must be an int or None, not {_type_name(jobs)}")
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if path is not None:
        return validator.validate_path(path, jobs)
    assert payload is not None
    return validator.validate(payload, _check_name(name), jobs)


def is_valid(
    data: Data,
    *,
    contract: Optional[str] = None,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    pointer: Optional[str] = None,
) -> bool:
    """Whether ``data`` has no error (warnings allowed)."""
    return validate(
        data,
        contract=contract,
        profile=profile,
        labels=labels,
        channels=channels,
        pointer=pointer,
    ).is_valid()


def iter_findings(
    data: Data,
    *,
    contract: Optional[str] = None,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    pointer: Optional[str] = None,
    show_values: bool = False,
    name: Optional[str] = None,
) -> FindingIter:
    """The findings of ``data``, lazily, in input order.

    A file is read and checked by a worker thread that runs at most a bounded number of records
    ahead of the consumer, so a file of any size is streamed in constant memory; dropping the
    iterator stops the reading. ``.summary`` of the returned iterator holds the counts once it
    is exhausted.
    """
    validator = _validator(contract, profile, labels, channels, pointer, show_values)
    payload, path = _input(data)
    if path is not None:
        return validator.iter_path(path)
    assert payload is not None
    return validator.iter_bytes(payload, _check_name(name))


def assert_valid(
    payload: Data,
    *,
    contract: Optional[str] = None,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    pointer: Optional[str] = None,
    deny_warnings: bool = False,
) -> Report:
    """Raises ``AssertionError`` listing every finding when ``payload`` breaks the contract
    (errors, or warnings too with ``deny_warnings``); returns the report otherwise.

    Meant for contract tests: pytest shows the message, one finding a line.
    """
    report = validate(
        payload,
        contract=contract,
        profile=profile,
        labels=labels,
        channels=channels,
        pointer=pointer,
    )
    summary = report.summary
    if summary.errors or (deny_warnings and summary.warnings):
        lines = [
            f"the payload breaks the enquiry contract: {summary.errors} error(s), "
            f"{summary.warnings} warning(s) in {summary.records} record(s)"
        ]
        lines.extend(f"  {finding}" for finding in report.findings)
        raise AssertionError("\n".join(lines))
    return report


@dataclass(frozen=True)
class FakeData:
    """Fake records and the labels of the ones that carry a defect."""

    #: Each record's bytes, as one NDJSON line of ``enquiry fake`` (mutants may not be UTF-8).
    records: List[bytes]
    #: One ``{"record", "pointer", "code"}`` per mutant, as ``enquiry fake --manifest`` writes.
    manifest: List[Dict[str, Any]] = field(default_factory=list)

    def ndjson(self) -> bytes:
        """The records as NDJSON, exactly as ``enquiry fake`` writes them."""
        return b"".join(record + b"\n" for record in self.records)


def _rate(invalid_rate: Union[float, int, str]) -> str:
    if isinstance(invalid_rate, bool) or not isinstance(invalid_rate, (int, float, str)):
        raise TypeError(
            f"invalid_rate must be a number from 0 to 1 or a percentage string, not {_type_name(invalid_rate)}"
        )
    if isinstance(invalid_rate, str):
        return invalid_rate
    if not 0 <= invalid_rate <= 1:
        raise ValueError(f"invalid_rate must be from 0 to 1, not {invalid_rate!r}")
    return format(invalid_rate, ".6f")


def fake(
    count: int,
    seed: int = 0,
    *,
    invalid_rate: Union[float, int, str] = 0,
    contract: Optional[str] = None,
) -> FakeData:
    """``count`` deterministic fake records of ``seed`` (the same as ``enquiry fake --count
    COUNT --seed SEED --invalid-rate R``); a share ``invalid_rate`` (0 to 1, or ``"5%"``)
    carries exactly one labelled defect each."""
    for what, value in (("count", count), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{what} must be an int, not {_type_name(value)}")
        if not 0 <= value < 2**64:
            raise ValueError(f"{what} must be from 0 to 2**64 - 1, not {value}")
    if contract is not None and not isinstance(contract, str):
        raise TypeError(f"contract must be a str or None, not {_type_name(contract)}")
    records, labels = _native.fake(count, seed, _rate(invalid_rate), contract)
    manifest = [{"record": record, "pointer": pointer, "code": code} for record, pointer, code in labels]
    return FakeData(records=records, manifest=manifest)


def schema(contract: Optional[str] = None, strict: bool = False, draft: str = "2020-12") -> Dict[str, Any]:
    """The generated JSON Schema of a contract (``enquiry schema [--strict] [--draft D]``)."""
    if not isinstance(strict, bool):
        raise TypeError(f"strict must be a bool, not {_type_name(strict)}")
    if not isinstance(draft, str):
        raise TypeError(f"draft must be a str, not {_type_name(draft)}")
    if contract is not None and not isinstance(contract, str):
        raise TypeError(f"contract must be a str or None, not {_type_name(contract)}")
    result: Dict[str, Any] = json.loads(_native.schema(contract, strict, draft))
    return result


def _arrow_chunks(data: Any, column: str) -> List[Any]:
    import pyarrow as pa

    if isinstance(data, (pa.RecordBatch, pa.Table)):
        if not isinstance(column, str):
            raise TypeError(f"column must be a str, not {_type_name(column)}")
        names = data.schema.names
        if column not in names:
            raise ValueError(f"no column {column!r}; the columns are: {', '.join(names) or '(none)'}")
        values = data.column(column)
    elif isinstance(data, (pa.Array, pa.ChunkedArray)):
        values = data
    else:
        raise TypeError(
            "data must be a pyarrow.RecordBatch, pyarrow.Table, pyarrow.Array or "
            f"pyarrow.ChunkedArray, not {_type_name(data)}"
        )
    if isinstance(values, pa.ChunkedArray):
        return list(values.chunks)
    return [values]


def _findings_schema() -> "pyarrow.Schema":
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("row", pa.int64(), nullable=False),
            pa.field("pointer", pa.string(), nullable=False),
            pa.field("code", pa.string(), nullable=False),
            pa.field("severity", pa.string(), nullable=False),
            pa.field("line", pa.int64(), nullable=False),
            pa.field("column", pa.int64(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
            pa.field("expected", pa.string()),
            pa.field("suggestion", pa.string()),
        ]
    )


def validate_arrow(
    data: Any,
    column: str = "value",
    *,
    contract: Optional[str] = None,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    show_values: bool = False,
) -> "pyarrow.Table":
    """Checks each row of a string or binary column (JSON records) and returns a findings table,
    one row per finding: ``row`` (0-based row of the input), ``pointer``, ``code``,
    ``severity``, ``line`` and ``column`` (within the row's text), ``message``, ``expected``,
    ``suggestion``. Null rows are skipped.

    ``data`` is a ``pyarrow.RecordBatch`` or ``Table`` (``column`` names the column), or a
    ``pyarrow.Array``/``ChunkedArray``. The column crosses into Rust through the Arrow C data
    interface without a copy and without a Python object per row.
    """
    import pyarrow as pa

    validator = _validator(contract, profile, labels, channels, None, show_values)
    batches = []
    offset = 0
    for chunk in _arrow_chunks(data, column):
        schema_capsule, array_capsule = chunk.__arrow_c_array__()
        findings = validator.validate_arrow(schema_capsule, array_capsule, offset)
        batches.append(pa.record_batch(findings))
        offset += len(chunk)
    return pa.Table.from_batches(batches, schema=_findings_schema())
