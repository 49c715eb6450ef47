"""The config's retention: section: its return windows reach the retention mart; bad values are
refused naming the file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from reliability.config import ConfigError, load_config
from reliability.settings import DATA_DIR, Paths

BASE = "services:\n  - {name: a, team: t}\n"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reliability.yml"
    path.write_text(BASE + text)
    return path


def test_default_and_configured_windows(tmp_path: Path) -> None:
    assert load_config(_config(tmp_path, "")).return_days == (7, 28)
    cfg = load_config(_config(tmp_path, "retention:\n  return_days: [14, 3]\n"))
    assert cfg.return_days == (14, 3)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("retention: 7\n", "retention"),
        ("retention: {days: [7]}\n", "retention.days"),
        ("retention: {return_days: []}\n", "retention.return_days"),
        ("retention: {return_days: [7, 7]}\n", "retention.return_days"),
        ("retention: {return_days: [0]}\n", "retention.return_days"),
        ("retention: {return_days: [1.5]}\n", "retention.return_days"),
        ("retention: {return_days: 7}\n", "retention.return_days"),
    ],
)
def test_bad_retention_section_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.key == key and str(path) in str(err.value)


def test_configured_window_reaches_the_mart(tmp_path: Path) -> None:
    """A pipeline run with return_days [3] builds the mart with that window only."""
    from orchestration.pipeline import failure_messages, run_pipeline
    from reliability.demo import generate_demo

    config = tmp_path / "reliability.yml"
    config.write_text(
        (DATA_DIR / "reliability.yml")
        .read_text()
        .replace("folder: slos", f"folder: {DATA_DIR / 'slos'}")
        + "\nretention:\n  return_days: [3]\n"
    )
    p = Paths(landing=tmp_path / "landing", warehouse=tmp_path / "w.duckdb", config=config)
    generate_demo(p.landing, weeks=2, end=date(2026, 11, 23), seed=7, scale=0.02)
    result = run_pipeline(p)
    assert result.success, failure_messages(result)
    with duckdb.connect(str(p.warehouse), read_only=True) as con:
        windows = con.execute(
            "SELECT DISTINCT return_window_days FROM marts.journey_retention_weekly"
        ).fetchall()
    assert windows == [(3,)]
