"""Load a dataset's new landing files into its raw table: idempotent, incremental, all-or-nothing.

One call is one transaction: every new file of the dataset is read, its bad rows are kept in
`raw.rejects` with the reason, its good rows are merged by the dataset's key, and the file's
checksum is recorded in `raw.loaded_files`. A file that is not what it claims rolls everything back.
A file is not new when its checksum was loaded before; `raw.landing_files` keeps each path's
checksum with its size and modification time, so that a file unchanged since is not read again.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from reliability.fault_points import fault_point
from reliability.ingest.contract import DATASETS, Dataset
from reliability.ingest.parsing import (
    MACROS,
    finished_value,
    ident,
    never_blank,
    problem,
    quote,
    range_macros,
    typed_value,
)
from reliability.ingest.raw_schema import (  # noqa: F401  (re-exported: loader.connect, ...)
    MEMORY_LIMIT,
    META_COLUMNS,
    SCHEMA_SQL,
    ZSTD,
    FileResult,
    LoadError,
    LoadResult,
    connect,
    create_raw_tables,
)
from reliability.ingest.settings import IngestSettings
from reliability.ingest.sources import (
    FileError,
    Source,
    accesslog_source,
    csv_source,
    file_format,
    jsonl_source,
    parquet_source,
    read_lines,
)
from reliability.transactions import rollback

Progress = Callable[[str], None]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover_files(landing: Path, dataset: str) -> list[Path]:
    """Landing files of a dataset in load order (oldest modification first, then by path)."""
    folder = landing / dataset
    if not folder.is_dir():
        return []
    files = [
        p for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and file_format(p) is not None
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, str(p)))


def _service_for_log(path: Path, landing: Path, default: str | None) -> str:
    rel = path.relative_to(landing / "requests")
    if len(rel.parts) >= 2:
        return rel.parts[0]
    if default:
        return default
    raise FileError(
        path,
        "access logs need a service: put the file in requests/<service>/ or set "
        "requests.default_service in the config",
    )


def _source_for(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, ds: Dataset, landing: Path,
    salt: str, default_service: str | None, tag: str,
) -> Source:
    if fmt == "csv":
        return csv_source(con, path, ds, tag, salt)
    if fmt == "jsonl":
        return jsonl_source(path, ds, con, salt, tag)
    if fmt == "parquet":
        return parquet_source(con, _plain_parquet(path, tag), ds, salt)
    if ds.name != "requests":
        raise FileError(path, f"access logs are only accepted for requests, not {ds.name}")
    return accesslog_source(path, _service_for_log(path, landing, default_service), salt, tag)


def _plain_parquet(path: Path, tag: str) -> Path:
    """A gzipped Parquet file is decompressed (streamed) next to the warehouse's temp files."""
    if path.suffix.lower() != ".gz":
        return path
    target = Path(tempfile.gettempdir()) / f"reliability-{os.getpid()}-{tag}-{path.stem}"
    try:
        with gzip.open(path, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, EOFError) as exc:
        target.unlink(missing_ok=True)
        raise FileError(path, f"cannot be decompressed: {exc}") from exc
    _TEMP_FILES.append(target)
    return target


_TEMP_FILES: list[Path] = []


def _stage_sql(ds: Dataset, src: Source, salt: str) -> str:
    """Typed values, the reject reason, `_extra` of good rows and the raw text of rejected rows.

    One row per record, in file order (the stage table's position is the record number unless
    the source numbers its records itself). Some values are staged as a shorter intermediate
    (user keys before hashing, the parts of a source's `_extra`) and finished by `_finish_sql`.
    """
    values, srcs, texts, problems = [], [], [], []
    for col in ds.columns:
        expr, typ = src.columns.get(col.name, ("NULL", "VARCHAR"))
        src_col, txt_col = ident("_src_" + col.name), ident("_txt_" + col.name)
        srcs.append(f"{expr} AS {src_col}")
        # Text sources: the trimmed text is used by the typed value and the checks, so it is
        # computed once. Numbers and timestamps are only formatted as text in a reject reason,
        # so there it stays inside the (lazily evaluated) reason.
        if never_blank(typ):
            txt_col = None
        else:
            texts.append(f"rw_text({src_col}) AS {txt_col}")
        values.append(f"{typed_value(col, src_col, typ, salt, txt_col)} AS {ident(col.name)}")
        check = problem(col, ident(col.name), src_col, ds.name, typ, txt_col)
        if check:
            problems.append(check)
    reason = f"coalesce(_structural, nullif(concat_ws('; ', {', '.join(problems)}), ''))"
    names = ", ".join(ident(c.name) for c in ds.columns)
    record = "_record, " if src.numbered else ""
    carry = "".join(f"{c}, " for c in src.carry)
    if src.extra_parts:
        extra = "".join(
            f"CASE WHEN _reason IS NULL THEN {expr} END AS {ident(name)}, "
            for name, expr in src.extra_parts.items()
        )
    else:
        extra = f"CASE WHEN _reason IS NULL THEN {src.extra_sql} END AS _extra, "
    return f"""
        SELECT {record}{names}, {extra}_reason,
               CASE WHEN _reason IS NOT NULL THEN {src.raw_sql} END AS _raw
        FROM (
            SELECT *, {reason} AS _reason FROM (
                SELECT *, {', '.join(values)} FROM (
                    SELECT *{''.join(', ' + t for t in texts)} FROM (
                        SELECT {record}{carry}{', '.join(srcs)},
                               {src.structural_sql} AS _structural
                        FROM {src.from_sql}
                    )
                )
            )
        )"""


