"""The documented example questions (docs/querying.md) run against the demo serving copy."""

from __future__ import annotations

import re

import duckdb
import pytest
import sqlalchemy as sa

from reliability.serving import SERVING_FILE
from reliability.settings import PROJECT_ROOT, Paths


def readme_queries() -> list[str]:
    text = (PROJECT_ROOT / "docs" / "querying.md").read_text()
    return re.findall(r"```sql\n(-- question \d.*?)```", text, flags=re.S)


def test_readme_has_five_questions() -> None:
    assert len(readme_queries()) == 5


@pytest.mark.parametrize("number", range(1, 6))
def test_readme_question_runs_on_demo_serving_copy(demo_paths: Paths, number: int) -> None:
    query = readme_queries()[number - 1]
    path = demo_paths.serving / SERVING_FILE
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(query).fetchall()
    if number in (2, 3, 4, 5):  # the demo data always answers these with rows
        assert rows, f"question {number} returned nothing on the demo data"


def test_sqlalchemy_read_only_connection_string(demo_paths: Paths) -> None:
    path = demo_paths.serving / SERVING_FILE
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from dora_weekly")).scalar() > 0
        with pytest.raises(Exception, match="read-only"):
            conn.execute(sa.text("delete from dora_weekly"))
    engine.dispose()
