"""The `slo:` section: counting rules, the error budget policy and the burn-rate alert windows.

Every key is optional; SloSettings is what the SLO tables and the gate use (the SLO folder
resolved against the config file's folder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainValidator, model_validator

from reliability.config.types import Routes, Section, Text, expect, number, one_of, problem

EMPTY_SLICE_RULES = ("good", "bad", "skip")


@dataclass(frozen=True)
class AlertWindow:
    """A multi-window multi-burn-rate rule: fires when both windows burn faster than the factor."""

    severity: str
    budget_fraction: float
    long_window_minutes: int
    short_window_minutes: int

    @property
    def name(self) -> str:
        long, short = _label(self.long_window_minutes), _label(self.short_window_minutes)
        return f"{self.severity}_{long}_{short}"


# Google SRE workbook, "Alerting on SLOs" (budget spent, long window, short window).
DEFAULT_ALERT_WINDOWS = (
    AlertWindow("page", 0.02, 60, 5),
    AlertWindow("page", 0.05, 360, 30),
    AlertWindow("ticket", 0.10, 1440, 120),
    AlertWindow("ticket", 0.10, 4320, 360),
)
# The look-back windows slo_burn_rates reports.
BURN_RATE_WINDOWS = (5, 30, 60, 120, 360, 1440, 4320)


@dataclass(frozen=True)
class SloSettings:
    """Validated `slo:` section of RELIABILITY_CONFIG."""

    folder: Path
    bad_status_ranges: tuple[tuple[int, int], ...] = ((500, 599),)
    excluded_statuses: tuple[int, ...] = (429,)
    excluded_routes: tuple[str, ...] = ("/healthz",)
    empty_slice: str = "good"
    caution_at_or_below: float = 0.25
    freeze_at_or_below: float = 0.0
    postmortem_budget_fraction: float = 0.20
    alert_windows: tuple[AlertWindow, ...] = field(default=DEFAULT_ALERT_WINDOWS)

    def is_bad_status(self, status: int) -> bool:
        return any(lo <= status <= hi for lo, hi in self.bad_status_ranges)


def _label(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _status_ranges(value: Any) -> tuple[tuple[int, int], ...]:
    out = []
    for item in value if isinstance(value, list) else [value]:
        lo_text, _, hi_text = str(item).strip().partition("-")
        try:
            lo, hi = int(lo_text), int(hi_text or lo_text)
        except ValueError:
            raise problem("statuses or ranges like 500-599") from None
        if not 100 <= lo <= hi <= 599:
            raise problem("codes within 100..599")
        out.append((lo, hi))
    return tuple(out)


def _statuses(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in value
    ):
        raise ValueError
    return tuple(value)


Fraction = Annotated[float, number("a fraction between 0 and 1", lambda v: 0 <= v <= 1)]
PositiveFraction = Annotated[float, number("a fraction between 0 and 1", lambda v: 0 < v <= 1)]

_DURATION = re.compile(r"^([1-9][0-9]*)([mhd])$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


def _window_minutes(value: Any) -> int:
    m = _DURATION.match(value) if isinstance(value, str) else None
    if not m:
        raise problem("a duration like 5m, 1h, 3d")
    minutes = int(m.group(1)) * _UNIT_MINUTES[m.group(2)]
    if minutes not in BURN_RATE_WINDOWS:
        raise problem("one of 5m, 30m, 1h, 2h, 6h, 1d, 3d")
    return minutes


Window = Annotated[int, PlainValidator(_window_minutes)]


class Exclusions(Section):
    """Requests that count for no SLO."""

    statuses: Annotated[tuple[int, ...], expect("a list of HTTP statuses", _statuses)] = (429,)
    routes: Routes = ("/healthz",)


class Timeslices(Section):
    empty_slice: Annotated[
        Literal["good", "bad", "skip"], one_of(*EMPTY_SLICE_RULES, expected=
                                                f"one of {EMPTY_SLICE_RULES}")
    ] = "good"


class Policy(Section):
    """The error budget policy: ship, caution or freeze by the remaining budget fraction."""

    caution_at_or_below: Fraction = 0.25
    freeze_at_or_below: Annotated[float, number("a number at or below caution_at_or_below")] = 0.0
    postmortem_budget_fraction: PositiveFraction = 0.20

    @model_validator(mode="after")
    def _freeze_below_caution(self) -> Policy:
        if self.freeze_at_or_below > self.caution_at_or_below:
            raise problem("a number at or below caution_at_or_below", ("freeze_at_or_below",))
        return self


class AlertWindowRule(Section):
    """One `alert_windows` entry: {severity, budget_fraction, long, short}."""

    severity: Annotated[str, one_of("page", "ticket")]
    budget_fraction: PositiveFraction
    long: Window
    short: Window

    @model_validator(mode="after")
    def _short_under_long(self) -> AlertWindowRule:
        if self.short >= self.long:
            raise problem("a window shorter than the long one", ("short",))
        return self

    def window(self) -> AlertWindow:
        return AlertWindow(self.severity, self.budget_fraction, self.long, self.short)


def _alert_list(value: Any) -> Any:
    if value is not None and (not isinstance(value, list) or not value):
        raise problem("a list of {severity, budget_fraction, long, short}")
    return value


class SloSection(Section):
    """`slo:` (every key optional; the defaults are the values of data/reliability.yml)."""

    folder: Text = "slos"
    bad_statuses: Annotated[
        tuple[tuple[int, int], ...], PlainValidator(_status_ranges)
    ] = ((500, 599),)
    exclusions: Exclusions = Exclusions()
    timeslices: Timeslices = Timeslices()
    policy: Policy = Policy()
    alert_windows: Annotated[
        tuple[AlertWindowRule, ...] | None, BeforeValidator(_alert_list)
    ] = None

    @model_validator(mode="after")
    def _distinct_alert_windows(self) -> SloSection:
        names = [r.window().name for r in self.alert_windows or ()]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise problem(f"each window (severity, long, short) once, not twice: {dupes}",
                          ("alert_windows",))
        return self

    def settings(self, config_dir: Path) -> SloSettings:
        """The SloSettings, with the SLO folder resolved against `config_dir`."""
        folder = Path(self.folder).expanduser()
        return SloSettings(
            folder=folder if folder.is_absolute() else config_dir / folder,
            bad_status_ranges=self.bad_statuses,
            excluded_statuses=self.exclusions.statuses,
            excluded_routes=self.exclusions.routes,
            empty_slice=self.timeslices.empty_slice,
            caution_at_or_below=self.policy.caution_at_or_below,
            freeze_at_or_below=self.policy.freeze_at_or_below,
            postmortem_budget_fraction=self.policy.postmortem_budget_fraction,
            alert_windows=(
                DEFAULT_ALERT_WINDOWS
                if self.alert_windows is None
                else tuple(r.window() for r in self.alert_windows)
            ),
        )
