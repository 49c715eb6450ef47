"""Readers: how each file format becomes rows of (source values, record number, raw text).

DuckDB does all parsing (read_csv / read_json-style line reads / read_parquet / regexp); no file is
ever loaded into Python objects.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from reliability.ingest.contract import Dataset
from reliability.ingest.parsing import (
    ACCESS_LOG_GROUPS,
    ACCESS_LOG_PATTERN,
    REQUEST_LINE_PATTERN,
    ident,
    quote,
)
from reliability.ingest.redaction import accesslog_redact, csv_redact, jsonl_redact, mask_common

FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".log": "accesslog",
}


class FileError(Exception):
    """A file that is not what it claims to be; the message says what to fix."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def file_format(path: Path) -> str | None:
    """The format of a landing file from its name (a trailing .gz is allowed), or None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return FORMATS.get(suffixes[-1]) if suffixes else None


@dataclass
class Source:
    """A FROM clause plus, per contract column, the source expression and its DuckDB type.

    `from_sql` yields the records in file order; a `_record` column (1-based) only when
    `numbered`, else the record number is the position in the order-preserving stage table.
    `extra_sql` and `raw_sql` are evaluated after the reject reason, only for the rows that need
    them (good and rejected rows respectively), and may use only the expressions in `carry`.
    With `extra_parts` (name -> expression over `carry`), only those parts are staged (for good
    rows) and `extra_sql`, written over the part names, is evaluated when the stage is read.
    """

    from_sql: str
    columns: dict[str, tuple[str, str]]
    extra_sql: str = "NULL"
    extra_parts: dict[str, str] = field(default_factory=dict)
    raw_sql: str = "NULL"
    structural_sql: str = "NULL"
    carry: list[str] = field(default_factory=list)
    numbered: bool = False
    csv_rejects: str | None = None
    line_rejects: str | None = None
    redact: Callable[[str], str] = mask_common
    notes: list[str] = field(default_factory=list)


def _reader_sql(path: Path, tag: str | None = None, skip_bad: bool = False) -> str:
    """Read a (possibly gzipped) text file one line per row, in file order (not numbered).

    With `tag`, a line that cannot be read (not UTF-8, longer than DuckDB's maximum line size)
    is left out and noted in the temp table `rw_rej_<tag>` (its line number, text and cause);
    with `skip_bad`, it is only left out.

    A gzipped file is decompressed by one thread, so its parse runs on that thread too. Copying
    its lines into a temp table first (to parse them in parallel) cost more CPU than it saved
    and, for large files, spilled gigabytes of lines to disk.
    """
    skip = ""
    if tag is not None:
        skip = (
            f", ignore_errors=true, store_rejects=true, rejects_table='rw_rej_{tag}', "
            f"rejects_scan='rw_scan_{tag}'"
        )
    elif skip_bad:
        skip = ", ignore_errors=true"
    return (
        f"read_csv({quote(str(path))}, columns={{'line': 'VARCHAR'}}, header=false, sep='', "
        f"quote='', escape='', auto_detect=false, strict_mode=false{skip})"
    )


def _lines_sql(path: Path, tag: str | None = None) -> str:
    """Read a (possibly gzipped) text file one line per row, numbered from 1 (the readable
    lines; with `tag`, unreadable lines are left out, see `_reader_sql`)."""
    return f"(SELECT row_number() OVER () AS _record, line FROM {_reader_sql(path, tag)})"


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, numbers: list[int]) -> dict[int, str]:
    """The text of the given 1-based line numbers of a file.

    A line DuckDB cannot read as text (not UTF-8, too long) is skipped by the reader; when there
    are such lines, the positions of the wanted lines are worked out again without them and
    their own text is the (shortened, repaired) text DuckDB reports.
    """
    if not numbers:
        return {}
    wanted = sorted({int(n) for n in numbers})

    def fetch(positions: dict[int, int]) -> dict[int, str]:
        listed = ", ".join(str(p) for p in sorted(positions)) or "NULL"
        rows = con.execute(
            f"SELECT _record, line FROM {_lines_sql(path, 'rl')} WHERE _record IN ({listed})"
        ).fetchall()
        return {positions[int(p)]: (line or "") for p, line in rows}

    try:
        got = fetch({n: n for n in wanted})
        skipped = dict(con.execute(
            "SELECT line, min(csv_line) FROM rw_rej_rl GROUP BY line").fetchall())
        if skipped:
            positions = {}
            for n in wanted:
                if n not in skipped:
                    positions[n - sum(1 for s in skipped if s < n)] = n
            got = {n: skipped[n] or "" for n in wanted if n in skipped}
            con.execute("DROP TABLE IF EXISTS rw_rej_rl")
            got.update(fetch(positions))
        return got
    finally:
        con.execute("DROP TABLE IF EXISTS rw_rej_rl")
        con.execute("DROP TABLE IF EXISTS rw_scan_rl")


def _describe(
    con: duckdb.DuckDBPyConnection, sql: str, path: Path, what: str
) -> list[tuple[str, str]]:
    """The columns of a file's reader. Asked on a cursor of its own, so that a failure does not
    abort the load's transaction (the CSV reader then tries another way)."""
    probe = con.cursor()
    try:
        return [(r[0], r[1]) for r in probe.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()]
    except duckdb.Error as exc:
        raise FileError(path, f"cannot be read as {what}: {_first_line(exc)}") from exc
    finally:
        probe.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_required(path: Path, dataset: Dataset, present: set[str]) -> None:
    missing = [c for c in dataset.required if c not in present]
    if missing:
        raise FileError(
            path,
            f"missing required column(s) {', '.join(missing)} for dataset '{dataset.name}' "
            f"(found: {', '.join(sorted(present)) or 'none'}); add the column or move the file "
            "to the right dataset folder",
        )


def _struct(cols: list[str]) -> str:
    """A struct of the given source columns (carried to where `_extra` / `_raw` are computed)."""
    return "struct_pack(" + ", ".join(f"{ident(c)} := {ident(c)}" for c in cols) + ")"


def _redacted_struct(cols: list[str], user_keys: set[str], salt: str) -> str:
    """A struct of the source columns, user keys hashed as an accepted row stores them."""
    def value(c: str) -> str:
        if c.strip().lower() in user_keys:
            return f"sha256({quote(salt)} || nullif(trim(CAST({ident(c)} AS VARCHAR)), ''))"
        return ident(c)
    return "struct_pack(" + ", ".join(f"{ident(c)} := {value(c)}" for c in cols) + ")"


def _json(carried: str) -> str:
    """JSON text of a carried struct."""
    return f"CAST(to_json({carried}) AS VARCHAR)"


def csv_source(
    con: duckdb.DuckDBPyConnection, path: Path, dataset: Dataset, tag: str,
    salt: str = "reliability-warehouse",
) -> Source:
    """CSV with a header; every value read as text; malformed lines go to DuckDB's rejects table."""
    base = (
        f"read_csv({quote(str(path))}, all_varchar=true, header=true, delim=',', quote='\"', "
        "escape='\"'"
    )
    try:
        cols = _describe(con, base + ", ignore_errors=true)", path, "CSV")
    except FileError as exc:
        # DuckDB's sniffer gives up on a sample with an unreadable line (too long, not UTF-8):
        # the columns are then those of the header line, and such lines become rejects.
        if not any(t in str(exc.__cause__) for t in ("Maximum line size", "Invalid unicode")):
            raise
        cols = [(c, "VARCHAR") for c in _header_columns(con, path)]
        spec = ", ".join(f"{quote(c)}: 'VARCHAR'" for c, _ in cols)
        base += f", columns={{{spec}}}, auto_detect=false"
    by_name = {c.strip().lower(): c for c, _ in cols}
    _check_required(path, dataset, set(by_name))
    extras = [c for c, _ in cols if c.strip().lower() not in dataset.names]
    keys = [i for i, (c, _) in enumerate(cols) if c.strip().lower() in _user_keys(dataset)]
    reader = (
        f"{base}, store_rejects=true, rejects_table='rw_rej_{tag}', "
        f"rejects_scan='rw_scan_{tag}')"
    )
    return Source(
        from_sql=reader,
        columns={n: (ident(by_name[n]), "VARCHAR") for n in dataset.names if n in by_name},
        extra_sql=_json("_rw_extra") if extras else "NULL",
        carry=[f"{_struct(extras)} AS _rw_extra"] if extras else [],
        csv_rejects=f"rw_rej_{tag}",
        redact=lambda text: csv_redact(text, keys[0] if keys else None, salt),
    )


def _header_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The column names in a CSV file's first line (names repeated get a suffix, as DuckDB's)."""
    try:
        row = con.execute(f"SELECT line FROM {_reader_sql(path, skip_bad=True)} LIMIT 1").fetchone()
    except duckdb.Error as exc:
        raise FileError(path, f"cannot be read as CSV: {_first_line(exc)}") from exc
    header = (row[0] if row else None) or ""
    names = next(csv.reader([header.lstrip("\ufeff").rstrip("\r")]), [])
    out: list[str] = []
    for i, name in enumerate(names):
        name = name or f"column{i}"
        while name in out:
            name += "_1"
        out.append(name)
    if not out:
        raise FileError(path, "cannot be read as CSV: no header line")
    return out


def _user_keys(dataset: Dataset) -> set[str]:
    return {c.name for c in dataset.columns if c.kind == "user_key"}


def jsonl_source(
    path: Path, dataset: Dataset, con: duckdb.DuckDBPyConnection | None = None,
    salt: str = "reliability-warehouse", tag: str | None = None,
) -> Source:
    """JSON Lines: each line parsed by DuckDB's JSON functions; a bad line rejects only itself.

    A good line is parsed twice: once for the contract values (`try` turns a malformed line into
    NULL, and a valid JSON text starting with '{' is an object) and once for its keys; the unknown
    keys are only written out (`_extra`) when there are some. The exact reason of a bad line is
    worked out for bad lines only. With `con`, a file whose first line opens a JSON array is
    refused (a pretty-printed JSON document is not JSON Lines).
    """
    if con is not None:
        _refuse_json_array(path)
    reader = _reader_sql(path, tag)
    paths = ", ".join(quote(f'$."{n}"') for n in dataset.names)
    names = ", ".join(quote(n) for n in dataset.names)
    nulls = quote("{" + ", ".join(f'"{n}": null' for n in dataset.names) + "}")
    obj = (  # JSON's white space: space, tab, line feed, carriage return
        "CASE WHEN starts_with(line, '{') THEN true "
        "ELSE starts_with(ltrim(line, ' ' || chr(9) || chr(10) || chr(13)), '{') END"
    )
    inner = (
        f"(SELECT line, CASE WHEN {obj} THEN try(json_extract_string(line, [{paths}])) END "
        f"AS _vals FROM {reader})"
    )
    return Source(
        from_sql=inner,
        columns={n: (f"_vals[{i + 1}]", "VARCHAR") for i, n in enumerate(dataset.names)},
        # A key outside the contract: `len(list_filter(...)) > 0` costs half what
        # `NOT list_has_all(...)` does (about 0.2 CPU s per million lines).
        extra_sql=(
            "CASE WHEN _vals IS NOT NULL THEN CASE WHEN len(list_filter(json_keys(line), "
            f"lambda k: k NOT IN ({names}))) > 0 THEN "
            f"nullif(CAST(json_merge_patch(line, {nulls}) AS VARCHAR), '{{}}') END END"
        ),
        raw_sql=jsonl_redact("line", salt),
        carry=["line", "_vals"],
        structural_sql=JSONL_STRUCTURAL,
        line_rejects=f"rw_rej_{tag}" if tag is not None else None,
        redact=lambda text: jsonl_redact(text, salt),
    )


def _refuse_json_array(path: Path) -> None:
    """A file whose first character (after white space) is '[' holds a JSON array (perhaps
    pretty-printed): its objects span or share lines, so a line-by-line load would keep only
    some. Only the file's first bytes are read (a DuckDB scan would decompress far more)."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            for _ in range(16):  # at most 1 MB of leading white space
                chunk = fh.read(1 << 16)
                head = chunk.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
                if head or not chunk:
                    break
    except (OSError, EOFError) as exc:
        raise FileError(path, f"cannot be read as jsonl: {exc}") from exc
    if head.startswith(b"["):
        raise FileError(
            path,
            "holds a JSON array, not JSON Lines (one JSON object per line); convert it, e.g. "
            "`jq -c '.[]' file.json > file.jsonl`",
        )


