"""Postmortems: Markdown files with YAML front matter in `<landing>/postmortems/`, loaded into
raw.postmortems and raw.postmortem_action_items; a file with bad front matter goes to
raw.postmortem_rejects with the reason (never silently dropped).

The folder is the source of truth: every load rewrites the three tables in one transaction, so an
edited or removed file is reflected on the next run. The format is docs/postmortem-template.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from reliability.safe_yaml import YamlLimitError, load_limited
from reliability.transactions import rollback

FOLDER = "postmortems"
MAX_FILE_BYTES = 1024 * 1024  # a postmortem is a few KB of Markdown
MAX_FRONT_MATTER_CHARS = 64 * 1024
PRIORITIES = ("high", "medium", "low")
ITEM_STATUSES = ("open", "in_progress", "done")
REQUIRED_TEXT = ("summary", "impact", "root_cause")

POSTMORTEM_TABLES: dict[str, str] = {
    "postmortems": (
        "incident_id VARCHAR PRIMARY KEY, file_name VARCHAR NOT NULL, file_path VARCHAR NOT NULL, "
        "title VARCHAR, cause VARCHAR, summary VARCHAR NOT NULL, impact VARCHAR NOT NULL, "
        "root_cause VARCHAR NOT NULL, lessons VARCHAR NOT NULL, lesson_count INTEGER NOT NULL, "
        "action_item_count INTEGER NOT NULL, published_date DATE, body VARCHAR, "
        "file_sha256 VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL"
    ),
    "postmortem_action_items": (
        "action_item_id VARCHAR PRIMARY KEY, incident_id VARCHAR NOT NULL, "
        "item_number INTEGER NOT NULL, title VARCHAR NOT NULL, owner VARCHAR NOT NULL, "
        "priority VARCHAR NOT NULL, due_date DATE NOT NULL, status VARCHAR NOT NULL"
    ),
    "postmortem_rejects": (
        "file_name VARCHAR NOT NULL, file_path VARCHAR NOT NULL, reason VARCHAR NOT NULL, "
        "file_sha256 VARCHAR NOT NULL, rejected_at TIMESTAMP NOT NULL"
    ),
}


class PostmortemError(ValueError):
    """Why a postmortem file is rejected."""


@dataclass(frozen=True)
class ActionItem:
    number: int
    title: str
    owner: str
    priority: str
    due_date: date
    status: str


@dataclass(frozen=True)
class Postmortem:
    incident_id: str
    summary: str
    impact: str
    root_cause: str
    lessons: tuple[str, ...]
    action_items: tuple[ActionItem, ...]
    title: str | None = None
    cause: str | None = None
    published_date: date | None = None
    body: str = ""


@dataclass(frozen=True)
class Reject:
    path: Path
    reason: str
    sha256: str


@dataclass
class LoadedPostmortems:
    accepted: list[tuple[Path, str, Postmortem]] = field(default_factory=list)  # path, sha, pm
    rejects: list[Reject] = field(default_factory=list)

    @property
    def action_items(self) -> int:
        return sum(len(pm.action_items) for _, _, pm in self.accepted)


def split_front_matter(text: str) -> tuple[str, str]:
    """The YAML between the leading `---` lines, and the Markdown body after it."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise PostmortemError("no front matter: the file must start with a line '---'")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]).strip()
    raise PostmortemError("front matter not closed: no second line '---'")


