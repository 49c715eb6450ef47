"""SQL expressions that type and validate one contract column, and the access-log pattern.

Every expression works on a DuckDB column reference and returns NULL for an empty value; the
matching `problem` expression is non-NULL (a reason text) when the value cannot be accepted.
"""

from __future__ import annotations

from datetime import datetime

from reliability.ingest.contract import Column

# DuckDB macros installed on the loading connection (temporary: they vanish with it).
MACROS = r"""
CREATE OR REPLACE TEMP MACRO rw_text(v) AS nullif(trim(CAST(v AS VARCHAR)), '');
CREATE OR REPLACE TEMP MACRO rw_epoch(d) AS CASE
    WHEN d IS NULL OR abs(d) >= 1e14 THEN NULL
    WHEN abs(d) >= 1e11 THEN make_timestamp(CAST(d * 1000 AS BIGINT))
    ELSE make_timestamp(CAST(d * 1000000 AS BIGINT)) END;
CREATE OR REPLACE TEMP MACRO rw_ts(v) AS CASE
    WHEN v IS NULL THEN NULL
    WHEN contains(v, ':') THEN CAST(TRY_CAST(v AS TIMESTAMPTZ) AS TIMESTAMP)  -- not a number
    WHEN regexp_full_match(v, '-?[0-9]+(\.[0-9]+)?') THEN rw_epoch(TRY_CAST(v AS DOUBLE))
    ELSE CAST(TRY_CAST(v AS TIMESTAMPTZ) AS TIMESTAMP) END;
CREATE OR REPLACE TEMP MACRO rw_finite(d) AS CASE WHEN isfinite(d) THEN d END;
CREATE OR REPLACE TEMP MACRO rw_int(d) AS CASE WHEN d = trunc(d) THEN TRY_CAST(d AS INTEGER) END;
"""


def range_macros(earliest: datetime, latest: datetime, described: str) -> str:
    """Macros of the accepted timestamp range (`rw_earliest()`, `rw_latest()`, `rw_range()`)."""
    first, last = (quote(f"{t:%Y-%m-%d %H:%M:%S}") for t in (earliest, latest))
    return (
        f"CREATE OR REPLACE TEMP MACRO rw_earliest() AS TIMESTAMP {first};"
        f"CREATE OR REPLACE TEMP MACRO rw_latest() AS TIMESTAMP {last};"
        f"CREATE OR REPLACE TEMP MACRO rw_range() AS {quote(described)};"
    )

# nginx/Apache "combined" log format, optionally followed by $request_time in seconds.
ACCESS_LOG_PATTERN = (
    r'^(\S+) \S+ (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-) '
    r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(?: ([0-9.]+|-))?\s*$'
)
ACCESS_LOG_GROUPS = (
    "client", "remote_user", "time_local", "request", "status", "bytes", "referer",
    "user_agent", "request_time",
)
REQUEST_LINE_PATTERN = r"^([A-Z]+) (\S+)(?: HTTP/[0-9.]+)?$"


