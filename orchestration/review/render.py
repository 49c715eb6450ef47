"""The weekly review page as Markdown and as one self-contained HTML file (inline CSS and SVG).

Order (issue 5): release decision and error budgets per SLO; DORA tiles with sparklines and
bands; reliability next to conversion and revenue; incidents and lessons; corrective actions.
Only values from the review dict (orchestration.review.data) are shown.
"""

from __future__ import annotations

from html import escape
from typing import Any

from . import formatting as f
from .charts import sparkline, trend_chart
from .retention import retention_html, retention_markdown

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


def overall_decision(slos: list[Row]) -> str | None:
    """The strictest decision of all SLOs (freeze > caution > ship > no_data)."""
    decisions = [s["decision"] for s in slos if s.get("decision")]
    return max(decisions, key=lambda d: DECISION_ORDER.get(d, 0)) if decisions else None


def _title(d: Row) -> str:
    return (
        f"Weekly reliability review {d['week']} "
        f"({f.day(d['week_start'])} to {f.day(d['week_end'])})"
    )


def _slo_cells(s: Row) -> list[str]:
    return [
        s["slo_id"],
        s["service"],
        f.percent(s["sli"], 2),
        f.percent(s["target"], 2),
        f.percent(s["remaining_fraction"]),
        f.duration(s["budget_remaining_minutes"]),
        s["decision"],
    ]


SLO_HEADER = [
    "SLO",
    "service",
    "SLI over its window",
    "target",
    "error budget left",
    "budget left (time)",
    "decision",
]


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


JOURNEY_HEADER = [
    "journey",
    "success rate",
    "fast requests",
    "conversions",
    "conversion rate",
    "revenue",
    "average order",
    "returning users",
]


def _journey_cells(j: Row, cur: str | None) -> list[str]:
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


def _estimate_line(j: Row, cur: str | None) -> str | None:
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
            + f"{f.decimal(conv, signed=True)} pts of "
            "conversion rate"
        )
    if slope is not None and j.get("revenue_correlation_estimate") is not None:
        parts.append(f"(correlation {f.decimal(j['revenue_correlation_estimate'])})")
    return " ".join(parts) + ". A correlation, not proof of cause."


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


def _postmortem_md(i: Row) -> str:
    status = i["postmortem_status"]
    if status == "written":
        return f"postmortem: [{i['postmortem_file_name']}]({_file_url(i['postmortem_file_path'])})"
    if status == "linked":
        url = _web_url(i["postmortem_url"])
        if url is None:
            return f"postmortem: {_md(i['postmortem_url'])} (not an http(s) link; not loaded)"
        target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"postmortem: [link]({target}) (not loaded into the warehouse)"
    if status == "missing":
        return "postmortem: **missing** (required for this severity)"
    if status == "due_after_resolution":
        return "postmortem: due once resolved"
    return "postmortem: not required"


def _file_url(path: str | None) -> str:
    return "file://" + path if path else ""


