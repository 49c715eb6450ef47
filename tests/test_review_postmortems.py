"""Postmortem files: parsing, every reject reason, the raw tables, the template and demo files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from reliability.demo.postmortems import write_demo_postmortems
from reliability.review.postmortems import (
    PostmortemError,
    parse_postmortem,
    read_postmortems,
    write_postmortem_tables,
)
from reliability.settings import PROJECT_ROOT

GOOD = """---
incident_id: INC-7
title: Checkout errors
date: 2026-11-20
cause: Bad-Deploy
summary: Checkout failed for a third of requests.
impact: 40 minutes of failed payments.
root_cause: A release broke the payment client.
lessons:
  - Canary first.
action_items:
  - title: Add a canary stage
    owner: payments
    priority: high
    due_date: 2026-12-04
  - title: Alert on burn rate
    owner: sre
    priority: Medium
    due_date: 2026-12-11
    status: done
---
# Body
Free text.
"""


def test_parse_a_good_postmortem() -> None:
    pm = parse_postmortem(GOOD)
    assert pm.incident_id == "INC-7"
    assert pm.cause == "bad-deploy"
    assert pm.published_date == date(2026, 11, 20)
    assert pm.lessons == ("Canary first.",)
    assert [(a.owner, a.priority, a.due_date, a.status) for a in pm.action_items] == [
        ("payments", "high", date(2026, 12, 4), "open"),
        ("sre", "medium", date(2026, 12, 11), "done"),
    ]
    assert pm.body.startswith("# Body")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("# no front matter\n", "no front matter"),
        ("---\nincident_id: INC-1\n", "not closed"),
        ("---\nincident_id: [unclosed\n---\n", "not valid YAML"),
        ("---\n- a list\n---\n", "must be a YAML mapping"),
        (GOOD.replace("incident_id: INC-7\n", ""), "'incident_id' is missing"),
        (GOOD.replace("root_cause: A release broke the payment client.\n", ""), "'root_cause'"),
        (GOOD.replace("  - Canary first.\n", "").replace("lessons:\n", "lessons: []\n"), "lessons"),
        (GOOD.replace("    owner: payments\n", ""), "action_items[1]: 'owner' is missing"),
        (GOOD.replace("priority: high", "priority: urgent"), "action_items[1].priority"),
        (GOOD.replace("due_date: 2026-12-04", "due_date: next week"), "action_items[1].due_date"),
        (GOOD.replace("    status: done\n", "    status: maybe\n"), "action_items[2].status"),
        (GOOD.split("action_items:")[0] + "---\n", "'action_items' is missing"),
    ],
)
def test_bad_front_matter_is_rejected_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(PostmortemError, match=None) as info:
        parse_postmortem(text)
    assert reason in str(info.value)


def test_folder_load_keeps_rejects_and_writes_tables(tmp_path: Path) -> None:
    folder = tmp_path / "postmortems" / "2026"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(GOOD)
    (folder / "b.md").write_text(GOOD.replace("Checkout errors", "Copy"))  # same incident
    (folder / "c.md").write_text("no front matter")
    (folder / "d.md").write_bytes(b"---\n\xff\xfe\n---\n")
    (folder / "notes.txt").write_text("ignored: not Markdown")
    loaded = read_postmortems(tmp_path)
    assert [p.name for p, _, _ in loaded.accepted] == ["a.md"]
    reasons = {r.path.name: r.reason for r in loaded.rejects}
    assert reasons["b.md"] == "incident INC-7 already has a postmortem: a.md"
    assert "no front matter" in reasons["c.md"]
    assert reasons["d.md"] == "not UTF-8 text"

    con = duckdb.connect()
    now = datetime(2026, 11, 23, tzinfo=UTC).replace(tzinfo=None)
    counts = write_postmortem_tables(con, loaded, now)
    assert counts == {"postmortems": 1, "postmortem_action_items": 2, "postmortem_rejects": 3}
    assert con.execute(
        "SELECT action_item_id, priority, status FROM raw.postmortem_action_items ORDER BY 1"
    ).fetchall() == [("INC-7#1", "high", "open"), ("INC-7#2", "medium", "done")]
    # the folder is the source of truth: a second load replaces, never appends
    write_postmortem_tables(con, read_postmortems(tmp_path), now)
    assert con.execute("SELECT count(*) FROM raw.postmortem_rejects").fetchone() == (3,)


def test_no_folder_loads_nothing(tmp_path: Path) -> None:
    loaded = read_postmortems(tmp_path)
    assert loaded.accepted == [] and loaded.rejects == []


def test_the_template_in_the_repository_is_a_valid_postmortem() -> None:
    text = (PROJECT_ROOT / "docs" / "postmortem-template.md").read_text()
    pm = parse_postmortem(text)
    assert pm.action_items and all(a.owner and a.due_date for a in pm.action_items)


def test_demo_postmortems_follow_the_demo_incidents(tmp_path: Path) -> None:
    assert write_demo_postmortems(tmp_path) == []  # no demo incidents: nothing written
    incidents = tmp_path / "incidents"
    incidents.mkdir()
    header = (
        "incident_id,service,started_at,detected_at,resolved_at,severity,title,journey,"
        "caused_by_deployment_id,root_cause_sha,postmortem_url\n"
    )
    rows = [
        "INC-0001,checkout-api,2026-11-02T10:00:00Z,2026-11-02T10:05:00Z,2026-11-02T11:00:00Z,"
        "sev1,checkout-api: database failover,checkout,,,https://wiki/1",
        "INC-0002,catalog-api,2026-11-03T10:00:00Z,,2026-11-03T10:30:00Z,sev3,x,,,,",
        "INC-0003,checkout-api,2026-11-09T10:00:00Z,,2026-11-09T12:00:00Z,sev2,"
        "checkout-api: elevated 5xx errors,checkout,,,https://wiki/3",
    ]
    (incidents / "demo-incidents.csv").write_text(header + "\n".join(rows) + "\n")
    first = write_demo_postmortems(tmp_path)
    assert [p.name for p in first] == ["demo-inc-0001.md", "demo-draft.md"]
    contents = [p.read_text() for p in first]
    assert write_demo_postmortems(tmp_path) == first  # idempotent
    assert [p.read_text() for p in first] == contents
    loaded = read_postmortems(tmp_path)
    assert [pm.incident_id for _, _, pm in loaded.accepted] == ["INC-0001"]
    assert loaded.accepted[0][2].cause == "database-failover"
    assert [r.path.name for r in loaded.rejects] == ["demo-draft.md"]  # newest one is "missing"
