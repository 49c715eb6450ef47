"""A local Spark session configured like dbt's `spark` target, to read what dbt built.

dbt-spark (`method: session`) runs Spark inside the dbt process, with a Hive metastore (Derby,
under RELIABILITY_SPARK_DIR) so the tables outlive that process. Another process (tests,
benchmarks, a notebook) opens the same metastore with `local_session` once dbt has finished:
embedded Derby admits one process at a time.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def java_available() -> bool:
    """True when a `java` executable is on PATH (Spark needs Java 17 or newer)."""
    return shutil.which("java") is not None


def session_config(spark_dir: Path, master: str = "local[2]") -> dict[str, str]:
    """The Spark settings of profiles.yml's spark target for `spark_dir`."""
    spark_dir = Path(spark_dir).resolve()
    return {
        "spark.master": master,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.ansi.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def local_session(spark_dir: Path, master: str = "local[2]") -> Any:
    """A SparkSession on the metastore and warehouse that dbt's spark target used."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("reliability-read").enableHiveSupport()
    for key, value in session_config(spark_dir, master).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_table(spark: Any, relation: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of `relation`; timestamps as microseconds since the epoch (UTC),
    so no Python local time zone is involved."""
    df = spark.table(relation)
    exprs = []
    for field in df.schema.fields:
        name = f"`{field.name}`"
        if field.dataType.typeName() in ("timestamp", "timestamp_ntz"):
            exprs.append(f"unix_micros(cast({name} as timestamp)) as {name}")
        else:
            exprs.append(name)
    rows = df.selectExpr(*exprs).collect()
    kinds = {f.name: f.dataType.typeName() for f in df.schema.fields}
    return [f.name for f in df.schema.fields], [
        tuple(_spark_value(v, kinds[n]) for n, v in zip(row.__fields__, row, strict=True))
        for row in rows
    ]


def _spark_value(value: Any, kind: str) -> Any:
    if value is None or kind not in ("timestamp", "timestamp_ntz"):
        return value
    from datetime import datetime, timedelta

    return datetime(1970, 1, 1) + timedelta(microseconds=value)