def _web_url(url: Any) -> str | None:
    """`url` when it is an http(s) URL, else None: other schemes (javascript:, data:) never link."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None


MD_SPECIAL = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`", "*": "\\*"}
)


def _md(text: Any) -> str:
    """Text from the data for the Markdown page: raw HTML and link/emphasis syntax escaped."""
    return str(text).translate(MD_SPECIAL)


def _corrective_text(c: Row, cur: str | None) -> tuple[str, str]:
    unit = f.METRIC_UNITS.get(c["metric"], "count")
    name = c["scope_name"] if c["scope"] != "all" else "overall"
    values = " -> ".join(
        f.metric_value(unit, v, cur)
        for v in (c["value_two_weeks_ago"], c["previous_value"], c["metric_value"])
    )
    return f"{name}: {c['metric_label']}", f"worse two weeks in a row ({values})"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def clean(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(clean(c) for c in r) + " |" for r in rows
    ]


def render_markdown(d: Row) -> str:
    """The review as Markdown."""
    o, cur, settings = d["overall"], d["currency"], d["settings"]
    out = [f"# {_title(d)}", ""]
    decision = overall_decision(d["slos"])
    out += [f"## {SECTIONS[0][1]}", ""]
    if d["slos"]:
        out += [f"**Decision: {decision}.** {DECISION_WORDS.get(decision or '', '')}", ""]
        out += _md_table(SLO_HEADER, [_slo_cells(s) for s in d["slos"]]) + [""]
        out += [f"- {s['slo_id']}: {s['decision_reason']}" for s in d["slos"]] + [""]
    else:
        out += ["No SLOs are defined, so there is no release decision.", ""]

    out += [
        f"## {SECTIONS[1][1]}",
        "",
        f"{f.count(o['deployments'], 'deployments')} on {f.count(o['deploy_days'], 'days')}.",
        "",
    ]
    rows = []
    for t in d["dora"]:
        change = o.get(f"{t['column']}_change")
        rows.append(
            [
                t["label"],
                f.metric_value(t["unit"], t["value"]),
                f.metric_change(t["unit"], change),
                t["band"] or "-",
                f.sparkline_text(t["series"]),
            ]
        )
    out += _md_table(
        [
            "metric",
            "this week",
            "change vs last week",
            "band",
            f"last {len(d['chart']['weeks'])} weeks",
        ],
        rows,
    ) + [""]

    out += [f"## {SECTIONS[2][1]}", "", _business_summary(o, cur), ""]
    out += _md_table(JOURNEY_HEADER, [_journey_cells(j, cur) for j in d["journeys"]]) + [""]
    estimates = [e for e in (_estimate_line(j, cur) for j in d["journeys"]) if e]
    out += [f"- {e}" for e in estimates] + ([""] if estimates else [])
    out += retention_markdown(d["retention"])

    out += [f"## {SECTIONS[3][1]}", "", _incident_summary(o, cur), ""]
    for i in d["incidents"]:
        out.append(f"### {_md(i['incident_id'])}: {_md(i['title'] or 'untitled')}")
        out += [f"- {_md(fact)}" for fact in _incident_facts(i, cur, settings)]
        out += [f"- {_postmortem_md(i)}", ""]
    out.append(
        "**Still missing a postmortem:** "
        + (
            ", ".join(
                _md(f"{i['incident_id']} ({i['severity']}, {i['service']})")
                for i in d["missing_postmortems"]
            )
            or "none"
        )
        + "."
    )
    out.append("")
    if d["action_items"]:
        out += ["**Open action items:**", ""]
        out += _md_table(
            ["due", "action", "incident", "owner", "priority", "status"],
            [
                [
                    str(a["due_date"]),
                    _md(a["title"]),
                    _md(a["incident_id"]),
                    _md(a["owner"]),
                    _md(a["priority"]),
                    _md(a["status"]),
                ]
                for a in d["action_items"]
            ],
        ) + [""]
    if d["postmortem_rejects"]:
        out += [
            "Postmortem files not loaded: "
            + "; ".join(
                f"{_md(r['file_name'])} ({_md(r['reason'])})" for r in d["postmortem_rejects"]
            )
            + ".",
            "",
        ]

    out += [f"## {SECTIONS[4][1]}", ""]
    if d["corrective_actions"]:
        out += [
            f"- **{a}**: {b}"
            for a, b in (_corrective_text(c, cur) for c in d["corrective_actions"])
        ]
    else:
        out.append("No metric got worse two weeks in a row.")
    out += [
        "",
        "---",
        "Weeks are ISO weeks (Monday to Sunday, UTC). Estimates are marked; how every "
        "number is computed: README.md (Weekly review).",
        "",
    ]
    return "\n".join(out)


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f6f7f9;color:#111}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 16px}
h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
section{background:#fff;border-radius:8px;padding:4px 18px 14px;margin-bottom:16px;
box-shadow:0 1px 2px rgba(0,0,0,.06)}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6}
.decision{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;
font-size:16px;text-transform:uppercase}
.decision-ship{background:#dcfce7;color:#166534}.decision-caution{background:#fef9c3;color:#854d0e}
.decision-freeze{background:#fee2e2;color:#991b1b}.decision-no_data{background:#e5e7eb}
.decision-small{font-weight:700;padding:1px 6px;border-radius:4px;text-transform:uppercase}
.slo-freeze{border-color:#f87171}.slo-caution{border-color:#facc15}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(175px,1fr));gap:10px}
.tile{border:1px solid #e5e7eb;border-radius:8px;padding:10px}
.tile .label{font-size:12px;color:#555}.tile .value{font-size:20px;font-weight:700;margin:4px 0}
.tile .change{font-size:12px;color:#555}
.band{display:inline-block;font-size:11px;padding:1px 6px;border-radius:4px;background:#e5e7eb}
.band-elite{background:#dcfce7}.band-high{background:#dbeafe}.band-medium{background:#fef9c3}.band-low{background:#fee2e2}
.missing{color:#991b1b;font-weight:600}.note{color:#555;font-size:12px}
ul.actions li{margin:6px 0}
"""


