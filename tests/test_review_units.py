"""Small pure helpers of the review: ISO weeks, number formats, settings, charts, the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.automation.weekly_review import build_weekly_schedule
from reliability.config import ConfigError, load_config
from reliability.review import formatting as f
from reliability.review.charts import sparkline, trend_chart
from reliability.review.render import overall_decision
from reliability.review.settings import ReviewSettings, review_settings
from reliability.review.weeks import parse_week, week_just_closed, week_label
from reliability.settings import CONFIG_VAR, DEFAULTS


def test_iso_week_labels_round_trip() -> None:
    assert week_label(date(2026, 11, 16)) == "2026-W47"
    assert week_label(date(2026, 11, 22)) == "2026-W47"  # Sunday: same week
    assert parse_week("2026-W47") == date(2026, 11, 16)
    assert week_label(date(2021, 1, 3)) == "2020-W53"  # ISO year differs from the calendar year
    assert parse_week("2020-W53") == date(2020, 12, 28)
    for bad in ("2026-47", "2026-W7", "2025-W53", "W47"):
        with pytest.raises(ValueError):
            parse_week(bad)


def test_week_just_closed_uses_the_local_day() -> None:
    # Monday 06:00 in Berlin is 05:00 UTC: the week just closed is the one before that Monday.
    monday_berlin = datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert week_just_closed(monday_berlin, "Europe/Berlin") == date(2026, 11, 16)
    # Sunday 23:30 UTC is already Monday in Tokyo.
    sunday_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert week_just_closed(sunday_utc, "UTC") == date(2026, 11, 9)
    assert week_just_closed(sunday_utc, "Asia/Tokyo") == date(2026, 11, 16)


def test_number_formats_carry_units() -> None:
    assert f.count(1234.4, "deployments") == "1,234 deployments"
    assert f.signed_count(-3) == "-3"
    assert f.percent(0.55913) == "55.9%"
    assert f.percent(0.993612, 2) == "99.36%"
    assert f.points(-0.0123) == "-1.2 pts"
    assert f.money(36742.48, "EUR") == "36,742 EUR"
    assert f.signed_money(3314.2, "EUR") == "+3,314 EUR"
    assert f.duration(45) == "45 min"
    assert f.duration(312) == "5.2 h"
    assert f.duration(4113) == "2.9 days"
    assert f.duration(-24, signed=True) == "-24 min"
    assert f.per_day(5.2857) == "5.3 per day"
    assert f.metric_value("rate", None) == f.NO_DATA
    assert f.metric_change("sli", 0.0139) == "+1.39 pts"
    assert f.day(date(2026, 11, 16)) == "16 Nov 2026"


def test_sparkline_text_scales_between_min_and_max() -> None:
    assert f.sparkline_text([1, 2, None, 3]) == "▁▅ █"
    assert f.sparkline_text([2, 2]) == "▁▁"
    assert f.sparkline_text([None]) == ""


def test_svg_charts_are_inline_and_labelled() -> None:
    svg = sparkline([1, 3, None, 2], "lead time")
    assert svg.startswith("<svg") and 'aria-label="lead time"' in svg and "<polyline" in svg
    chart = trend_chart(
        ["2026-W46", "2026-W47"],
        [
            ("Revenue", [10.0, 20.0], lambda v: f.money(v, "EUR"), "bar"),
            ("Rate", [0.5, None], lambda v: f.percent(v), "line"),
        ],
        "trend",
    )
    assert chart.count("<rect") == 2 and "max 20 EUR" in chart and "W47" in chart
    assert "http" not in chart.replace("http://www.w3.org/2000/svg", "")


def test_overall_decision_is_the_strictest() -> None:
    assert overall_decision([]) is None
    assert overall_decision([{"decision": "ship"}, {"decision": "caution"}]) == "caution"
    assert overall_decision([{"decision": "freeze"}, {"decision": "no_data"}]) == "freeze"


def _config(tmp_path: Path, review: str) -> Path:
    base = DEFAULTS[CONFIG_VAR].read_text()
    base = base.split("\nreview:")[0] + "\n" if "\nreview:" in base else base
    path = tmp_path / "reliability.yml"
    path.write_text(base.split("# The weekly review")[0] + review)
    return path


def test_review_settings_defaults_and_errors(tmp_path: Path) -> None:
    assert review_settings(load_config(_config(tmp_path, ""))) == ReviewSettings()
    cfg = load_config(
        _config(tmp_path, "review:\n  timezone: America/New_York\n  baseline_weeks: 2\n")
    )
    s = review_settings(cfg)
    assert (s.timezone, s.baseline_weeks, s.pattern_weeks) == ("America/New_York", 2, 8)
    for bad, key in (
        ("timezone: Mars/Olympus", "review.timezone"),
        ("baseline_weeks: 0", "review.baseline_weeks"),
        ("latency_threshold_ms: -5", "review.latency_threshold_ms"),
    ):
        with pytest.raises(ConfigError, match=key):
            review_settings(load_config(_config(tmp_path, f"review:\n  {bad}\n")))


def test_repository_config_sets_the_schedule_time_zone() -> None:
    assert review_settings(load_config(DEFAULTS[CONFIG_VAR])).timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("tz", "tick", "week"),
    [
        (
            "Europe/Berlin",
            datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Europe/Berlin")),
            "2026-W47",
        ),
        ("UTC", datetime(2026, 1, 5, 6, 0, tzinfo=UTC), "2026-W01"),
        ("UTC", datetime(2027, 1, 4, 6, 0, tzinfo=UTC), "2026-W53"),
    ],
)
def test_schedule_requests_the_week_just_closed(tz: str, tick: datetime, week: str) -> None:
    from orchestration.assets.review import build_weekly_review_page, weekly_partitions

    job = dg.define_asset_job("job", selection=dg.AssetSelection.all())
    schedule = build_weekly_schedule(job, tz)
    assert schedule.cron_schedule == "0 6 * * 1" and schedule.execution_timezone == tz
    page = build_weekly_review_page(weekly_partitions(timezone=tz))
    repo = dg.Definitions(
        assets=[page], jobs=[job], schedules=[schedule], resources={"warehouse": object()}
    ).get_repository_def()
    request = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repo)
    )
    (run,) = request.run_requests
    assert run.run_key == week and run.tags["review_week"] == week
    # the page's partition of that week: its Monday
    assert run.partition_key == parse_week(week).isoformat()


def test_code_location_schedule_names_the_week() -> None:
    from orchestration.assets.review import PAGE_KEY
    from orchestration.definitions import defs as load_defs

    defs = load_defs()

    schedule = defs.resolve_schedule_def("weekly_review")
    assert schedule.execution_timezone == "Europe/Berlin"
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    (run,) = schedule.evaluate_tick(
        dg.build_schedule_context(
            scheduled_execution_time=monday, repository_def=defs.get_repository_def()
        )
    ).run_requests
    assert run.partition_key == "2026-11-16"  # the Monday of 2026-W47
    page = defs.resolve_assets_def(PAGE_KEY)
    assert run.partition_key in page.partitions_def.get_partition_keys(monday)
    assert run.job_name == "reliability_everything" or run.job_name is None


def test_page_asset_on_an_empty_warehouse_writes_nothing_and_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.assets.review import week_run_config, weekly_review_page
    from orchestration.resources import WarehouseResource

    monkeypatch.setenv("RELIABILITY_REPORTS", str(tmp_path / "reports"))
    warehouse = WarehouseResource(
        warehouse_path=str(tmp_path / "w" / "reliability.duckdb"),
        landing_path=str(tmp_path / "landing"),
        config_path=str(DEFAULTS[CONFIG_VAR]),
    )
    result = dg.materialize([weekly_review_page], resources={"warehouse": warehouse})
    assert result.success
    (mat,) = result.asset_materializations_for_node("reports__weekly_review")
    assert mat.metadata["week"].value == "none"
    assert not (tmp_path / "reports").exists()
    # an explicit week without data is an error that names the problem
    failed = dg.materialize(
        [weekly_review_page],
        resources={"warehouse": warehouse},
        run_config=week_run_config("2026-W47"),
        raise_on_error=False,
    )
    assert not failed.success
