"""Spark: a local[2] session validates fake records through mapInArrow; findings = manifest."""

from __future__ import annotations

import collections
import gzip
import os
import pathlib
import sys
from typing import Any, Iterator

import pyarrow.parquet as pq
import pytest

import enquiry_contract as ec

pytestmark = pytest.mark.spark

RECORDS = 4000


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("enquiry-contract-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_a_dataframe_of_fake_records_gives_its_manifest(spark: Any) -> None:
    from pyspark.sql.types import BinaryType, LongType, StructField, StructType

    from enquiry_contract.spark import validate_dataframe

    data = ec.fake(RECORDS, 31, invalid_rate=0.05)
    assert len(data.manifest) > 50
    schema = StructType([StructField("idx", LongType(), False), StructField("value", BinaryType(), True)])
    df = spark.createDataFrame([(i, bytearray(r)) for i, r in enumerate(data.records)], schema).repartition(3)
    findings = validate_dataframe(df, "value", keep=["idx"]).collect()
    found = sorted((row["idx"], row["pointer"], row["code"]) for row in findings)
    assert found == [(m["record"], m["pointer"], m["code"]) for m in data.manifest]
    assert all(row["severity"] == "error" and row["line"] >= 1 for row in findings)


def test_the_ndjson_gz_recipe_writes_findings_as_parquet(spark: Any, tmp_path: pathlib.Path) -> None:
    from pyspark.sql import functions as F

    from enquiry_contract.spark import validate_dataframe

    lake = tmp_path / "lake"
    lake.mkdir()
    expected: collections.Counter[str] = collections.Counter()
    for part in range(3):
        data = ec.fake(700, 40 + part, invalid_rate=0.04)
        # Lines Spark's text reader can hold: UTF-8 mutants only (a Latin-1 byte is one too many).
        lines = [r for r in data.records if _utf8(r)]
        dropped = {i for i, r in enumerate(data.records) if not _utf8(r)}
        expected.update(m["code"] for m in data.manifest if m["record"] not in dropped)
        with gzip.open(lake / f"part-{part}.ndjson.gz", "wb") as out:
            out.write(b"\n".join(lines) + b"\n\n")
    lines_df = (
        spark.read.text(str(lake / "*.ndjson.gz"))
        .withColumn("file", F.input_file_name())
        .where(F.length(F.trim("value")) > 0)
    )
    out = tmp_path / "findings"
    validate_dataframe(lines_df, "value", keep=["file"]).write.mode("overwrite").parquet(str(out))
    table = pq.read_table(out)
    assert collections.Counter(table.column("code").to_pylist()) == expected
    assert {pathlib.Path(f).name for f in table.column("file").to_pylist()} == {f"part-{p}.ndjson.gz" for p in range(3)}


def test_bad_dataframe_arguments(spark: Any) -> None:
    from enquiry_contract.spark import validate_dataframe

    df = spark.createDataFrame([("{}",)], ["value"])
    with pytest.raises(ValueError, match="no column 'json'"):
        validate_dataframe(df, "json")
    with pytest.raises(TypeError, match="df must be a pyspark.sql.DataFrame"):
        validate_dataframe([b"{}"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="labels must be a list of label IDs"):
        validate_dataframe(df, labels=pathlib.Path("labels.json"))


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