def quote(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _numeric(src_type: str) -> bool:
    return src_type.upper() in {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE",
    } or src_type.upper().startswith("DECIMAL")


def _fractional(src_type: str) -> bool:
    return src_type.upper() in {"FLOAT", "DOUBLE", "REAL"} or src_type.upper().startswith("DECIMAL")


def never_blank(src_type: str) -> bool:
    """Whether a non-NULL value of this type never reads as blank text (rw_text non-NULL).

    Numbers and timestamps always print as some digits, so `rw_text(v) IS NULL` is just
    `v IS NULL`, without formatting every value as text.
    """
    return _numeric(src_type) or src_type.upper().startswith(("TIMESTAMP", "DATE"))


def typed_value(
    col: Column, src: str, src_type: str, salt: str, text: str | None = None
) -> str:
    """The expression giving the column's stored value from source expression `src`.

    `text`, when given, is a column holding `rw_text(src)` (computed once for all uses).
    """
    numeric = _numeric(src_type)
    kind = col.kind
    txt = text or f"rw_text({src})"
    if kind == "timestamp":
        if src_type.upper() in {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"}:
            return f"CAST({src} AS TIMESTAMP)"
        if src_type.upper().startswith("TIMESTAMP"):
            return f"CAST({src} AS TIMESTAMP)"
        if numeric:
            return f"rw_epoch(CAST({src} AS DOUBLE))"
        return f"rw_ts({txt})"
    if kind == "integer":  # 499.6 is not an integer (a cast would round it to 500)
        if numeric and not _fractional(src_type):
            return f"TRY_CAST({src} AS INTEGER)"
        if numeric:
            return f"rw_int(CAST({src} AS DOUBLE))"
        return f"rw_int(TRY_CAST({txt} AS DOUBLE))"
    if kind == "double":  # NaN, Infinity (and 1e309, read as Infinity) are not accepted
        return f"rw_finite({f'CAST({src} AS DOUBLE)' if numeric else f'TRY_CAST({txt} AS DOUBLE)'})"
    if kind == "decimal":
        return f"TRY_CAST({txt} AS DECIMAL(18, 4))"
    if kind == "user_key":  # hashed when the stage is read (finished_value)
        return txt
    if kind == "currency":
        return f"upper({txt})"
    if col.strip_query:
        return (  # most routes have no query string: test before splitting
            f"CASE WHEN contains({txt}, '?') THEN nullif(rtrim(split_part({txt}, '?', 1)), '') "
            f"ELSE {txt} END"
        )
    return f"lower({txt})" if col.lower else txt


def finished_value(col: Column, stored: str, salt: str) -> str | None:
    """The final value of a column whose stage holds an intermediate (`stored`), else None.

    User keys are staged as their text (shorter than the hash) and hashed when read.
    """
    if col.kind == "user_key":
        return f"sha256({quote(salt)} || {stored})"
    return None


def problem(
    col: Column, value: str, src: str, dataset: str, src_type: str = "VARCHAR",
    text: str | None = None,
) -> str | None:
    """A reason text when the stored `value` (from source `src`, of type `src_type`) is not
    acceptable, else NULL. `text`: a column holding `rw_text(src)`, if there is one."""
    name = col.name
    txt = text or f"rw_text({src})"
    given = src if never_blank(src_type) else txt  # NULL exactly when the value is blank
    present = f"{given} IS NOT NULL"
    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append((f"{given} IS NULL", f"{name}: required value is missing"))
    if col.kind in {"timestamp", "integer", "double", "decimal"}:
        expected = {
            "timestamp": "an ISO 8601 timestamp (with offset, else UTC) or epoch seconds/ms",
            "integer": "an integer",
            "double": "a finite number",
            "decimal": "a decimal number",
        }[col.kind]
        checks.append(
            (f"{present} AND {value} IS NULL",
             f"'{name}: cannot read ' || {txt} || ' as {expected}'")
        )
    if col.kind == "timestamp":
        shown = f"{txt} || ' = ' || " if text is not None else ""
        checks.append(
            (f"{value} IS NOT NULL AND ({value} < rw_earliest() OR {value} > rw_latest())",
             f"'{name}: ' || {shown}strftime({value}, '%Y-%m-%d %H:%M:%S') "
             "|| ' is outside the accepted range ' || rw_range()")
        )
    if col.strip_query:
        checks.append((f"{given} IS NOT NULL AND {value} IS NULL",
                       f"'{name}: ' || {txt} || ' has no path before its query string'"))
    if col.allowed:
        allowed = ", ".join(quote(a) for a in col.allowed)
        checks.append(
            (f"{value} IS NOT NULL AND {value} NOT IN ({allowed})",
             f"'{name}: ' || {value} || ' is not one of {'/'.join(col.allowed)}'")
        )
    if col.kind == "currency":
        checks.append(
            (f"{value} IS NOT NULL AND NOT regexp_full_match({value}, '[A-Z]{{3}}')",
             f"'{name}: ' || {value} || ' is not an ISO 4217 code'")
        )
    if dataset == "requests" and name == "status":
        checks.append(
            (f"{value} IS NOT NULL AND ({value} < 100 OR {value} > 599)",
             f"'status: ' || {value} || ' is not an HTTP status (100..599)'")
        )
    if dataset == "requests" and name == "latency_ms":
        checks.append(
            (f"{value} IS NOT NULL AND {value} < 0", f"'latency_ms: ' || {value} || ' is negative'")
        )
    if not checks:
        return None
    cases = " ".join(
        f"WHEN {cond} THEN {msg if msg.startswith(chr(39)) else quote(msg)}" for cond, msg in checks
    )
    return f"CASE {cases} END"
