"""The events, computed from the warehouse marts.

- decision_changed: an SLO's current decision (marts.error_budget_status) differs from the last one
  recorded for the webhook (ship -> caution -> freeze and back; no_data too). The day the current
  decision started comes from marts.error_budget_status_history.
- burn_alert_started: a page-severity episode of marts.slo_burn_alerts.
- review_written: the weekly review page, with the week's headline numbers (marts.weekly_review,
  scope all) and the paths of the page.

`baseline` events are recorded without being sent (see `state` and docs/notifications.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from reliability.review.weeks import parse_week

DECISION, BURN_ALERT, REVIEW = "decision_changed", "burn_alert_started", "review_written"


@dataclass(frozen=True)
class Event:
    """One notification: `key` is unique per event (sent once per webhook); `facts` are the
    labelled display values, `data` the same values as JSON for the generic payload."""

    type: str
    key: str
    subject: str
    value: str
    title: str
    text: str
    facts: tuple[tuple[str, str], ...]
    data: dict[str, Any] = field(default_factory=dict)
    baseline: bool = False


@dataclass(frozen=True)
class PageInfo:
    """The latest weekly review page materialization."""

    week: str
    markdown_path: str
    html_path: str
    written_in_this_run: bool


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f}%"


def when(value: datetime | None) -> str:
    return "n/a" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def window(minutes: int) -> str:
    """5 -> 5m, 60 -> 1h, 1440 -> 1d."""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"


def json_value(value: Any) -> Any:
    """Dates and timestamps as ISO text, decimals as floats."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


STATUS_SQL = """
with changes as (
    select slo_id, day_date, decision,
        lag(decision) over (partition by slo_id order by day_date) as previous_decision
    from marts.error_budget_status_history
),
streaks as (
    select slo_id, max(day_date) as decision_since
    from changes
    where previous_decision is distinct from decision
    group by slo_id
)
select status.slo_id, status.display_name, status.service, status.decision,
    status.decision_reason, status.remaining_fraction, status.budget_remaining_minutes,
    status.budget_minutes, status.sli, status.target, status.day_date, status.as_of_at,
    streaks.decision_since
from marts.error_budget_status as status
left join streaks on status.slo_id = streaks.slo_id
order by status.slo_id
"""


def decision_events(con: duckdb.DuckDBPyConnection, last: Mapping[str, str]) -> list[Event]:
    """An event per SLO whose decision differs from `last` (the last recorded per SLO); an SLO
    without a recorded decision gets a baseline event (recorded, not sent)."""
    events = []
    for s in _rows(con, STATUS_SQL):
        previous = last.get(s["slo_id"])
        if previous == s["decision"]:
            continue
        slo, decision = s["slo_id"], s["decision"]
        minutes = (
            "n/a"
            if s["budget_remaining_minutes"] is None or s["budget_minutes"] is None
            else f"{s['budget_remaining_minutes']:.1f} of {s['budget_minutes']:.1f} min"
        )
        change = f"{previous} -> {decision}" if previous else decision
        as_of = f"{s['as_of_at']:%Y-%m-%dT%H:%M:%S}"
        events.append(
            Event(
                type=DECISION,
                key=f"{DECISION}|{slo}|{previous or ''}->{decision}|{as_of}",
                subject=slo,
                value=decision,
                title=f"SLO decision changed: {slo} {change}",
                text=f"{s['display_name']} ({s['service']}): {change}. {s['decision_reason']}.",
                facts=(
                    ("Decision", f"{decision.upper()} (was {(previous or 'none').upper()})"),
                    ("Since", str(s["decision_since"])),
                    ("Budget left", f"{pct(s['remaining_fraction'])} ({minutes})"),
                    ("SLI", f"{pct(s['sli'])} (target {pct(s['target'])})"),
                    ("As of", when(s["as_of_at"])),
                ),
                data={
                    "slo_id": slo,
                    "display_name": s["display_name"],
                    "service": s["service"],
                    "previous_decision": previous,
                    **{
                        k: json_value(s[k])
                        for k in (
                            "decision",
                            "decision_reason",
                            "decision_since",
                            "remaining_fraction",
                            "budget_remaining_minutes",
                            "budget_minutes",
                            "sli",
                            "target",
                            "day_date",
                            "as_of_at",
                        )
                    },
                },
                baseline=previous is None,
            )
        )
    return events


