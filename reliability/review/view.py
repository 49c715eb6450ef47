"""The weekly review page's view model: every text the page shows, formatted, built once from the
review dict (reliability.review.data) and laid out by the Jinja2 templates in templates/.

Strings here are plain text, never markup: the HTML template escapes them (autoescape) and the
Markdown template escapes text from the data with its `md` filter. Only the inline SVG charts
(charts.py, which escapes its own text) are markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reliability.review import formatting as f
from reliability.review.charts import sparkline, trend_chart
from reliability.review.weeks import week_label

Row = dict[str, Any]

DECISION_ORDER = {"freeze": 3, "caution": 2, "ship": 1, "no_data": 0}
DECISION_WORDS = {
    "ship": "Ship: budget is healthy, keep releasing.",
    "caution": "Caution: budget is low, release carefully and prioritise reliability work.",
    "freeze": "Freeze: budget is spent, pause risky releases (P0 and security fixes only) "
    "and fix reliability first.",
    "no_data": "No data: no requests measured for the SLOs this week.",
}
SECTIONS = (
    ("decision", "1. Release decision and error budgets"),
    ("delivery", "2. Delivery (DORA)"),
    ("business", "3. Reliability next to conversion and revenue"),
    ("incidents", "4. Incidents and lessons"),
    ("actions", "5. Corrective actions"),
)
SLO_HEADER = (
    "SLO",
    "service",
    "SLI over its window",
    "target",
    "error budget left",
    "budget left (time)",
    "decision",
)
JOURNEY_HEADER = (
    "journey",
    "success rate",
    "fast requests",
    "conversions",
    "conversion rate",
    "revenue",
    "average order",
    "returning users",
)
ACTION_ITEM_HEADER = ("due", "action", "incident", "owner", "priority", "status")
RETENTION_HEADER = (
    "journey",
    "return window",
    "cohort week",
    "active users",
    "retention",
    "met a failure",
    "met no failure",
    "gap",
)


@dataclass(frozen=True)
class Slo:
    """One SLO's error budget counter."""

    slo_id: str
    service: str
    decision: str
    reason: str
    sli: str
    target: str
    remaining: str
    budget_left: str
    budget: str

    @property
    def cells(self) -> list[str]:
        return [self.slo_id, self.service, self.sli, self.target, self.remaining,
                self.budget_left, self.decision]


@dataclass(frozen=True)
class DoraTile:
    """One DORA metric: this week, the change, the band and the last weeks."""

    column: str
    label: str
    value: str
    change: str
    band: str | None
    sparkline_text: str
    sparkline_svg: Markup

    @property
    def md_cells(self) -> list[str]:
        return [self.label, self.value, self.change, self.band or "-", self.sparkline_text]


@dataclass(frozen=True)
class Postmortem:
    """How an incident's postmortem is shown. kind: written (a loaded file), linked (an http(s)
    URL), unlinkable (a URL of another scheme: text only), missing, due, not_required."""

    kind: str
    text: str = ""
    href: str = ""

    @property
    def md_target(self) -> str:
        """The link target for Markdown: spaces and parentheses percent-encoded."""
        return self.href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@dataclass(frozen=True)
class Incident:
    incident_id: str
    title: str
    facts: list[str]
    postmortem: Postmortem


@dataclass(frozen=True)
class Retention:
    intro: str
    rows: list[list[str]]
    flags: list[str]


@dataclass(frozen=True)
class ReviewPage:
    """Everything the page shows, in page order."""

    title: str
    decision: str | None
    decision_words: str
    slos: list[Slo]
    deployments: str
    deploy_days: str
    dora: list[DoraTile]
    chart_week_count: int
    trend_chart_svg: Markup
    business_summary: str
    journeys: list[list[str]]
    estimates: list[str]
    retention: Retention
    incident_summary: str
    incidents: list[Incident]
    missing_postmortems: list[str]
    action_items: list[list[str]]
    postmortem_rejects: list[tuple[str, str]]
    corrective_actions: list[tuple[str, str]]
    sections: tuple[tuple[str, str], ...] = SECTIONS
    slo_header: tuple[str, ...] = SLO_HEADER
    journey_header: tuple[str, ...] = JOURNEY_HEADER
    action_item_header: tuple[str, ...] = ACTION_ITEM_HEADER
    retention_header: tuple[str, ...] = RETENTION_HEADER


def overall_decision(slos: list[Row]) -> str | None:
    """The strictest decision of all SLOs (freeze > caution > ship > no_data)."""
    decisions = [s["decision"] for s in slos if s.get("decision")]
    return max(decisions, key=lambda d: DECISION_ORDER.get(d, 0)) if decisions else None


def _slo(s: Row) -> Slo:
    return Slo(
        slo_id=s["slo_id"],
        service=s["service"],
        decision=s["decision"],
        reason=s["decision_reason"],
        sli=f.percent(s["sli"], 2),
        target=f.percent(s["target"], 2),
        remaining=f.percent(s["remaining_fraction"]),
        budget_left=f.duration(s["budget_remaining_minutes"]),
        budget=f.duration(s["budget_minutes"]),
    )