def _finish_sql(ds: Dataset, src: Source, salt: str, staged: str) -> str:
    """The staged records (`staged`, with `_record`) with their final values and `_extra`."""
    replace = [
        f"{fin} AS {ident(c.name)}"
        for c in ds.columns
        if (fin := finished_value(c, ident(c.name), salt)) is not None
    ]
    star = "*"
    if src.extra_parts:
        star += f" EXCLUDE ({', '.join(ident(n) for n in src.extra_parts)})"
    if replace:
        star += f" REPLACE ({', '.join(replace)})"
    extra = (
        f", CASE WHEN _reason IS NULL THEN {src.extra_sql} END AS _extra"
        if src.extra_parts else ""
    )
    return f"SELECT {star}{extra} FROM ({staged})"


def _numbered_stage(
    con: duckdb.DuckDBPyConnection, src: Source, skipped_lines: list[int] | None = None
) -> str:
    """The stage with `_record`: for unnumbered sources, the position in the stage table.

    Numbering while reading (row_number() OVER ()) would make the whole read single-threaded; a
    freshly created table keeps insertion order (preserve_insertion_order) and its row ids are
    consecutive in that order, so the position is the row id minus the first one.

    `skipped_lines`: line numbers the line reader left out (unreadable lines); a record's number
    is then its line number, the position plus the skipped lines before it.
    """
    if src.numbered:
        return "SELECT * FROM rw_stage"
    first, last, n = con.execute("SELECT min(rowid), max(rowid), count(*) FROM rw_stage").fetchone()
    if n and last - first + 1 != n:  # not expected; fall back to numbering in table order
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rw_stage_numbered AS "
            "SELECT row_number() OVER () AS _record, * FROM rw_stage"
        )
        numbered = "SELECT * FROM rw_stage_numbered"
    else:
        numbered = f"SELECT rowid - {int(first or 0) - 1} AS _record, * FROM rw_stage"
    if not skipped_lines:
        return numbered
    # The i-th skipped line (1-based) s_i follows s_i - i readable lines: position p is line
    # p + #{i : s_i - i < p}.
    con.execute("CREATE OR REPLACE TEMP TABLE rw_skip (t BIGINT, k BIGINT)")
    con.executemany(
        "INSERT INTO rw_skip VALUES (?, ?)",
        [(s - i, i) for i, s in enumerate(sorted(skipped_lines), start=1)],
    )
    return (
        "SELECT r.* REPLACE (r._record + coalesce(s.k, 0) AS _record) "
        f"FROM ({numbered}) r ASOF LEFT JOIN (SELECT t, max(k) AS k FROM rw_skip GROUP BY t) s "
        "ON r._record > s.t"
    )


def _csv_line_numbers(records: list[int], parser_reject_lines: list[int]) -> dict[int, int]:
    """Map CSV record numbers (1-based, header excluded) to file line numbers.

    Lines the CSV parser rejected are skipped by the record count, so each one before a record
    pushes it down a line. Assumes one line per record (no newlines inside quoted values).
    """
    skipped = sorted(parser_reject_lines)
    out: dict[int, int] = {}
    for rec in sorted(records):
        line = rec + 1
        for s in skipped:
            if s <= line:
                line += 1
        out[rec] = line
    return out