# Why a line gave no values (`_vals` NULL); evaluated for those lines only.
JSONL_STRUCTURAL = (
    "CASE WHEN _vals IS NULL THEN CASE WHEN line IS NULL THEN 'empty or unreadable line' "
    "WHEN NOT json_valid(line) THEN 'not valid JSON' "
    "WHEN json_type(line) <> 'OBJECT' THEN 'not a JSON object' END END"
)


def parquet_source(
    con: duckdb.DuckDBPyConnection, path: Path, dataset: Dataset,
    salt: str = "reliability-warehouse",
) -> Source:
    """Parquet: native types are used as they are (no text round trip)."""
    base = f"read_parquet({quote(str(path))}"
    cols = _describe(con, base + ")", path, "Parquet")
    types = {c.strip().lower(): (c, t) for c, t in cols}
    _check_required(path, dataset, set(types))
    extras = [c for c, _ in cols if c.strip().lower() not in dataset.names]
    return Source(
        from_sql=(
            f"(SELECT file_row_number + 1 AS _record, * EXCLUDE (file_row_number) "
            f"FROM {base}, file_row_number=true))"
        ),
        columns={n: (ident(types[n][0]), types[n][1]) for n in dataset.names if n in types},
        extra_sql=_json("_rw_extra") if extras else "NULL",
        raw_sql=mask_common(_json("_rw_row")),
        carry=[f"{_redacted_struct([c for c, _ in cols], _user_keys(dataset), salt)} AS _rw_row"]
        + ([f"{_struct(extras)} AS _rw_extra"] if extras else []),
        numbered=True,
    )