def _h(text: Any) -> str:
    return escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{_h(c)}</th>" for c in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else _h(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(d: Row) -> str:
    """The review as one self-contained HTML page (inline CSS and SVG, no scripts, no links out
    other than the postmortems)."""
    o, cur, settings = d["overall"], d["currency"], d["settings"]
    s: dict[str, str] = {}
    decision = overall_decision(d["slos"])
    if d["slos"]:
        s["decision"] = (
            f'<p><span class="decision decision-{_h(decision)}">{_h(decision)}</span> '
            f"{_h(DECISION_WORDS.get(decision or '', ''))}</p>"
            + '<div class="tiles">'
            + "".join(_slo_tile(x) for x in d["slos"])
            + "</div>"
        )
    else:
        s["decision"] = "<p>No SLOs are defined, so there is no release decision.</p>"

    tiles = []
    for t in d["dora"]:
        band = (
            f'<span class="band band-{_h(t["band"])}">{_h(t["band"])}</span>'
            if t["band"]
            else '<span class="band">no band</span>'
        )
        tiles.append(
            f'<div class="tile" data-metric="{_h(t["column"])}">'
            f'<div class="label">{_h(t["label"])}</div>'
            f'<div class="value">{_h(f.metric_value(t["unit"], t["value"]))}</div>'
            f'<div class="change">{_h(f.metric_change(t["unit"], o.get(t["column"] + "_change")))} '
            f"vs last week {band}</div>"
            f"{sparkline(t['series'], t['label'] + ' over the last weeks')}</div>"
        )
    s["delivery"] = (
        f"<p>{_h(f.count(o['deployments'], 'deployments'))} on "
        f"{_h(f.count(o['deploy_days'], 'days'))}.</p>"
        f'<div class="tiles">{"".join(tiles)}</div>'
    )

    c = d["chart"]
    chart = trend_chart(
        c["weeks"],
        [
            ("Success rate", c["availability_sli"], lambda v: f.percent(v, 2), "line"),
            ("Conversion rate", c["conversion_rate"], lambda v: f.percent(v), "line"),
            (f"Revenue ({cur or 'no currency'})", c["revenue"], lambda v: f.money(v, cur), "bar"),
            (
                "At risk (estimate)",
                c["revenue_at_risk_estimate"],
                lambda v: f.money(v, cur),
                "risk",
            ),
        ],
        f"Success rate, conversion rate, revenue and revenue at risk over the last "
        f"{len(c['weeks'])} weeks",
    )
    estimates = [e for e in (_estimate_line(j, cur) for j in d["journeys"]) if e]
    s["business"] = (
        f"<p>{_h(_business_summary(o, cur))}</p>"
        f'<figure>{chart}<figcaption class="note">All journeys, last {len(c["weeks"])} weeks; '
        "hover a point for its value.</figcaption></figure>"
        + _html_table(JOURNEY_HEADER, [_journey_cells(j, cur) for j in d["journeys"]])
        + ("<ul>" + "".join(f"<li>{_h(e)}</li>" for e in estimates) + "</ul>" if estimates else "")
        + retention_html(d["retention"])
    )

    parts = [f"<p>{_h(_incident_summary(o, cur))}</p>"]
    for i in d["incidents"]:
        facts = "".join(f"<li>{_h(x)}</li>" for x in _incident_facts(i, cur, settings))
        parts.append(
            f'<article class="incident" id="{_h(i["incident_id"])}"><h3>'
            f"{_h(i['incident_id'])}: {_h(i['title'] or 'untitled')}</h3>"
            f"<ul>{facts}<li>{_postmortem_html(i)}</li></ul></article>"
        )
    missing = (
        ", ".join(
            f"{_h(i['incident_id'])} ({_h(i['severity'])}, {_h(i['service'])})"
            for i in d["missing_postmortems"]
        )
        or "none"
    )
    css = ' class="missing"' if d["missing_postmortems"] else ""
    parts.append(
        f"<p><strong>Still missing a postmortem:</strong> <span{css}>{missing}</span>.</p>"
    )
    if d["action_items"]:
        parts.append(
            "<h3>Open action items</h3>"
            + _html_table(
                ["due", "action", "incident", "owner", "priority", "status"],
                [
                    [
                        str(a["due_date"]),
                        a["title"],
                        a["incident_id"],
                        a["owner"],
                        a["priority"],
                        a["status"],
                    ]
                    for a in d["action_items"]
                ],
            )
        )
    if d["postmortem_rejects"]:
        parts.append(
            '<p class="note">Postmortem files not loaded: '
            + "; ".join(
                f"{_h(r['file_name'])} ({_h(r['reason'])})" for r in d["postmortem_rejects"]
            )
            + ".</p>"
        )
    s["incidents"] = "".join(parts)

    if d["corrective_actions"]:
        s["actions"] = (
            '<ul class="actions">'
            + "".join(
                f"<li><strong>{_h(a)}</strong>: {_h(b)}</li>"
                for a, b in (_corrective_text(x, cur) for x in d["corrective_actions"])
            )
            + "</ul>"
        )
    else:
        s["actions"] = "<p>No metric got worse two weeks in a row.</p>"

    body = "".join(
        f'<section id="{key}"><h2>{_h(title)}</h2>{s[key]}</section>' for key, title in SECTIONS
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_h(_title(d))}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body><main><h1>{_h(_title(d))}</h1>{body}"
        '<p class="note">Weeks are ISO weeks (Monday to Sunday, UTC). Estimates are marked; how '
        "every number is computed: README.md (Weekly review).</p></main></body></html>\n"
    )