def _business_summary(o: Row, cur: str | None) -> str:
    return (
        f"Success rate of journey requests {f.percent(o['availability_sli'], 2)} "
        f"({f.points(o['availability_sli_change'], 2)} vs last week); "
        f"conversions {f.count(o['conversions_completed'])} "
        f"({f.signed_count(o['conversions_completed_change'])}); "
        f"conversion rate {f.percent(o['conversion_rate'])} "
        f"({f.points(o['conversion_rate_change'])}); "
        f"revenue {f.money(o['revenue'], cur)} ({f.signed_money(o['revenue_change'], cur)}); "
        f"returning users {f.percent(o['returning_user_rate'])} "
        f"({f.points(o['returning_user_rate_change'])})."
    )


def _journey_cells(j: Row) -> list[str]:
    return [
        j["scope_name"],
        f"{f.percent(j['availability_sli'], 2)} ({f.points(j['availability_sli_change'], 2)})",
        f"{f.percent(j['latency_sli'], 2)} ({f.points(j['latency_sli_change'], 2)})",
        f"{f.count(j['conversions_completed'])} "
        f"({f.signed_count(j['conversions_completed_change'])})",
        f"{f.percent(j['conversion_rate'])} ({f.points(j['conversion_rate_change'])})",
        (
            f"{f.money(j['revenue'], j['currency'])} "
            f"({f.signed_money(j['revenue_change'], j['currency'])})"
            if j["currency"]
            else "none recorded"
        ),
        f.money(j["average_order_value"], j["currency"]) if j["currency"] else "none recorded",
        f"{f.percent(j['returning_user_rate'])} ({f.points(j['returning_user_rate_change'])})",
    ]


def _estimate_line(j: Row) -> str | None:
    slope = j.get("revenue_per_success_point_estimate")
    conv = j.get("conversion_points_per_success_point_estimate")
    if slope is None and conv is None:
        return None
    parts = [f"{j['scope_name']} (estimate over the last {f.count(j['fit_weeks'], 'weeks')}):"]
    if not j["currency"]:
        slope = None  # no revenue recorded for this journey
    if slope is not None:
        parts.append(
            f"each percentage point of success rate went with "
            f"{f.money(slope, j['currency'])} of weekly revenue"
        )
    if conv is not None:
        parts.append(
            ("and " if slope is not None else "each percentage point of success rate went with ")
            + f"{f.decimal(conv, signed=True)} pts of conversion rate"
        )
    if slope is not None and j.get("revenue_correlation_estimate") is not None:
        parts.append(f"(correlation {f.decimal(j['revenue_correlation_estimate'])})")
    return " ".join(parts) + ". A correlation, not proof of cause."


def _retention(rows: list[Row]) -> Retention:
    intro = (
        "Retention: users active in the cohort week who were active again on the journey within "
        "the return window after it, split by whether they met a failure (were active during "
        "an incident of the journey) that week."
        if rows
        else "Retention: no cohort week with a complete return window yet."
    )
    cells = [
        [
            r["journey"],
            f"{r['return_window_days']} days",
            week_label(r["week_start"]),
            str(r["active_users"]),
            f.percent(r["retention_rate"]),
            f"{f.percent(r['retention_rate_met_failure'])} of {r['users_met_failure']}",
            f"{f.percent(r['retention_rate_no_failure'])} of {r['users_no_failure']}",
            f.points(r["retention_gap"]) + (" (flag)" if r["gap_flag"] else ""),
        ]
        for r in rows
    ]
    flags = [
        f"Retention gap: {r['journey']} users who met a failure in {week_label(r['week_start'])} "
        f"returned within {r['return_window_days']} days less often than those who met none "
        f"(gap {f.points(r['retention_gap'])})."
        for r in rows
        if r["gap_flag"]
    ]
    return Retention(intro=intro, rows=cells, flags=flags)


def _incident_summary(o: Row, cur: str | None) -> str:
    text = f"{f.count(o['incidents'], 'incidents')}"
    if o["incidents"]:
        text += (
            f" ({o['incidents_by_severity']}), {f.duration(o['impact_minutes'])} of impact in "
            f"total, {f.money(o['revenue_at_risk_estimate'], cur)} revenue at risk and "
            f"{f.count(o['lost_conversions_estimate'], 'lost conversions')} (estimates), "
            f"{f.count(o['postmortems_done'], 'postmortems')} done, "
            f"{f.count(o['postmortems_missing'], 'missing')}, "
            f"{f.count(o['pattern_incidents'], 'repeating a recent pattern')}"
        )
    return text + "."


