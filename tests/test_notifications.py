"""Webhook notifications on the real pipeline and small demo data, against local HTTP servers.

One warehouse is built in three full runs: A (weeks W45-W46 of requests: the first run, which
records history as baseline and sends the page it wrote), B (W47 requests added and the caution
threshold raised: new page alerts and decision changes are sent), C (the same again: nothing new).
The delivery tests then run only the page and the notifications asset on that warehouse.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer

from orchestration.pipeline import failure_messages, run_pipeline
from reliability.config import ConfigError, load_config
from reliability.demo import generate_demo
from reliability.demo.postmortems import write_demo_postmortems
from reliability.notify.settings import NotificationSettings, notification_settings
from reliability.settings import PROJECT_ROOT, Paths

WEEK, WEEK_START = "2026-W47", date(2026, 11, 16)
SLACK_PATH, JSON_PATH = "/services/T0SLACK/B0HOOK/slacksecret0042", "/hooks/jsonsecret0042"
NOTIFY_KEY = dg.AssetKey(["notifications", "webhooks"])
PAGE_AND_NOTIFY = "key:reports/weekly_review or key:notifications/webhooks"


def write_config(paths: Paths, webhooks: list[dict], caution: float = 0.25) -> None:
    """The repository's config with a `notifications:` section and the caution threshold."""
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "reliability.yml").read_text())
    raw["slo"]["policy"]["caution_at_or_below"] = caution
    raw["notifications"] = {
        "webhooks": webhooks,
        "timeout_seconds": 2,
        "retries": 2,
        "backoff_seconds": 0.01,
    }
    paths.config.write_text(yaml.safe_dump(raw, sort_keys=False))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def snapshot(paths: Paths) -> dict[str, Any]:
    """What the notifier reads, as the warehouse holds it after a run."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        history = _rows(
            con,
            "select slo_id, day_date, decision from marts.error_budget_status_history "
            "order by slo_id, day_date desc",
        )
        since: dict[str, date] = {}
        for h in history:  # newest first: walk back while the decision is the current one
            current = next(x for x in history if x["slo_id"] == h["slo_id"])["decision"]
            if h["decision"] == current and (
                h["slo_id"] not in since or since[h["slo_id"]] == _next_day(h)
            ):
                since[h["slo_id"]] = h["day_date"]
        return {
            "status": {
                r["slo_id"]: {**r, "since": since[r["slo_id"]]}
                for r in _rows(con, "select * from marts.error_budget_status")
            },
            "alerts": {
                r["slo_alert_id"]: r
                for r in _rows(con, "select * from marts.slo_burn_alerts where severity = 'page'")
            },
            "headline": _rows(
                con,
                "select * from marts.weekly_review where scope = 'all' and week_start = ?",
                [WEEK_START],
            )[0],
            "sent": _rows(con, "select * from raw.notifications_sent order by webhook, event_key"),
        }


def _next_day(h: dict) -> date:
    from datetime import timedelta

    return h["day_date"] + timedelta(days=1)


@dataclass
class Run:
    result: dg.ExecuteInProcessResult
    requests: dict[str, list[dict]]
    snap: dict[str, Any]

    @property
    def metadata(self) -> dict[str, Any]:
        events = [
            e for e in self.result.get_asset_materialization_events() if e.asset_key == NOTIFY_KEY
        ]
        return {k: v.value for k, v in events[-1].materialization.metadata.items()}


@dataclass
class World:
    paths: Paths
    server: HTTPServer
    runs: dict[str, Run] = field(default_factory=dict)

    def run(self, name: str, selection: str | None = None) -> Run:
        self.server.clear_log()
        result = run_pipeline(self.paths, selection=selection)
        assert result.success, failure_messages(result)
        requests: dict[str, list[dict]] = {}
        for request, _ in self.server.log:
            requests.setdefault(request.path, []).append(request.get_json())
        run = Run(result, requests, snapshot(self.paths))
        self.runs[name] = run
        return run


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("notify")
    stage = root / "stage"
    generate_demo(stage, weeks=3, end=date(2026, 11, 23), seed=7, scale=0.05)
    write_demo_postmortems(stage)
    shutil.copytree(PROJECT_ROOT / "data" / "slos", root / "config" / "slos")
    paths = Paths(
        landing=root / "landing",
        warehouse=root / "warehouse" / "reliability.duckdb",
        config=root / "config" / "reliability.yml",
    )
    shutil.copytree(stage, paths.landing, ignore=lambda _, names: [n for n in names if WEEK in n])
    server = HTTPServer()
    server.start()
    server.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    server.expect_request(JSON_PATH, method="POST").respond_with_data("ok")
    hooks = [
        {"name": "ops-slack", "url_env": "TEST_SLACK_WEBHOOK", "format": "slack"},
        {"name": "ops-json", "url_env": "TEST_JSON_WEBHOOK", "format": "json"},
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TEST_SLACK_WEBHOOK", server.url_for(SLACK_PATH))
        mp.setenv("TEST_JSON_WEBHOOK", server.url_for(JSON_PATH))
        w = World(paths, server)
        write_config(paths, hooks)
        w.run("A")
        for f in stage.rglob(f"*{WEEK}*"):
            shutil.copy2(f, paths.landing / f.relative_to(stage))
        write_config(paths, hooks, caution=0.999)
        w.run("B")
        w.run("C")
        yield w
    server.stop()


# --- the expected payloads, written out ---------------------------------------------------------


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 100:.2f}%"


def _ts(v: datetime | None) -> str:
    return "n/a" if v is None else v.strftime("%Y-%m-%d %H:%M UTC")


def _num(v: float | int | None, digits: int = 1) -> str:
    """Counts with thousands separators, other numbers with `digits` decimals; n/a for null."""
    if v is None:
        return "n/a"
    return f"{v:,}" if isinstance(v, int) else f"{v:,.{digits}f}"


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date | datetime) else v


def _slack(title: str, text: str, facts: list[tuple[str, str]], key: str) -> dict:
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    return {
        "text": esc(f"{title}: {text}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title}},
            {"type": "section", "text": {"type": "mrkdwn", "text": esc(text)}},
            {
                "type": "section",
                "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{esc(v)}"} for k, v in facts],
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"reliability-warehouse | {esc(key)}"}],
            },
        ],
    }


def _json(event: str, key: str, title: str, text: str, data: dict) -> dict:
    return {
        "source": "reliability-warehouse",
        "event": event,
        "key": key,
        "title": title,
        "text": text,
        "data": data,
    }


def expected_review(h: dict, reports: Path) -> tuple[dict, dict]:
    md, html = (
        str(reports / f"weekly-review-{WEEK}.md"),
        str(reports / f"weekly-review-{WEEK}.html"),
    )
    cur = f" {h['currency']}" if h["currency"] else ""
    title = f"Weekly reliability review {WEEK}"
    text = f"The weekly review {WEEK} is written: {md} (HTML: {html})."
    key = f"review_written|{WEEK}"
    facts = [
        ("Release decision", (h["slo_decision"] or "n/a").upper()),
        (
            "SLOs meeting target",
            f"{h['slos_meeting_target']} of {h['slo_count']}" if h["slo_count"] else "n/a",
        ),
        ("Worst budget left", _pct(h["slo_worst_remaining_budget_fraction"])),
        ("Deployments", _num(h["deployments"])),
        ("Change fail rate", _pct(h["change_fail_rate"])),
        ("Incidents (sev1)", f"{_num(h['incidents'])} ({_num(h['sev1_incidents'])})"),
        ("Impact", f"{_num(h['impact_minutes'])} min"),
        ("Conversion rate", _pct(h["conversion_rate"])),
        ("Revenue", f"{_num(h['revenue'], 2)}{cur}"),
        ("Revenue at risk (estimate)", f"{_num(h['revenue_at_risk_estimate'], 2)}{cur}"),
    ]
    columns = (
        "week_start",
        "slo_decision",
        "slo_count",
        "slos_meeting_target",
        "slo_worst_remaining_budget_fraction",
        "deployments",
        "change_fail_rate",
        "incidents",
        "sev1_incidents",
        "impact_minutes",
        "conversion_rate",
        "revenue",
        "currency",
        "revenue_at_risk_estimate",
    )
    data = {
        "week": WEEK,
        "markdown_path": md,
        "html_path": html,
        **{c: _iso(h[c]) for c in columns},
    }
    return _slack(title, text, facts, key), _json("review_written", key, title, text, data)


def expected_decision(s: dict, previous: str) -> tuple[dict, dict]:
    slo, decision = s["slo_id"], s["decision"]
    key = f"decision_changed|{slo}|{previous}->{decision}|{s['as_of_at']:%Y-%m-%dT%H:%M:%S}"
    title = f"SLO decision changed: {slo} {previous} -> {decision}"
    text = (
        f"{s['display_name']} ({s['service']}): {previous} -> {decision}. {s['decision_reason']}."
    )
    facts = [
        ("Decision", f"{decision.upper()} (was {previous.upper()})"),
        ("Since", str(s["since"])),
        (
            "Budget left",
            f"{_pct(s['remaining_fraction'])} "
            f"({s['budget_remaining_minutes']:.1f} of {s['budget_minutes']:.1f} min)",
        ),
        ("SLI", f"{_pct(s['sli'])} (target {_pct(s['target'])})"),
        ("As of", _ts(s["as_of_at"])),
    ]
    data = {
        "slo_id": slo,
        "display_name": s["display_name"],
        "service": s["service"],
        "previous_decision": previous,
        "decision": decision,
        "decision_reason": s["decision_reason"],
        "decision_since": s["since"].isoformat(),
        **{
            c: _iso(s[c])
            for c in (
                "remaining_fraction",
                "budget_remaining_minutes",
                "budget_minutes",
                "sli",
                "target",
                "day_date",
                "as_of_at",
            )
        },
    }
    return _slack(title, text, facts, key), _json("decision_changed", key, title, text, data)


def _window(m: int) -> str:
    return f"{m // 1440}d" if m % 1440 == 0 else f"{m // 60}h" if m % 60 == 0 else f"{m}m"


def expected_alert(a: dict) -> tuple[dict, dict]:
    key = f"burn_alert_started|{a['slo_alert_id']}"
    status = (
        "still firing"
        if a["is_firing"]
        else f"cleared at {_ts(a['cleared_at'])} after {a['firing_minutes']} min"
    )
    lw, sw = _window(a["long_window_minutes"]), _window(a["short_window_minutes"])
    title = f"Page alert: {a['slo_id']} burning error budget ({a['alert_rule']})"
    text = (
        f"{a['slo_id']}: burn rate above {a['burn_rate_factor']:g}x over both {lw} and {sw} "
        f"since {_ts(a['fired_at'])}; {status}."
    )
    facts = [
        ("Rule", a["alert_rule"]),
        ("Fired at", _ts(a["fired_at"])),
        ("Peak burn rate", f"{a['peak_long_burn_rate']:.2f}x over {lw}"),
        ("Threshold", f"{a['burn_rate_factor']:g}x"),
        ("Budget spent", _pct(a["budget_spent_fraction"])),
        ("Status", status),
    ]
    columns = (
        "slo_alert_id",
        "slo_id",
        "alert_rule",
        "severity",
        "burn_rate_factor",
        "long_window_minutes",
        "short_window_minutes",
        "fired_at",
        "cleared_at",
        "is_firing",
        "firing_minutes",
        "peak_long_burn_rate",
        "bad_events_while_firing",
        "budget_spent_fraction",
    )
    data = {c: _iso(a[c]) for c in columns}
    return _slack(title, text, facts, key), _json("burn_alert_started", key, title, text, data)


# --- the three full runs ------------------------------------------------------------------------


def test_first_run_records_history_as_baseline_and_sends_the_page_it_wrote(world: World) -> None:
    run = world.runs["A"]
    slack, generic = expected_review(
        run.snap["headline"], world.paths.reports
    )
    assert run.requests == {SLACK_PATH: [slack], JSON_PATH: [generic]}
    # History is not sent: every SLO's decision and every cleared page alert is a baseline.
    alerts, status = run.snap["alerts"], run.snap["status"]
    assert alerts and not any(a["is_firing"] for a in alerts.values())
    for hook in ("ops-slack", "ops-json"):
        rows = [r for r in run.snap["sent"] if r["webhook"] == hook]
        assert sorted(r["outcome"] for r in rows) == sorted(
            ["baseline"] * (len(status) + len(alerts)) + ["sent"]
        )
        assert {
            r["subject"]: r["value"] for r in rows if r["event_type"] == "decision_changed"
        } == {s: v["decision"] for s, v in status.items()}
    assert run.metadata["sent"] == 2 and run.metadata["baseline"] == 2 * (len(status) + len(alerts))


def _by_event(requests: list[dict], event: str, slack: bool) -> list[dict]:
    if slack:
        return [
            r
            for r in requests
            if r["blocks"][3]["elements"][0]["text"].split(" | ")[1].startswith(event)
        ]
    return [r for r in requests if r["event"] == event]


def test_new_page_alerts_are_sent_with_exact_payloads(world: World) -> None:
    before, after = world.runs["A"].snap["alerts"], world.runs["B"].snap["alerts"]
    new = [
        after[k] for k in sorted(after, key=lambda k: (after[k]["fired_at"], k)) if k not in before
    ]
    assert new, "the W47 requests should start page alerts"
    expected = [expected_alert(a) for a in new]
    requests = world.runs["B"].requests
    assert _by_event(requests[SLACK_PATH], "burn_alert_started", True) == [e[0] for e in expected]
    assert _by_event(requests[JSON_PATH], "burn_alert_started", False) == [e[1] for e in expected]


def test_decision_changes_are_sent_with_exact_payloads(world: World) -> None:
    before, after = world.runs["A"].snap["status"], world.runs["B"].snap["status"]
    changed = [
        (after[s], before[s]["decision"])
        for s in sorted(after)
        if s in before and after[s]["decision"] != before[s]["decision"]
    ]
    assert changed, "raising caution_at_or_below to 0.999 should move SLOs from ship to caution"
    expected = [expected_decision(s, prev) for s, prev in changed]
    requests = world.runs["B"].requests
    assert _by_event(requests[SLACK_PATH], "decision_changed", True) == [e[0] for e in expected]
    assert _by_event(requests[JSON_PATH], "decision_changed", False) == [e[1] for e in expected]
    # the page of the same week was sent in run A: not again
    assert not _by_event(requests[JSON_PATH], "review_written", False)


def test_a_rerun_sends_nothing_new(world: World) -> None:
    b, c = world.runs["B"], world.runs["C"]
    assert c.requests == {}
    assert c.snap["sent"] == b.snap["sent"]
    # every alert and page key is found already sent; decisions equal to the last recorded one
    # are not events at all
    recorded = [r for r in b.snap["sent"] if r["event_type"] != "decision_changed"]
    assert c.metadata["sent"] == 0 and c.metadata["already_sent"] == len(recorded)


# --- delivery: retries, dead endpoints, secrets -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_500_then_200_is_retried(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/hooks/flaky0042"
    world.server.expect_oneshot_request(path, method="POST").respond_with_data("busy", status=500)
    world.server.expect_request(path, method="POST").respond_with_data("ok")
    monkeypatch.setenv("TEST_FLAKY_WEBHOOK", world.server.url_for(path))
    write_config(
        world.paths, [{"name": "flaky", "url_env": "TEST_FLAKY_WEBHOOK", "format": "json"}]
    )
    run = world.run("flaky", PAGE_AND_NOTIFY)
    attempts = run.requests[path]
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert attempts[0]["key"] == f"review_written|{WEEK}"
    assert run.metadata["sent"] == 1 and run.metadata["failed"] == 0
    assert [
        r["event_key"]
        for r in run.snap["sent"]
        if r["webhook"] == "flaky" and r["outcome"] == "sent"
    ] == [f"review_written|{WEEK}"]


def test_dead_endpoints_do_not_fail_the_run_and_never_show_the_url(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # the test server's own access log (werkzeug: the receiving side) shows the paths it served
    caplog.set_level(logging.ERROR, logger="werkzeug")
    down_secret, broken_secret, query_secret = "downtoken0042", "brokentoken0042", "querytoken0042"
    down_url = f"http://127.0.0.1:{_free_port()}/services/{down_secret}"
    broken_path = f"/hooks/{broken_secret}"
    world.server.expect_request(broken_path, method="POST").respond_with_data("no", status=500)
    monkeypatch.setenv("TEST_DOWN_WEBHOOK", down_url)
    monkeypatch.setenv(
        "TEST_BROKEN_WEBHOOK", f"{world.server.url_for(broken_path)}?token={query_secret}"
    )
    monkeypatch.delenv("TEST_UNSET_WEBHOOK", raising=False)
    write_config(
        world.paths,
        [
            {"name": "down", "url_env": "TEST_DOWN_WEBHOOK", "format": "slack"},
            {"name": "broken", "url_env": "TEST_BROKEN_WEBHOOK", "format": "json"},
            {"name": "unset", "url_env": "TEST_UNSET_WEBHOOK", "format": "json"},
        ],
    )
    run = world.run("dead", PAGE_AND_NOTIFY)
    assert run.result.success
    assert len(run.requests[broken_path]) == 3  # 1 + retries: 2
    meta = run.metadata
    assert meta["sent"] == 0 and meta["failed"] == 2 and meta["webhooks_not_delivered"] == 3
    statuses = {o["webhook"]: o["status"] for o in meta["outcomes"]}
    assert statuses == {"down": "failed", "broken": "failed", "unset": "url_missing"}
    sent_hooks = {r["webhook"] for r in run.snap["sent"] if r["outcome"] == "sent"}
    assert not sent_hooks & {"down", "broken", "unset"}  # retried on a later run

    out, err = capfd.readouterr()
    messages = [e.message or "" for e in run.result.all_events]
    shown = "\n".join([out, err, caplog.text, *messages, json.dumps(meta, default=str)])
    assert "TEST_UNSET_WEBHOOK is not set" in shown
    assert "not delivered after 3 attempt(s): HTTP 500" in shown
    for secret in (down_secret, broken_secret, query_secret, down_url, world.server.url_for("/")):
        assert secret not in shown

    # The endpoint recovers: the next run delivers what failed (and nothing twice).
    world.server.clear_all_handlers()
    world.server.expect_request(broken_path, method="POST").respond_with_data("ok")
    for p in (SLACK_PATH, JSON_PATH):
        world.server.expect_request(p, method="POST").respond_with_data("ok")
    again = world.run("recovered", PAGE_AND_NOTIFY)
    assert [r["key"] for r in again.requests[broken_path]] == [f"review_written|{WEEK}"]
    assert again.metadata["sent"] == 1  # `down` is still down; `unset` still has no URL
    rerun = world.run("recovered-again", PAGE_AND_NOTIFY)
    assert broken_path not in rerun.requests


# --- settings -----------------------------------------------------------------------------------


def _settings(tmp_path: Path, section: Any) -> NotificationSettings:
    cfg = tmp_path / "reliability.yml"
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "reliability.yml").read_text())
    raw["notifications"] = section
    cfg.write_text(yaml.safe_dump(raw))
    return notification_settings(load_config(cfg))


def test_settings_defaults_and_errors_name_the_key(tmp_path: Path) -> None:
    s = _settings(tmp_path, {"webhooks": [{"name": "a", "url_env": "A_URL"}]})
    assert s.timeout_seconds == 5 and s.retries == 3 and s.webhooks[0].format == "slack"
    assert s.webhooks[0].events == ("decision_changed", "burn_alert_started", "review_written")
    assert (
        notification_settings(load_config(PROJECT_ROOT / "data" / "reliability.yml")).webhooks == ()
    )
    cases = {
        "notifications.webhooks[0].url_env": {"webhooks": [{"name": "a", "url_env": "no-dash"}]},
        "notifications.webhooks[1].format": {
            "webhooks": [
                {"name": "a", "url_env": "A"},
                {"name": "b", "url_env": "B", "format": "xml"},
            ]
        },
        "notifications.webhooks[0].events[0]": {
            "webhooks": [{"name": "a", "url_env": "A", "events": ["deploy"]}]
        },
        "notifications.webhooks[0].url": {"webhooks": [{"name": "a", "url_env": "A", "url": "x"}]},
        "notifications.timeout_seconds": {"timeout_seconds": 0},
        "notifications": {
            "webhooks": [{"name": "a", "url_env": "A"}, {"name": "a", "url_env": "B"}]
        },
    }
    for key, section in cases.items():
        with pytest.raises(ConfigError) as exc:
            _settings(tmp_path, section)
        assert exc.value.key == key, (key, str(exc.value))
        assert str(tmp_path / "reliability.yml") in str(exc.value)
