"""raw.notifications_sent: the event keys recorded per webhook (sent, or baseline: not sent).

The table is state, never replaced: it is created if missing, and each recorded event is inserted
in its own transaction right after its POST succeeded, so a crash loses at most that one record
(and that event is sent again: at least once).
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from reliability.notify.events import DECISION, Event

TABLE = "raw.notifications_sent"
COLUMNS = (
    "webhook VARCHAR NOT NULL, event_key VARCHAR NOT NULL, event_type VARCHAR NOT NULL, "
    "subject VARCHAR NOT NULL, value VARCHAR, outcome VARCHAR NOT NULL, "
    "recorded_at TIMESTAMP NOT NULL, PRIMARY KEY (webhook, event_key)"
)
SENT, BASELINE = "sent", "baseline"


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({COLUMNS})")


def recorded_keys(con: duckdb.DuckDBPyConnection, webhook: str) -> set[str]:
    rows = con.execute(f"SELECT event_key FROM {TABLE} WHERE webhook = ?", [webhook]).fetchall()
    return {r[0] for r in rows}


def last_decisions(con: duckdb.DuckDBPyConnection, webhook: str) -> dict[str, str]:
    """The last decision recorded (sent or baseline) per SLO for `webhook`."""
    rows = con.execute(
        f"SELECT subject, arg_max(value, recorded_at) FROM {TABLE} "
        "WHERE webhook = ? AND event_type = ? GROUP BY subject",
        [webhook, DECISION],
    ).fetchall()
    return dict(rows)


def record(con: duckdb.DuckDBPyConnection, webhook: str, event: Event, outcome: str) -> None:
    """Insert one event key in its own transaction."""
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [webhook, event.key, event.type, event.subject, event.value, outcome, now],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
