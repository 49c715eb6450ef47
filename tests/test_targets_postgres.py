"""Replacing a raw table in PostgreSQL twice keeps the views that depend on it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from local_postgres import local_postgres, missing_programs

from reliability.engines import postgres


@pytest.mark.skipif(bool(missing_programs()), reason="PostgreSQL server programs not installed")
def test_replace_table_twice_keeps_dependent_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.config_services AS SELECT 'a' AS service, 't' AS team")
    with local_postgres() as server:
        for key, value in server.env.items():
            monkeypatch.setenv(key, value)
        with postgres.connect() as pg:
            assert postgres.replace_table(con, pg, "config_services") == 1
            with pg.cursor() as cur:
                cur.execute("CREATE SCHEMA staging")
                cur.execute("CREATE VIEW staging.v AS SELECT service FROM raw.config_services")
            pg.commit()
            con.execute("INSERT INTO raw.config_services VALUES ('b', 't')")
            assert postgres.replace_table(con, pg, "config_services") == 2  # second run
            with pg.cursor() as cur:
                cur.execute("SELECT count(*) FROM staging.v")
                assert cur.fetchone()[0] == 2