def _incident_facts(i: Row, cur: str | None, settings: Row) -> list[str]:
    facts = [
        f"{i['severity'] or 'no severity'}, {i['service']}, "
        + ("still open, " if i["is_open"] else "")
        + f"{f.duration(i['impact_minutes'])} of impact"
    ]
    if i["affected_journeys"]:
        if i["has_estimate"]:
            facts.append(
                f"journeys {i['affected_journeys']}: "
                f"{f.count(i['lost_conversions_estimate'], 'lost conversions')} and "
                f"{f.money(i['revenue_at_risk_estimate'], i['currency'] or cur)} revenue at risk"
                " (estimate: against the same hours of the previous weeks)"
            )
        else:
            facts.append(f"journeys {i['affected_journeys']}: no earlier weeks to compare with")
    if i["root_cause"]:
        facts.append(f"root cause: {i['root_cause']}")
    if i["lessons"]:
        facts.append("lessons: " + " ".join(i["lessons"].splitlines()))
    if i["is_pattern"]:
        facts.append(
            f"pattern: {f.count(i['same_service_incidents'], 'earlier incidents')} on the same "
            f"service and {f.count(i['same_cause_incidents'], 'with the same cause')} in the last "
            f"{f.count(settings['pattern_weeks'], 'weeks')} ({i['related_incident_ids']})"
        )
    return facts


def web_url(url: Any) -> str | None:
    """`url` when it is an http(s) URL, else None: other schemes (javascript:, data:) never link."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None


def postmortem(i: Row) -> Postmortem:
    """How the incident row's postmortem is shown."""
    status = i["postmortem_status"]
    if status == "written":
        path = i["postmortem_file_path"]
        return Postmortem("written", str(i["postmortem_file_name"]),
                          "file://" + path if path else "")
    if status == "linked":
        url = web_url(i["postmortem_url"])
        if url is None:
            return Postmortem("unlinkable", str(i["postmortem_url"]))
        return Postmortem("linked", "link", url)
    if status == "missing":
        return Postmortem("missing")
    if status == "due_after_resolution":
        return Postmortem("due")
    return Postmortem("not_required")


def _corrective_text(c: Row, cur: str | None) -> tuple[str, str]:
    unit = f.METRIC_UNITS.get(c["metric"], "count")
    name = c["scope_name"] if c["scope"] != "all" else "overall"
    values = " -> ".join(
        f.metric_value(unit, v, cur)
        for v in (c["value_two_weeks_ago"], c["previous_value"], c["metric_value"])
    )
    return f"{name}: {c['metric_label']}", f"worse two weeks in a row ({values})"


def _trend_chart(d: Row) -> Markup:
    c, cur = d["chart"], d["currency"]
    svg = trend_chart(
        c["weeks"],
        [
            ("Success rate", c["availability_sli"], lambda v: f.percent(v, 2), "line"),
            ("Conversion rate", c["conversion_rate"], lambda v: f.percent(v), "line"),
            (f"Revenue ({cur or 'no currency'})", c["revenue"], lambda v: f.money(v, cur), "bar"),
            ("At risk (estimate)", c["revenue_at_risk_estimate"], lambda v: f.money(v, cur),
             "risk"),
        ],
        f"Success rate, conversion rate, revenue and revenue at risk over the last "
        f"{len(c['weeks'])} weeks",
    )
    return Markup(svg)  # noqa: S704 - charts.py escapes every text it puts in the SVG


def build_page(d: Row) -> ReviewPage:
    """The view model of the review dict `d` (reliability.review.data.load_review)."""
    o, cur, settings = d["overall"], d["currency"], d["settings"]
    decision = overall_decision(d["slos"])
    return ReviewPage(
        title=f"Weekly reliability review {d['week']} "
        f"({f.day(d['week_start'])} to {f.day(d['week_end'])})",
        decision=decision,
        decision_words=DECISION_WORDS.get(decision or "", ""),
        slos=[_slo(s) for s in d["slos"]],
        deployments=f.count(o["deployments"], "deployments"),
        deploy_days=f.count(o["deploy_days"], "days"),
        dora=[
            DoraTile(
                column=t["column"],
                label=t["label"],
                value=f.metric_value(t["unit"], t["value"]),
                change=f.metric_change(t["unit"], o.get(f"{t['column']}_change")),
                band=t["band"],
                sparkline_text=f.sparkline_text(t["series"]),
                sparkline_svg=Markup(  # noqa: S704 - charts.py escapes the label
                    sparkline(t["series"], t["label"] + " over the last weeks")
                ),
            )
            for t in d["dora"]
        ],
        chart_week_count=len(d["chart"]["weeks"]),
        trend_chart_svg=_trend_chart(d),
        business_summary=_business_summary(o, cur),
        journeys=[_journey_cells(j) for j in d["journeys"]],
        estimates=[e for e in (_estimate_line(j) for j in d["journeys"]) if e],
        retention=_retention(d["retention"]),
        incident_summary=_incident_summary(o, cur),
        incidents=[
            Incident(
                incident_id=i["incident_id"],
                title=i["title"] or "untitled",
                facts=_incident_facts(i, cur, settings),
                postmortem=postmortem(i),
            )
            for i in d["incidents"]
        ],
        missing_postmortems=[
            f"{i['incident_id']} ({i['severity']}, {i['service']})"
            for i in d["missing_postmortems"]
        ],
        action_items=[
            [str(a["due_date"]), a["title"], a["incident_id"], a["owner"], a["priority"],
             a["status"]]
            for a in d["action_items"]
        ],
        postmortem_rejects=[(r["file_name"], r["reason"]) for r in d["postmortem_rejects"]],
        corrective_actions=[_corrective_text(c, cur) for c in d["corrective_actions"]],
    )