def _load_file(
    con: duckdb.DuckDBPyConnection, path: Path, sha: str, fmt: str, ds: Dataset,
    landing: Path, salt: str, default_service: str | None, tag: str,
) -> FileResult:
    result = FileResult(path=path, sha256=sha, format=fmt)
    if path.stat().st_size == 0:
        raise FileError(path, "the file is empty; remove it or export it again")
    src = _source_for(con, path, fmt, ds, landing, salt, default_service, tag)
    if src.numbered:
        # The source numbers its records (Parquet): re-reading it costs less than a stage
        # table, which for millions of rows would spill to disk.
        try:
            con.execute(
                "CREATE OR REPLACE TEMP VIEW rw_staged AS "
                + _finish_sql(ds, src, salt, _stage_sql(ds, src, salt))
            )
            return _load_staged(con, path, sha, fmt, ds, src, tag, result)
        except duckdb.Error as exc:
            raise FileError(path, f"cannot be read as {fmt}: {exc}".splitlines()[0]) from exc
    try:
        # Parallel and order-preserving: the table's row order is the file's record order.
        con.execute(f"CREATE OR REPLACE TEMP TABLE rw_stage AS {_stage_sql(ds, src, salt)}")
    except duckdb.Error as exc:
        raise FileError(path, f"cannot be read as {fmt}: {exc}".splitlines()[0]) from exc
    unreadable = _unreadable_lines(con, src, tag)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW rw_staged AS "
        + _finish_sql(ds, src, salt, _numbered_stage(con, src, [u[0] for u in unreadable]))
    )
    return _load_staged(con, path, sha, fmt, ds, src, tag, result, unreadable)


def _unreadable_lines(
    con: duckdb.DuckDBPyConnection, src: Source, tag: str
) -> list[tuple[int, str, str]]:
    """The lines a line reader left out: (line number, text as DuckDB gives it, reason)."""
    if src.line_rejects is None:
        return []
    rows = con.execute(
        f"SELECT line, min(csv_line), min(error_message) FROM {src.line_rejects} "
        "GROUP BY line ORDER BY line"
    ).fetchall()
    con.execute(f"DROP TABLE IF EXISTS {src.line_rejects}")
    con.execute(f"DROP TABLE IF EXISTS rw_scan_{tag}")
    return [(int(n), text or "", _line_problem(msg or "")) for n, text, msg in rows]


def _line_problem(message: str) -> str:
    """The reason for a line DuckDB's reader could not read, from its error message."""
    first = message.strip().splitlines()[0] if message.strip() else "unreadable"
    if "unicode" in first.lower() or "utf-8" in first.lower():
        return "not UTF-8 text (invalid byte sequence); re-export the file as UTF-8"
    if "maximum line size" in first.lower():
        return f"line too long: {first}"
    return f"unreadable line: {first}"


