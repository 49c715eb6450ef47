"""`reliability dora`: formatting, arguments, a missing warehouse, and the demo warehouse."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reliability.cli import dora
from reliability.settings import WAREHOUSE_VAR, Paths


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="reliability")
    dora.register(root.add_subparsers(dest="command", required=True))
    return root


def weekly_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "week_start": date(2026, 3, 2), "deployments": 12, "deployment_frequency_per_day": 12 / 7,
        "deploy_days": 5, "lead_time_median_minutes": 45.0, "lead_time_p90_minutes": 1500.0,
        "change_fail_rate": 1 / 12, "failed_deployment_recovery_median_minutes": 95.0,
        "time_to_restore_median_minutes": 3 * 1440.0, "rework_rate": 0.0, "incidents": 2,
        "open_incidents": 1, "deployment_frequency_band_4w": "elite",
        "lead_time_band_4w": "elite", "change_fail_rate_band_4w": "high",
        "failed_deployment_recovery_band_4w": "high", "band_report_year": 2023,
    }
    return row | overrides


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, "-"), (0.0, "0 min"), (45.4, "45 min"), (89.4, "89 min"), (90.0, "1.5 h"),
     (47 * 60, "47.0 h"), (48 * 60, "2.0 d"), (-30.0, "-30 min")],
)
def test_format_duration(minutes: float | None, text: str) -> None:
    assert dora.format_duration(minutes) == text


def test_format_percent_and_number() -> None:
    assert dora.format_percent(None) == "-"
    assert dora.format_percent(1 / 12) == "8.3%"
    assert dora.format_number(12 / 7, 2) == "1.71"
    assert dora.format_number(None) == "-"


def test_table_has_units_aligned_columns_and_quiet_weeks() -> None:
    quiet = weekly_row(
        week_start=date(2026, 3, 9), deployments=0, deployment_frequency_per_day=0.0,
        deploy_days=0, lead_time_median_minutes=None, lead_time_p90_minutes=None,
        change_fail_rate=None, failed_deployment_recovery_median_minutes=None,
        time_to_restore_median_minutes=None, rework_rate=None, incidents=0, open_incidents=0,
    )
    text = dora.format_weekly_table([weekly_row(), quiet], "DORA metrics, everything")
    lines = text.splitlines()
    header, rule, busy_line, quiet_line = lines[2:6]
    for unit in ("deploys/day", "lead time p50", "change fail %", "rework %", "freq band"):
        assert unit in header
    assert busy_line.split() == [
        "2026-03-02", "12", "1.71", "5", "45", "min", "25.0", "h", "8.3%", "1.6", "h", "3.0", "d",
        "0.0%", "2", "(1)", "elite", "elite", "high", "high",
    ]
    assert quiet_line.split()[:4] == ["2026-03-09", "0", "0.00", "0"]
    assert quiet_line.split()[4:10] == ["-"] * 6
    # every column starts at the same offset on every line
    starts = [i for i, ch in enumerate(rule) if ch == "-" and (i == 0 or rule[i - 1] == " ")]
    assert len(starts) == len(dora.COLUMNS)
    assert "DORA 2023 report" in text


def test_arguments() -> None:
    args = parser().parse_args(["dora", "--weeks", "3", "--team", "growth"])
    assert (args.weeks, args.team, args.service, args.func) == (3, "growth", None, dora.cmd_dora)
    assert dora.scope_of(args) == ("team", "growth")
    assert dora.scope_of(parser().parse_args(["dora"])) == ("all", "all")
    assert parser().parse_args(["dora"]).weeks == dora.DEFAULT_WEEKS
    with pytest.raises(SystemExit):
        parser().parse_args(["dora", "--service", "a", "--team", "b"])
    with pytest.raises(SystemExit):
        parser().parse_args(["dora", "--weeks", "0"])


def test_missing_warehouse_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(WAREHOUSE_VAR, str(tmp_path / "nowhere.duckdb"))
    args = parser().parse_args(["dora"])
    assert args.func(args) == 2
    assert "No warehouse at" in capsys.readouterr().err


def test_prints_the_demo_warehouse(demo_paths: Paths, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(WAREHOUSE_VAR, str(demo_paths.warehouse))
    before = demo_paths.warehouse.stat().st_mtime_ns
    args = parser().parse_args(["dora", "--weeks", "2", "--service", "checkout-api"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "service checkout-api, last 2 week(s)" in out
    rows = dora.fetch_weeks(demo_paths.warehouse, "service", "checkout-api", 2)
    assert [str(r["week_start"]) for r in rows] == [
        line.split()[0] for line in out.splitlines()[4:6]
    ]
    assert demo_paths.warehouse.stat().st_mtime_ns == before  # opened read-only


def test_unknown_service_lists_known_ones(demo_paths: Paths, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(WAREHOUSE_VAR, str(demo_paths.warehouse))
    args = parser().parse_args(["dora", "--service", "no-such-service"])
    assert args.func(args) == 1
    assert "checkout-api" in capsys.readouterr().err
