"""Burn-rate factors and rates (reference values of metrics.md), the policy and the gate logic."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from reliability.cli.slo import (
    GateError,
    SloStatus,
    budget_bar,
    format_status,
    gate_exit_code,
    read_status,
)
from reliability.slo import SloSettings, burn_factor, burn_rate, decide
from reliability.slo.policy import DEFAULT_ALERT_WINDOWS


@pytest.mark.parametrize(
    ("period_days", "expected"),
    [(30, [14.4, 6, 3, 1]), (28, [13.44, 5.6, 2.8, 0.9333])],
)
def test_burn_factors_by_formula(period_days: int, expected: list[float]) -> None:
    factors = [
        burn_factor(w.budget_fraction, period_days * 24, w.long_window_minutes / 60)
        for w in DEFAULT_ALERT_WINDOWS
    ]
    assert factors == pytest.approx(expected, abs=5e-5)


def test_seven_day_period_with_three_day_window_is_under_one() -> None:
    assert burn_factor(0.10, 7 * 24, 72) == pytest.approx(0.2333, abs=5e-5)


def test_burn_rate_reference_values() -> None:
    assert burn_rate(5, 10, 0.99) == pytest.approx(50)  # 5 good + 5 bad at 99%
    assert burn_rate(9, 1000, 0.99) == pytest.approx(0.9)  # SLI 0.991
    assert burn_rate(3556, 7112, 0.9) == pytest.approx(5)
    assert burn_rate(0, 0, 0.99) is None  # no data
    assert burn_rate(1, 10, 1.0) is None  # 100% target: no division by zero


def test_policy_decisions() -> None:
    s = SloSettings(folder=Path("."))
    assert decide(0.5, False, True, 10, s) == "ship"
    assert decide(0.25, False, True, 10, s) == "caution"
    assert decide(0.0, True, True, 10, s) == "freeze"
    assert decide(-49, True, True, 0.1, s) == "freeze"
    assert decide(0, False, True, 0, s) == "caution"  # 100% target, no bad events
    assert decide(None, True, True, 0, s) == "freeze"  # 100% target, first bad event
    assert decide(None, False, False, 0, s) == "no_data"


def _status(slo_id: str, decision: str, remaining: float | None, at: datetime) -> SloStatus:
    return SloStatus(slo_id, slo_id, 0.99, 0.99, remaining, 432.0,
                     None if remaining is None else remaining * 432, decision, "why", at)


def test_gate_exit_codes() -> None:
    now = datetime(2026, 11, 23, 6)
    fresh = now - timedelta(hours=1)
    ok = _status("a", "ship", 0.6, fresh)
    low = _status("b", "caution", 0.1, fresh)
    frozen = _status("c", "freeze", -0.5, fresh)
    day = timedelta(hours=24)
    assert gate_exit_code([ok, low], [], now, day)[0] == 0
    assert gate_exit_code([ok, frozen], [], now, day)[0] == 1
    assert gate_exit_code([ok, frozen], ["a"], now, day)[0] == 0
    code, msgs = gate_exit_code([ok], ["zzz"], now, day)
    assert code == 2 and "SLO not found: zzz" in msgs[0]
    stale = _status("d", "ship", 0.6, now - timedelta(hours=30))
    code, msgs = gate_exit_code([stale], [], now, day)
    assert code == 2 and "stale" in msgs[0]
    assert msgs[-1].endswith("--max-age 30")  # says what to fix
    assert gate_exit_code([stale], [], now, timedelta(hours=48))[0] == 0
    code, msgs = gate_exit_code([_status("e", "no_data", None, fresh)], [], now, day)
    assert code == 2 and "no data" in msgs[0]
    assert gate_exit_code([], [], now, day)[0] == 2


def test_budget_bar_and_counter() -> None:
    assert budget_bar(0.5, width=10) == "[#####.....]"
    assert budget_bar(-3, width=4) == "[....]" and budget_bar(2, width=4) == "[####]"
    assert budget_bar(None, width=3) == "[???]"
    text = format_status(_status("a", "caution", 0.1, datetime(2026, 1, 1)))
    assert "10% left" in text and "43.2 of 432.0 min" in text and "CAUTION" in text


def test_missing_warehouse_is_exit_two(tmp_path: Path) -> None:
    with pytest.raises(GateError, match="warehouse not found"):
        read_status(tmp_path / "none.duckdb")