ALERTS_SQL = """
select slo_alert_id, slo_id, alert_rule, severity, burn_rate_factor, long_window_minutes,
    short_window_minutes, fired_at, cleared_at, is_firing, firing_minutes, peak_long_burn_rate,
    bad_events_while_firing, budget_spent_fraction
from marts.slo_burn_alerts
where severity = 'page'
order by fired_at, slo_alert_id
"""


def alert_events(con: duckdb.DuckDBPyConnection, first_run: bool) -> list[Event]:
    """An event per page-severity alert episode; on a webhook's first run, episodes that have
    already cleared are baseline (history), the ones still firing are sent."""
    events = []
    for a in _rows(con, ALERTS_SQL):
        status = (
            "still firing"
            if a["is_firing"]
            else f"cleared at {when(a['cleared_at'])} after {a['firing_minutes']} min"
        )
        long_w, short_w = window(a["long_window_minutes"]), window(a["short_window_minutes"])
        events.append(
            Event(
                type=BURN_ALERT,
                key=f"{BURN_ALERT}|{a['slo_alert_id']}",
                subject=a["slo_id"],
                value=a["alert_rule"],
                title=f"Page alert: {a['slo_id']} burning error budget ({a['alert_rule']})",
                text=(
                    f"{a['slo_id']}: burn rate above {a['burn_rate_factor']:g}x over both "
                    f"{long_w} and {short_w} since {when(a['fired_at'])}; {status}."
                ),
                facts=(
                    ("Rule", a["alert_rule"]),
                    ("Fired at", when(a["fired_at"])),
                    ("Peak burn rate", f"{a['peak_long_burn_rate']:.2f}x over {long_w}"),
                    ("Threshold", f"{a['burn_rate_factor']:g}x"),
                    ("Budget spent", pct(a["budget_spent_fraction"])),
                    ("Status", status),
                ),
                data={k: json_value(v) for k, v in a.items()},
                baseline=first_run and not a["is_firing"],
            )
        )
    return events


HEADLINE_SQL = """
select week_start, slo_decision, slo_count, slos_meeting_target,
    slo_worst_remaining_budget_fraction, deployments, change_fail_rate, incidents, sev1_incidents,
    impact_minutes, conversion_rate, revenue, currency, revenue_at_risk_estimate
from marts.weekly_review
where scope = 'all' and week_start = ?
"""


def review_events(
    con: duckdb.DuckDBPyConnection, page: PageInfo | None, first_run: bool
) -> list[Event]:
    """The latest page, with its week's headline numbers; on a webhook's first run it is sent
    only when this run wrote it."""
    if page is None:
        return []
    rows = _rows(con, HEADLINE_SQL, [parse_week(page.week)])
    if not rows:
        return []
    h = rows[0]
    cur = f" {h['currency']}" if h["currency"] else ""
    meeting = "n/a" if not h["slo_count"] else f"{h['slos_meeting_target']} of {h['slo_count']}"
    return [
        Event(
            type=REVIEW,
            key=f"{REVIEW}|{page.week}",
            subject=page.week,
            value=page.markdown_path,
            title=f"Weekly reliability review {page.week}",
            text=(
                f"The weekly review {page.week} is written: {page.markdown_path} "
                f"(HTML: {page.html_path})."
            ),
            facts=(
                ("Release decision", (h["slo_decision"] or "n/a").upper()),
                ("SLOs meeting target", meeting),
                ("Worst budget left", pct(h["slo_worst_remaining_budget_fraction"])),
                ("Deployments", number(h["deployments"])),
                ("Change fail rate", pct(h["change_fail_rate"])),
                ("Incidents (sev1)", f"{number(h['incidents'])} ({number(h['sev1_incidents'])})"),
                ("Impact", f"{number(h['impact_minutes'])} min"),
                ("Conversion rate", pct(h["conversion_rate"])),
                ("Revenue", f"{number(h['revenue'], 2)}{cur}"),
                ("Revenue at risk (estimate)", f"{number(h['revenue_at_risk_estimate'], 2)}{cur}"),
            ),
            data={
                "week": page.week,
                "markdown_path": page.markdown_path,
                "html_path": page.html_path,
                **{k: json_value(v) for k, v in h.items()},
            },
            baseline=first_run and not page.written_in_this_run,
        )
    ]