def _slo_tile(s: Row) -> str:
    """An error budget counter: budget left, SLI against target, the decision and why."""
    return (
        f'<div class="tile slo slo-{_h(s["decision"])}" data-slo="{_h(s["slo_id"])}">'
        f'<div class="label">{_h(s["slo_id"])} ({_h(s["service"])})</div>'
        f'<div class="value">{_h(f.percent(s["remaining_fraction"]))} budget left</div>'
        f'<div class="change">{_h(f.duration(s["budget_remaining_minutes"]))} of '
        f"{_h(f.duration(s['budget_minutes']))}; SLI {_h(f.percent(s['sli'], 2))} "
        f"vs target {_h(f.percent(s['target'], 2))}</div>"
        f'<div class="change"><span class="decision-small decision-{_h(s["decision"])}">'
        f"{_h(s['decision'])}</span> {_h(s['decision_reason'])}</div></div>"
    )


def _postmortem_html(i: Row) -> str:
    status = i["postmortem_status"]
    if status == "written":
        return (
            f'postmortem: <a href="{_h(_file_url(i["postmortem_file_path"]))}">'
            f"{_h(i['postmortem_file_name'])}</a>"
        )
    if status == "linked":
        url = _web_url(i["postmortem_url"])
        if url is None:
            return f"postmortem: {_h(i['postmortem_url'])} (not an http(s) link; not loaded)"
        return (
            f'postmortem: <a href="{_h(url)}">link</a> '
            "(not loaded into the warehouse)"
        )
    if status == "missing":
        return 'postmortem: <span class="missing">missing</span> (required for this severity)'
    if status == "due_after_resolution":
        return "postmortem: due once resolved"
    return "postmortem: not required"