# Most access-log lines are taken apart with plain string functions, which is exact when the line
# has no backslash and exactly the six structural double quotes: then the quoted parts (request,
# referer, user agent) match anything, and the rest of ACCESS_LOG_PATTERN is checked by
# capture-free (DFA) matches of the unquoted parts. Other lines use the pattern's capture groups,
# which cost several times more. Likewise for the request line.
# The unquoted parts of ACCESS_LOG_PATTERN, between its three quoted fields: before the request
# (`_p[1]`), between request and referer (`_p[3]`, status and bytes), between referer and user
# agent (`_p[5]`, one space) and after the user agent (`_p[7]`, the optional request time). None
# can hold a double quote, so a line split on its six quotes matches the pattern exactly when
# each part matches its piece.
ACCESS_LOG_PARTS = (
    r"\S+ \S+ \S+ \[[^\]]+\] ",
    r" (\d{3}|-) (\d+|-) ",
    r"(?: ([0-9.]+|-))?\s*",
)
_WS = "chr(9) || chr(12) || chr(13)"  # RE2's \s besides ' ' and \n (no \n within a line)


def _split_log_sql(reader: str) -> str:
    """line, `_fast` and the parts of each line split on double quotes (`_p`) and spaces (`_hs`)."""
    head, mid, tail = (quote(p) for p in ACCESS_LOG_PARTS)
    fast = (
        "coalesce(CASE WHEN len(_p) = 7 AND _p[5] = ' ' AND NOT contains(line, '\\') "
        f"THEN regexp_full_match(_p[3], {mid}) AND regexp_full_match(_p[7], {tail}) "
        f"AND regexp_full_match(_p[1], {head}) END, false)"
    )
    return (
        "(SELECT line, _p, _hs, _fast, "
        "length(_hs[1]) + length(_hs[2]) + length(_hs[3]) + 3 AS _pre FROM ("
        "SELECT line, _p, CASE WHEN _fast THEN string_split(_p[1], ' ') END AS _hs, _fast FROM ("
        f"SELECT line, _p, {fast} AS _fast FROM ("
        f"SELECT line, string_split(line, '\"') AS _p FROM {reader}))))"
    )