def _text(meta: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PostmortemError(f"front matter key '{key}' is missing or empty")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PostmortemError(
            f"front matter key '{key}': expected text, got {type(value).__name__}"
        )
    return str(value).strip()


def _date(value: Any, key: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PostmortemError(f"{key}: expected a real date YYYY-MM-DD, got {value!r}")


def _lessons(meta: dict[str, Any]) -> tuple[str, ...]:
    value = meta.get("lessons")
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise PostmortemError("front matter key 'lessons': expected a non-empty list of text")


def _action_items(meta: dict[str, Any]) -> tuple[ActionItem, ...]:
    value = meta.get("action_items")
    if value is None:
        raise PostmortemError("front matter key 'action_items' is missing (use [] for none)")
    if not isinstance(value, list):
        raise PostmortemError("front matter key 'action_items': expected a list")
    items = []
    for n, item in enumerate(value, start=1):
        where = f"action_items[{n}]"
        if not isinstance(item, dict):
            raise PostmortemError(
                f"{where}: expected a mapping with title, owner, priority, due_date"
            )
        for key in ("title", "owner", "priority", "due_date"):
            if item.get(key) in (None, ""):
                raise PostmortemError(f"{where}: '{key}' is missing")
        priority = str(item["priority"]).strip().lower()
        if priority not in PRIORITIES:
            raise PostmortemError(
                f"{where}.priority: expected one of {list(PRIORITIES)}, got {priority!r}"
            )
        status = str(item.get("status") or "open").strip().lower()
        if status not in ITEM_STATUSES:
            raise PostmortemError(
                f"{where}.status: expected one of {list(ITEM_STATUSES)}, got {status!r}"
            )
        items.append(
            ActionItem(
                number=n,
                title=str(item["title"]).strip(),
                owner=str(item["owner"]).strip(),
                priority=priority,
                due_date=_date(item["due_date"], f"{where}.due_date"),
                status=status,
            )
        )
    return tuple(items)


def parse_postmortem(text: str) -> Postmortem:
    """Parse and validate one postmortem; raise PostmortemError with the reason."""
    raw, body = split_front_matter(text)
    try:
        meta = load_limited(raw, max_chars=MAX_FRONT_MATTER_CHARS, what="front matter")
    except YamlLimitError as exc:
        raise PostmortemError(str(exc)) from None
    if not isinstance(meta, dict):
        raise PostmortemError("front matter must be a YAML mapping of keys to values")
    incident_id = _text(meta, "incident_id")
    assert incident_id is not None
    published = meta.get("date")
    return Postmortem(
        incident_id=incident_id,
        summary=_text(meta, "summary") or "",
        impact=_text(meta, "impact") or "",
        root_cause=_text(meta, "root_cause") or "",
        lessons=_lessons(meta),
        action_items=_action_items(meta),
        title=_text(meta, "title", required=False),
        cause=(_text(meta, "cause", required=False) or "").lower() or None,
        published_date=_date(published, "date") if published not in (None, "") else None,
        body=body,
    )


def read_postmortems(landing: Path) -> LoadedPostmortems:
    """Every `*.md` file under `<landing>/postmortems/`, sorted by path; bad ones become rejects.

    A second file for an incident that already has one is rejected, naming the first file. A file
    over MAX_FILE_BYTES is rejected unread; no file, however malformed, stops the others loading.
    """
    out = LoadedPostmortems()
    folder = landing / FOLDER
    if not folder.is_dir():
        return out
    seen: dict[str, Path] = {}
    for path in sorted(p for p in folder.rglob("*.md") if p.is_file()):
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
            out.rejects.append(Reject(
                path, f"file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
                digest.hexdigest()))
            continue
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        try:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise PostmortemError("not UTF-8 text") from exc
            pm = parse_postmortem(text)
            if pm.incident_id in seen:
                raise PostmortemError(
                    f"incident {pm.incident_id} already has a postmortem: "
                    f"{seen[pm.incident_id].name}"
                )
        except PostmortemError as exc:
            out.rejects.append(Reject(path, str(exc), sha))
            continue
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            # a case the checks above do not name yet: still one reject, never a failed run
            out.rejects.append(Reject(path, f"cannot be read: {type(exc).__name__}: {exc}", sha))
            continue
        seen[pm.incident_id] = path
        out.accepted.append((path, sha, pm))
    return out


def table_rows(loaded: LoadedPostmortems, now: datetime) -> dict[str, list[tuple]]:
    """Rows of the three raw tables."""
    postmortems = [
        (
            pm.incident_id,
            path.name,
            str(path),
            pm.title,
            pm.cause,
            pm.summary,
            pm.impact,
            pm.root_cause,
            "\n".join(pm.lessons),
            len(pm.lessons),
            len(pm.action_items),
            pm.published_date,
            pm.body,
            sha,
            now,
        )
        for path, sha, pm in loaded.accepted
    ]
    items = [
        (
            f"{pm.incident_id}#{a.number}",
            pm.incident_id,
            a.number,
            a.title,
            a.owner,
            a.priority,
            a.due_date,
            a.status,
        )
        for _, _, pm in loaded.accepted
        for a in pm.action_items
    ]
    rejects = [(r.path.name, str(r.path), r.reason, r.sha256, now) for r in loaded.rejects]
    return {
        "postmortems": postmortems,
        "postmortem_action_items": items,
        "postmortem_rejects": rejects,
    }


def write_postmortem_tables(
    con: duckdb.DuckDBPyConnection, loaded: LoadedPostmortems, now: datetime
) -> dict[str, int]:
    """Replace raw.postmortems, raw.postmortem_action_items and raw.postmortem_rejects in one
    transaction."""
    rows = table_rows(loaded, now)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table, columns in POSTMORTEM_TABLES.items():
            con.execute(f"CREATE OR REPLACE TABLE raw.{table} ({columns})")
            if rows[table]:
                marks = ", ".join("?" for _ in rows[table][0])
                con.executemany(f"INSERT INTO raw.{table} VALUES ({marks})", rows[table])
        con.execute("COMMIT")
    except BaseException as exc:
        rollback(con, exc)
        raise
    return {t: len(r) for t, r in rows.items()}
