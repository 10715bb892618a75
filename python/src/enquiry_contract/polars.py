"""Polars: validate a DataFrame's column of JSON records (the thin path over Arrow).

    import polars as pl
    from enquiry_contract.polars import validate_frame

    frame = pl.read_ndjson(...)  # or pl.scan_csv(...).collect(), any frame with a text column
    findings = validate_frame(frame, "value")   # a polars.DataFrame, one row per finding

Polars hands the column to :func:`enquiry_contract.validate_arrow` as an Arrow array (no copy
for string columns), so nothing here touches a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ListArg, validate_arrow

if TYPE_CHECKING:
    import polars

__all__ = ["validate_frame"]


def validate_frame(
    frame: "polars.DataFrame",
    column: str = "value",
    *,
    profile: str = "default",
    labels: ListArg = None,
    channels: ListArg = None,
    show_values: bool = False,
) -> "polars.DataFrame":
    """The findings of ``frame[column]`` (string or binary), as ``validate_arrow`` gives them."""
    import polars as pl

    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"frame must be a polars.DataFrame, not {type(frame).__name__}")
    if not isinstance(column, str):
        raise TypeError(f"column must be a str, not {type(column).__name__}")
    if column not in frame.columns:
        raise ValueError(f"no column {column!r}; the columns are: {', '.join(frame.columns)}")
    values: Any = frame.get_column(column).to_arrow()
    table = validate_arrow(values, profile=profile, labels=labels, channels=channels, show_values=show_values)
    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    return result