def _split_log_struct() -> str:
    """The ACCESS_LOG_PATTERN groups of a line that passed the `_fast` test.

    `_p[1]` is 'client ident user [time] ', `_p[3]` ' status bytes ', `_p[7]` the tail: nothing
    or ' ' + request time, then optional white space.
    """
    fields = {
        "client": "_hs[1]",
        "remote_user": "_hs[3]",
        "time_local": "substring(_p[1], _pre + 2, length(_p[1]) - _pre - 3)",
        "request": "_p[2]",
        "status": "split_part(_p[3], ' ', 2)",
        "bytes": "split_part(_p[3], ' ', 3)",
        "referer": "_p[4]",
        "user_agent": "_p[6]",
        "request_time": f"rtrim(split_part(_p[7], ' ', 2), {_WS})",
    }
    assert tuple(fields) == ACCESS_LOG_GROUPS
    return "struct_pack(" + ", ".join(f"{k} := {v}" for k, v in fields.items()) + ")"


def accesslog_source(path: Path, service: str, salt: str, tag: str | None = None) -> Source:
    """nginx/Apache combined access log, with an optional trailing $request_time (seconds)."""
    reader = _reader_sql(path, tag)
    groups = ", ".join(quote(g) for g in ACCESS_LOG_GROUPS)
    regex_m = f"regexp_extract(line, {quote(ACCESS_LOG_PATTERN)}, [{groups}])"
    # A matching request line is 'METHOD TARGET[ HTTP/x.y]' with no other spaces.
    regex_rq = f"regexp_extract(m.request, {quote(REQUEST_LINE_PATTERN)}, ['method', 'target'])"
    split_rq = (
        "struct_pack(method := split_part(m.request, ' ', 1), "
        "target := split_part(m.request, ' ', 2))"
    )
    inner = (
        "(SELECT line, m, rq, "
        "CASE WHEN _rq_ok THEN split_part(rq.target, '?', 1) "
        "ELSE regexp_replace(rq.target, '\\?.*$', '') END AS route, "
        "CAST(try_strptime(m.time_local, '%d/%b/%Y:%H:%M:%S %z') AS TIMESTAMP) AS ts "
        f"FROM (SELECT line, m, _rq_ok, CASE WHEN _rq_ok THEN {split_rq} ELSE {regex_rq} END AS rq "
        f"FROM (SELECT line, m, coalesce(regexp_full_match(m.request, "
        f"{quote(REQUEST_LINE_PATTERN)}), false) AS _rq_ok "
        f"FROM (SELECT line, CASE WHEN _fast THEN {_split_log_struct()} ELSE {regex_m} END AS m "
        f"FROM {_split_log_sql(reader)}))))"
    )
    latency = (
        "CASE WHEN m.request_time IN ('', '-') THEN NULL "
        "ELSE TRY_CAST(m.request_time AS DOUBLE) * 1000 END"
    )
    return Source(
        from_sql=inner,
        columns={
            "timestamp": ("ts", "TIMESTAMP"),
            "service": (quote(service), "VARCHAR"),
            "route": ("route", "VARCHAR"),
            "status": ("CASE WHEN m.status <> '-' THEN m.status END", "VARCHAR"),
            "method": ("rq.method", "VARCHAR"),
            "latency_ms": (latency, "DOUBLE"),
            "user_key": (
                "CASE WHEN m.remote_user NOT IN ('', '-') THEN m.remote_user END", "VARCHAR"
            ),
        },
        # Staged as its (shorter) parts and put together when the stage is read: a smaller
        # stage spills less.
        extra_parts={
            "_x_ok": "m.status <> ''", "_x_client": "m.client", "_x_bytes": "m.bytes",
            "_x_referer": "m.referer", "_x_agent": "m.user_agent",
        },
        extra_sql=(
            "CASE WHEN _x_ok THEN CAST(json_object("
            f"'client_hash', sha256({quote(salt)} || _x_client), "
            "'bytes_sent', TRY_CAST(_x_bytes AS BIGINT), 'referer', nullif(_x_referer, '-'), "
            "'user_agent', _x_agent) AS VARCHAR) END"
        ),
        raw_sql=accesslog_redact("line", salt),
        carry=["line", "m"],
        line_rejects=f"rw_rej_{tag}" if tag is not None else None,
        redact=lambda text: accesslog_redact(text, salt),
        structural_sql=(
            "CASE WHEN line IS NULL THEN 'empty or unreadable line' "
            "WHEN m.status = '' "
            "THEN 'not a combined-format access log line (cut short or garbled)' "
            "WHEN ts IS NULL THEN 'time: cannot read ' || m.time_local "
            "WHEN rq.method = '' "
            "THEN 'request: ' || m.request || ' is not \"METHOD PATH PROTOCOL\"' "
            "END"
        ),
    )