def _load_staged(
    con: duckdb.DuckDBPyConnection, path: Path, sha: str, fmt: str, ds: Dataset, src: Source,
    tag: str, result: FileResult, unreadable: list[tuple[int, str, str]] | None = None,
) -> FileResult:
    """Check the staged records (view `rw_staged`), keep the rejects, merge the good rows.

    Events (requests) are inserted in the pass that finds the good rows; unless a repeat filter
    was needed, the counts come from the insert and the file's row count, so a Parquet file
    (read, not staged) without rejects is read once, plus its key column. Otherwise the insert
    that keeps the rejects counts them.
    """
    file_sql = quote(str(path))
    events = bool(ds.key) and not ds.upsert
    total = int(con.execute("SELECT count(*) FROM rw_staged").fetchone()[0])
    parser_rejects: list[tuple[int, str, str]] = list(unreadable or [])
    if src.csv_rejects:
        parser_rejects = [
            (int(r[0]), r[1], f"malformed CSV line: {r[2]}")
            for r in con.execute(
                f"SELECT line, min(csv_line), min(error_message) FROM {src.csv_rejects} "
                "GROUP BY line ORDER BY line"
            ).fetchall()
        ]
        con.execute(f"DROP TABLE IF EXISTS {src.csv_rejects}")
        con.execute(f"DROP TABLE IF EXISTS rw_scan_{tag}")
    if total + len(parser_rejects) == 0:
        raise FileError(path, "the file holds no records (only a header, or nothing readable)")
    loaded, all_good = _insert_events(con, ds, src, file_sql) if events else (0, False)
    if src.csv_rejects is not None:  # kept below, with their line numbers
        bad_records = [int(r[0]) for r in con.execute(
            "SELECT _record FROM rw_staged WHERE _reason IS NOT NULL").fetchall()]
        bad = len(bad_records)
    elif all_good and total == loaded:
        bad = 0
    else:  # keeping the rejects counts them
        bad = _inserted(con.execute(
            f"""INSERT INTO raw.rejects
            SELECT {quote(ds.name)}, {file_sql}, _record, _raw, _reason, {quote(sha)},
                   now()::TIMESTAMP
            FROM rw_staged WHERE _reason IS NOT NULL"""
        ))
    good = total - bad
    if good == 0 and src.structural_sql != "NULL":
        structural = con.execute(
            "SELECT count(*) FROM rw_staged WHERE _raw IS NULL OR _reason LIKE 'not %' "
            "OR _reason LIKE 'empty%'"
        ).fetchone()[0]
        if structural == total:
            samples = [(ln, why) for ln, _, why in parser_rejects[:1]] + con.execute(
                "SELECT _record, _reason FROM rw_staged ORDER BY _record LIMIT 1").fetchall()
            line, sample = min(samples)
            raise FileError(
                path, f"no line could be read as {fmt} (first problem, line {line}: {sample})"
            )

    # A CSV file's rejects: its bad rows plus lines the CSV parser itself refused.
    if src.csv_rejects is not None:
        mapping = _csv_line_numbers(bad_records, [p[0] for p in parser_rejects])
        texts = read_lines(con, path, list(mapping.values()))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rw_csv_lines (rec BIGINT, line BIGINT, txt VARCHAR)"
        )
        if mapping:
            con.executemany(
                "INSERT INTO rw_csv_lines VALUES (?, ?, ?)",
                [(rec, ln, texts.get(ln, "")) for rec, ln in mapping.items()],
            )
        con.execute(
            f"""INSERT INTO raw.rejects
            SELECT {quote(ds.name)}, {file_sql}, l.line, {src.redact('l.txt')}, s._reason,
                   {quote(sha)}, now()::TIMESTAMP
            FROM rw_staged s JOIN rw_csv_lines l ON l.rec = s._record WHERE s._reason IS NOT NULL"""
        )
    # Lines the reader itself refused (CSV parser errors, lines not UTF-8 or too long).
    if parser_rejects:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rw_parser_rejects "
            "(line BIGINT, txt VARCHAR, reason VARCHAR)"
        )
        con.executemany("INSERT INTO rw_parser_rejects VALUES (?, ?, ?)", parser_rejects)
        con.execute(
            f"""INSERT INTO raw.rejects
            SELECT {quote(ds.name)}, {file_sql}, line, {src.redact('txt')}, reason, {quote(sha)},
                   now()::TIMESTAMP
            FROM rw_parser_rejects ORDER BY line"""
        )
        con.execute("DROP TABLE rw_parser_rejects")

    result.rows_read = total + len(parser_rejects)
    result.rows_rejected = bad + len(parser_rejects)
    result.rows_loaded = loaded if events else _merge(con, ds, file_sql)
    result.rows_duplicate = good - result.rows_loaded
    return result


def _key_counts(
    con: duckdb.DuckDBPyConnection, ds: Dataset, src: Source
) -> tuple[int, int, str, str | None]:
    """The keys of every record (good or not), their distinct hashes, a query of the keys, and
    the source expression of the keys when they were read as they are in the file.

    As many distinct hashes as keys proves that no key repeats among the good records, and
    counting fixed-width hashes costs less than counting the strings. A hash collision, or a
    repeat involving a rejected record, only means that the exact repeat filter runs and finds
    nothing to drop. An unstaged source's text keys are counted as they are in the file when
    none would change by trimming (ASCII, not blank, no space at either end): trimming them
    all costs half as much again as counting. The query returned (column `k`) reads the keys
    the same way.
    """
    expr, typ = src.columns.get(ds.key, ("NULL", "VARCHAR"))
    col = next(c for c in ds.columns if c.name == ds.key)
    trimmed_only = col.kind == "string" and not col.lower  # the stored key is the trimmed text
    if src.numbered and trimmed_only and typ.upper() == "VARCHAR" and expr != "NULL":
        keyed, distinct, changed = con.execute(
            f"SELECT count({expr}), count(DISTINCT hash({expr})), count(*) FILTER (WHERE "
            f"{expr} = '' OR starts_with({expr}, ' ') OR ends_with({expr}, ' ') "
            f"OR strlen({expr}) <> length({expr})) FROM {src.from_sql}"
        ).fetchone()
        if not changed:
            return int(keyed), int(distinct), f"SELECT {expr} AS k FROM {src.from_sql}", expr
    key = ident(ds.key)
    keyed, distinct = con.execute(
        f"SELECT count({key}), count(DISTINCT hash({key})) FROM rw_staged"
    ).fetchone()
    return int(keyed), int(distinct), f"SELECT {key} AS k FROM rw_staged", None


