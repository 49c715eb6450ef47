"""The `slo:` section of the config, burn-rate alert factors and the error budget policy.

The SQL marts compute the same formulas (dbt_project/macros/slo/); these pure functions are the
reference the gate and the tests use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import LIKE_PATTERNS, ConfigError, check_route_patterns
from .openslo import parse_duration_minutes

DECISIONS = ("ship", "caution", "freeze", "no_data")
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


def burn_factor(budget_fraction: float, period_hours: float, long_window_hours: float) -> float:
    """factor = budget fraction x period hours / long-window hours (28d, 2%, 1h -> 13.44)."""
    return budget_fraction * period_hours / long_window_hours


def burn_rate(bad: int, valid: int, target: float) -> float | None:
    """(bad / valid) / (1 - target); None without valid events or with a 100% target."""
    if valid <= 0 or target >= 1:
        return None
    return (bad / valid) / (1 - target)


def decide(
    remaining_fraction: float | None,
    is_exhausted: bool,
    has_data: bool,
    budget_events: float,
    settings: SloSettings,
) -> str:
    """ship / caution / freeze / no_data from the remaining budget (the policy)."""
    if not has_data:
        return "no_data"
    if is_exhausted or (
        budget_events > 0
        and remaining_fraction is not None
        and remaining_fraction <= settings.freeze_at_or_below
    ):
        return "freeze"
    if remaining_fraction is None or remaining_fraction <= settings.caution_at_or_below:
        return "caution"
    return "ship"


def _status_ranges(path: Path, value: Any) -> tuple[tuple[int, int], ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        text = str(item).strip()
        lo_text, _, hi_text = text.partition("-")
        try:
            lo, hi = int(lo_text), int(hi_text or lo_text)
        except ValueError:
            raise ConfigError(
                path, "slo.bad_statuses", "statuses or ranges like 500-599", item
            ) from None
        if not 100 <= lo <= hi <= 599:
            raise ConfigError(path, "slo.bad_statuses", "codes within 100..599", item)
        out.append((lo, hi))
    return tuple(out)


def _fraction(path: Path, key: str, value: Any, *, allow_zero: bool = True) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not ((value >= 0 if allow_zero else value > 0) and value <= 1)
    ):
        raise ConfigError(path, key, "a fraction between 0 and 1", value)
    return float(value)


def _alert_windows(path: Path, value: Any) -> tuple[AlertWindow, ...]:
    if value is None:
        return DEFAULT_ALERT_WINDOWS
    if not isinstance(value, list) or not value:
        raise ConfigError(
            path, "slo.alert_windows", "a list of {severity, budget_fraction, long, short}", value
        )
    out = []
    for i, item in enumerate(value):
        key = f"slo.alert_windows[{i}]"
        if not isinstance(item, dict) or item.get("severity") not in ("page", "ticket"):
            raise ConfigError(path, f"{key}.severity", "page or ticket", item)
        minutes = []
        for part in ("long", "short"):
            try:
                n, unit = parse_duration_minutes(item.get(part))
                minutes.append(n * {"m": 1, "h": 60, "d": 1440}[unit])
            except (ValueError, KeyError):
                raise ConfigError(
                    path, f"{key}.{part}", "a duration like 5m, 1h, 3d", item.get(part)
                ) from None
        for part, m in zip(("long", "short"), minutes, strict=True):
            if m not in BURN_RATE_WINDOWS:
                raise ConfigError(
                    path, f"{key}.{part}", "one of 5m, 30m, 1h, 2h, 6h, 1d, 3d", item.get(part)
                )
        if minutes[1] >= minutes[0]:
            raise ConfigError(
                path, f"{key}.short", "a window shorter than the long one", item.get("short")
            )
        out.append(
            AlertWindow(
                item["severity"],
                _fraction(
                    path, f"{key}.budget_fraction", item.get("budget_fraction"), allow_zero=False
                ),
                minutes[0],
                minutes[1],
            )
        )
    return tuple(out)


def load_slo_settings(config_path: Path, raw: dict[str, Any]) -> SloSettings:
    """The `slo:` section (all keys optional); the SLO folder is relative to the config file."""
    section = raw.get("slo") or {}
    if not isinstance(section, dict):
        raise ConfigError(config_path, "slo", "a mapping", section)
    folder = Path(section.get("folder", "slos"))
    if not folder.is_absolute():
        folder = config_path.parent / folder
    excluded = section.get("exclusions") or {}
    if not isinstance(excluded, dict):
        raise ConfigError(config_path, "slo.exclusions", "a mapping {statuses, routes}", excluded)
    statuses = excluded.get("statuses", [429])
    if not isinstance(statuses, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statuses
    ):
        raise ConfigError(
            config_path, "slo.exclusions.statuses", "a list of HTTP statuses", statuses
        )
    routes = excluded.get("routes", ["/healthz"])
    if not isinstance(routes, list) or not all(isinstance(r, str) and r for r in routes):
        raise ConfigError(config_path, "slo.exclusions.routes", LIKE_PATTERNS, routes)
    check_route_patterns(config_path, "slo.exclusions.routes", routes)
    slices = section.get("timeslices") or {}
    empty = slices.get("empty_slice", "good") if isinstance(slices, dict) else None
    if empty not in EMPTY_SLICE_RULES:
        raise ConfigError(
            config_path, "slo.timeslices.empty_slice", f"one of {EMPTY_SLICE_RULES}", empty
        )
    policy = section.get("policy") or {}
    if not isinstance(policy, dict):
        raise ConfigError(config_path, "slo.policy", "a mapping", policy)
    caution = _fraction(
        config_path, "slo.policy.caution_at_or_below", policy.get("caution_at_or_below", 0.25)
    )
    freeze = policy.get("freeze_at_or_below", 0.0)
    if isinstance(freeze, bool) or not isinstance(freeze, int | float) or not freeze <= caution:
        raise ConfigError(
            config_path,
            "slo.policy.freeze_at_or_below",
            "a number at or below caution_at_or_below",
            freeze,
        )
    return SloSettings(
        folder=folder,
        bad_status_ranges=_status_ranges(config_path, section.get("bad_statuses", ["500-599"])),
        excluded_statuses=tuple(statuses),
        excluded_routes=tuple(routes),
        empty_slice=empty,
        caution_at_or_below=caution,
        freeze_at_or_below=float(freeze),
        postmortem_budget_fraction=_fraction(
            config_path,
            "slo.policy.postmortem_budget_fraction",
            policy.get("postmortem_budget_fraction", 0.20),
            allow_zero=False,
        ),
        alert_windows=_alert_windows(config_path, section.get("alert_windows")),
    )