def _insert_events(
    con: duckdb.DuckDBPyConnection, ds: Dataset, src: Source, file_sql: str
) -> tuple[int, bool]:
    """Insert the stage's good rows that are first deliveries: (rows inserted, whether every
    good row was inserted, so that the good rows' count is the insert's).

    The first delivery of a key wins: rows whose key is already stored, and later rows of the
    file with a key seen earlier in it, are left out; rows without a key are all kept. Each
    filter is applied only when it can remove something, as a window or an anti-join over
    millions of rows costs about as much as the load itself. Rows are never inserted and then
    deleted: deleting rows appended in the same transaction makes DuckDB rewrite the whole
    append at commit.
    """
    key = ident(ds.key)
    names = ", ".join(ident(c.name) for c in ds.columns)
    keyed, distinct, keys, raw_key = _key_counts(con, ds, src)
    filters = []
    stored = keyed and con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {ds.table} WHERE {key} IS NOT NULL LIMIT 1)"
    ).fetchone()[0]
    # Stored keys with the hash of one of the file's keys: usually none. Finding them scans the
    # stored keys once against the file's hashes, instead of building a hash table of all
    # stored keys (which grows with every load); the filter then compares the keys themselves.
    if stored and _inserted(con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rw_seen AS SELECT DISTINCT {key} AS k
        FROM {ds.table} WHERE {key} IS NOT NULL
            AND hash({key}) IN (SELECT hash(k) FROM ({keys}) WHERE k IS NOT NULL)"""
    )):
        filters.append(f"({key} IS NULL OR {key} NOT IN (SELECT k FROM rw_seen))")
    if distinct < keyed:  # maybe later deliveries of a key within the file
        # The hashes that repeat (from the key column alone), then the exact window over the
        # few good records with one of those hashes. Keys read as they are in an unstaged file
        # select those records before they are typed and checked, not after.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rw_repeated AS SELECT hash(k) AS h FROM ({keys})
            WHERE k IS NOT NULL GROUP BY h HAVING count(*) > 1"""
        )
        candidates = "SELECT * FROM rw_staged"
        if raw_key is not None:
            candidates = _stage_sql(ds, replace(src, from_sql=(
                f"(SELECT * FROM {src.from_sql} "
                f"WHERE hash({raw_key}) IN (SELECT h FROM rw_repeated))"
            )), salt="")  # only the key and the reject reason are read: no user key is hashed
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE rw_later AS
            SELECT _record FROM (
                SELECT _record, {key} AS k FROM ({candidates})
                WHERE {key} IS NOT NULL AND hash({key}) IN (SELECT h FROM rw_repeated)
                    AND _reason IS NULL
            ) QUALIFY row_number() OVER (PARTITION BY k ORDER BY _record) > 1"""
        )
        filters.append("_record NOT IN (SELECT _record FROM rw_later)")
    inserted = _inserted(con.execute(
        f"INSERT INTO {ds.table} SELECT {names}, {file_sql}, _record, _extra, now()::TIMESTAMP "
        "FROM rw_staged WHERE _reason IS NULL" + "".join(f" AND {f}" for f in filters)
    ))
    for table in ("rw_later", "rw_repeated", "rw_seen"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return inserted, not filters


def _merge(con: duckdb.DuckDBPyConnection, ds: Dataset, file_sql: str) -> int:
    """Insert the stage's good rows; a newer record with the same key replaces the older one.

    Returns the number of rows inserted (one per key).
    """
    names = ", ".join(ident(c.name) for c in ds.columns)
    select = (
        f"SELECT {names}, {file_sql}, _record, _extra, now()::TIMESTAMP FROM rw_staged "
        "WHERE _reason IS NULL"
    )
    if not ds.key:
        return _inserted(con.execute(f"INSERT INTO {ds.table} {select}"))
    key = ident(ds.key)
    con.execute(
        f"DELETE FROM {ds.table} WHERE {key} IN "
        f"(SELECT {key} FROM rw_staged WHERE _reason IS NULL)"
    )
    return _inserted(con.execute(
        f"INSERT INTO {ds.table} {select} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _record DESC) = 1"
    ))


def _inserted(cursor: duckdb.DuckDBPyConnection) -> int:
    """The row count an INSERT statement reports."""
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _checksum(
    con: duckdb.DuckDBPyConnection, dataset: str, path: Path, seen: tuple[int, int, str] | None
) -> str:
    """The file's SHA-256: the one recorded for its path when its size and modification time
    are those recorded with it (the stat check of make, rsync and git), else read and recorded.
    """
    stat = path.stat()
    if seen is not None and seen[:2] == (stat.st_size, stat.st_mtime_ns):
        return seen[2]
    sha = sha256_file(path)
    con.execute(
        "INSERT OR REPLACE INTO raw.landing_files VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [dataset, str(path), stat.st_size, stat.st_mtime_ns, sha],
    )
    return sha


def load_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    landing: Path,
    *,
    salt: str = "reliability-warehouse",
    default_service: str | None = None,
    progress: Progress | None = None,
    settings: IngestSettings | None = None,
    now: datetime | None = None,
) -> LoadResult:
    """Load every landing file of `dataset` not loaded before, in one transaction.

    A timestamp outside `settings`' range (from its earliest day to `now`, default the load's
    time, plus its future tolerance) makes its record a reject.
    """
    ds = DATASETS[dataset]
    say = progress or (lambda _msg: None)
    files = discover_files(landing, dataset)
    result = LoadResult(dataset=dataset)
    accepted = (settings or IngestSettings()).time_range(now)
    con.execute(MACROS)
    con.execute(range_macros(accepted.earliest, accepted.latest, accepted.describe()))
    con.execute("SET preserve_insertion_order = true")  # record numbers rely on it
    con.execute("BEGIN TRANSACTION")
    try:
        create_raw_tables(con)
        known = {
            r[0] for r in con.execute(
                "SELECT sha256 FROM raw.loaded_files WHERE dataset = ?", [dataset]
            ).fetchall()
        }
        checked = {
            r[0]: (r[1], r[2], r[3]) for r in con.execute(
                "SELECT file_path, size_bytes, mtime_ns, sha256 FROM raw.landing_files "
                "WHERE dataset = ?", [dataset]
            ).fetchall()
        }
        for i, path in enumerate(files):
            sha = _checksum(con, dataset, path, checked.get(str(path)))
            if sha in known:
                result.files_skipped += 1
                continue
            fmt = file_format(path) or "?"
            say(f"{dataset}: reading {path.name} ({i + 1}/{len(files)})")
            fr = _load_file(
                con, path, sha, fmt, ds, landing, salt, default_service, tag=str(i)
            )
            con.execute(
                "INSERT INTO raw.loaded_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                [dataset, str(path), sha, path.stat().st_size, fmt, fr.rows_read,
                 fr.rows_loaded, fr.rows_rejected, fr.rows_duplicate],
            )
            known.add(sha)
            result.files.append(fr)
            fault_point("load")  # tests only: kill -9 here, inside the open transaction
        con.execute("DROP VIEW IF EXISTS rw_staged")
        con.execute("DROP TABLE IF EXISTS rw_stage")
        con.execute("DROP TABLE IF EXISTS rw_stage_numbered")
        con.execute("DROP TABLE IF EXISTS rw_skip")
        result.table_rows = con.execute(f"SELECT count(*) FROM {ds.table}").fetchone()[0]
        result.rejects_total = con.execute(
            "SELECT count(*) FROM raw.rejects WHERE dataset = ?", [dataset]
        ).fetchone()[0]
        con.execute("COMMIT")
    except FileError as exc:
        rollback(con, exc)
        _cleanup()
        raise LoadError(
            f"{dataset}: {exc}. Nothing from this load was kept; fix or remove the file and "
            "run again."
        ) from exc
    except BaseException as exc:
        rollback(con, exc)
        _cleanup()
        raise
    _cleanup()
    return result


def _cleanup() -> None:
    while _TEMP_FILES:
        _TEMP_FILES.pop().unlink(missing_ok=True)
