"""The loader's fast paths give exactly what the slow, obvious ones give.

* Access-log lines split with string functions = the capture groups of ACCESS_LOG_PATTERN (and of
  the request-line pattern), on odd and randomly mutated lines.
* Record numbers taken from the stage table's order are the file's line numbers, on files large
  enough to be read in parallel chunks.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

import duckdb

from reliability.ingest.contract import DATASETS
from reliability.ingest.loader import connect, load_dataset
from reliability.ingest.parsing import (
    ACCESS_LOG_GROUPS,
    ACCESS_LOG_PATTERN,
    REQUEST_LINE_PATTERN,
    quote,
)
from reliability.ingest.sources import (
    _reader_sql,
    _split_log_sql,
    accesslog_source,
    jsonl_source,
)

BASE = [
    '203.0.113.7 - - [02/Mar/2026:14:05:00 +0100] "GET /api/search?q=shoes HTTP/1.1" 200 512 '
    '"-" "Mozilla/5.0" 0.123',
    '2001:db8::1 - alice [02/Mar/2026:13:06:00 +0000] "POST /api/checkout HTTP/2.0" 503 0 '
    '"https://shop.example/cart" "curl/8.5"',
    '198.51.100.2 - - [02/Mar/2026:13:07:00 +0000] "GET /api/cart HTTP/1.1" 200 99 "-" '
    '"Agent \\"quoted\\" v1" 0.050',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x" - - "" "" -',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 404 - "-" "a b" 1.5 ',
]
ODD = [
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a"\t0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1\t',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a"  ',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" x',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 2000 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET  /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "get /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x?a=1?b HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/x" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "GET\t/x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000] "" 200 1 "-" "a" 0.1',
    'a"b - - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 [x - [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - u[1] [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mar/2026:13:07:00 +0000]] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 -\t- [02/Mar/2026:13:07:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [02/Mär/2026:13:07:00 +0000] "GET /é HTTP/1.1" 200 1 "-" "ü" 0.1',
    '10.0.0.1\x0b - - [x] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
    '10.0.0.1 - - [x] "GET /x HTTP/1.1" 200 1 "-" "a" "b" 0.1',
    '10.0.0.1 - - [x] "GET /x HTTP/1.1" 200 1 "-"  "a" 0.1',
    '- - - [x] "A B" - - "" ""',
    '',
    '"',
    '""""""',
]
ALPHABET = ['"', "\\", " ", "\t", "[", "]", "-", "0", "9", ".", "?", "\x0b", "\x0c", "é", "A", "a"]


def _mutants(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        line = list(rng.choice(BASE))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(line) + 1)
            op = rng.random()
            if op < 0.4:
                line.insert(pos, rng.choice(ALPHABET))
            elif op < 0.7 and pos < len(line):
                del line[pos]
            elif pos < len(line):
                line[pos] = rng.choice(ALPHABET)
        out.append("".join(line))
    return out


def test_split_access_log_lines_equal_the_pattern_groups(tmp_path: Path) -> None:
    lines = BASE + ODD + _mutants(4000, seed=11)
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    src = accesslog_source(path, "svc", "salt")
    got = con.execute(f"SELECT line, m, rq, route FROM {src.from_sql}").fetchall()
    groups = ", ".join(quote(g) for g in ACCESS_LOG_GROUPS)
    expected = con.execute(
        f"""SELECT line, m, rq, regexp_replace(rq.target, '\\?.*$', '') FROM (
            SELECT line, m, regexp_extract(m.request, {quote(REQUEST_LINE_PATTERN)},
                                           ['method', 'target']) AS rq
            FROM (SELECT line, regexp_extract(line, {quote(ACCESS_LOG_PATTERN)}, [{groups}]) AS m
                  FROM {_reader_sql(path)}))"""
    ).fetchall()
    assert len(got) == len(expected) == len(lines)
    key = repr
    assert sorted(got, key=key) == sorted(expected, key=key)
    fast, total = con.execute(
        f"SELECT count(*) FILTER (WHERE _fast), count(*) FROM {_split_log_sql(_reader_sql(path))}"
    ).fetchone()
    assert 0 < fast < total  # both paths were exercised


def _log_line(i: int) -> str:
    return (
        f'198.51.100.{i % 250} - - [02/Mar/2026:13:{i // 60 % 60:02d}:{i % 60:02d} +0000] '
        f'"GET /api/items/{i} HTTP/1.1" 200 {i % 5000} "-" "bench/1.0" 0.{i % 1000:03d}'
    )


def test_record_numbers_of_large_files_are_line_numbers(tmp_path: Path) -> None:
    n = 300_000
    bad = {1, 2, 65_536, 122_880, 122_881, 150_001, 299_999, n}
    folder = tmp_path / "landing" / "requests"
    (folder / "api").mkdir(parents=True)
    log = "\n".join("garbage line" if i in bad else _log_line(i) for i in range(1, n + 1))
    (folder / "api" / "big.log").write_text(log + "\n")
    jsonl = "\n".join(
        "{not json" if i in bad else json.dumps({
            "timestamp": 1_772_000_000 + i, "service": "api", "route": f"/r/{i}",
            "status": 200, "request_id": f"req-{i}",
        })
        for i in range(1, n + 1)
    )
    (folder / "big.jsonl.gz").write_bytes(gzip.compress(jsonl.encode(), compresslevel=1))
    con = connect(tmp_path / "wh.duckdb")
    con.execute("SET threads = 4")
    result = load_dataset(con, "requests", tmp_path / "landing")
    assert (result.rows_read, result.rows_rejected) == (2 * n, 2 * len(bad))
    for name in ("big.log", "big.jsonl.gz"):
        rejected = con.execute(
            "SELECT list(line_number ORDER BY line_number) FROM raw.rejects "
            "WHERE file_path LIKE '%' || ?", [name]
        ).fetchone()[0]
        assert rejected == sorted(bad)
    # every good row carries its own line number: the route holds it
    mismatched = con.execute(
        "SELECT count(*) FROM raw.requests WHERE _source_record <> "
        "CAST(regexp_extract(route, '[0-9]+$') AS BIGINT)"
    ).fetchone()[0]
    assert mismatched == 0
    assert con.execute("SELECT count(DISTINCT _source_record) FROM raw.requests").fetchone()[0] == (
        n - len(bad)
    )


def test_request_ids_first_delivery_wins_within_and_across_files(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "requests"
    folder.mkdir(parents=True)
    rows = [  # (route, request_id): the route tells which record was kept
        ("/1", "a"), ("/2", "b"), ("/3", "a"), ("/4", None), ("/5", None), ("/6", "b"), ("/7", "c"),
    ]
    values = ", ".join(
        f"(TIMESTAMP '2026-03-02 10:00:00', 'api', '{r}', 200, {quote(k) if k else 'NULL'})"
        for r, k in rows
    )
    duckdb.execute(
        f"COPY (SELECT * FROM (VALUES {values}) t(timestamp, service, route, status, request_id)) "
        f"TO '{folder / 'a.parquet'}' (FORMAT parquet)"
    )
    later = [{"timestamp": "2026-03-02T11:00:00Z", "service": "api", "route": r, "status": 200,
              "request_id": k} for r, k in [("/8", "c"), ("/9", "d"), ("/10", "d")]]
    (folder / "b.jsonl").write_text("\n".join(json.dumps(x) for x in later) + "\n")

    os.utime(folder / "b.jsonl", (2_000_000_000, 2_000_000_000))  # loaded after a.parquet
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    kept = con.execute(
        "SELECT route FROM raw.requests ORDER BY _source_file, _source_record"
    ).fetchall()
    assert [r[0] for r in kept] == ["/1", "/2", "/4", "/5", "/7", "/9"]
    assert (result.rows_loaded, result.rows_duplicate) == (6, 4)


def test_typed_parquet_columns_missing_and_unreadable_values(tmp_path: Path) -> None:
    """Typed (non-text) source columns are checked for presence without formatting them as text:
    the reasons are those of text sources."""
    folder = tmp_path / "landing" / "requests"
    folder.mkdir(parents=True)
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES "
        "(TIMESTAMPTZ '2026-03-02 10:00:00+00', 'api', '/ok', 200::BIGINT, 1.5::DOUBLE), "
        "(NULL, 'api', '/no-ts', 200, 2.0), "
        "(TIMESTAMPTZ '2026-03-02 10:00:00+00', 'api', '/no-status', NULL, 2.0), "
        "(TIMESTAMPTZ '2026-03-02 10:00:00+00', 'api', '/big', 99999999999, 2.0), "
        "(TIMESTAMPTZ '2026-03-02 10:00:00+00', 'api', '/neg', 500, -1.0), "
        "(TIMESTAMPTZ '2026-03-02 10:00:00+00', ' ', '/blank-svc', 204, NULL)"
        ") t(timestamp, service, route, status, latency_ms)) "
        f"TO '{folder / 'a.parquet'}' (FORMAT parquet)"
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing")
    assert (result.rows_loaded, result.rows_rejected) == (1, 5)
    rejects = con.execute("SELECT line_number, reason FROM raw.rejects ORDER BY 1").fetchall()
    assert rejects == [
        (2, "timestamp: required value is missing"),
        (3, "status: required value is missing"),
        (4, "status: cannot read 99999999999 as an integer"),
        (5, "latency_ms: -1.0 is negative"),
        (6, "service: required value is missing"),
    ]


JSON_BASE = [
    '{"timestamp": "2026-03-02T10:00:00Z", "service": "api", "route": "/a", "status": 200}',
    '{"timestamp":1772000000,"service":"api","route":"/b","status":"503","extra":{"k":[1,2.50]}}',
    ' {"service": "api", "service": "dup", "Route": "/c", "x": null}',
    '{"serv\\u0069ce":"api","route":"/d","status":200,"latency_ms":1.50,"z":"é"}',
    '{}',
    '[1, 2]',
    '"text"',
    '{"a":1,}',
    '{"a":NaN}',
    '{"a":1} x',
    '{"a":1}{"b":2}',
    '\t{"route": "/e"} \t',
    '{"a":1 /* c */}',
    'null',
    '',
]
JSON_ALPHABET = ['{', '}', '[', ']', '"', ':', ',', ' ', '\t', '\\', 'a', '1', '.', 'é', 'n']


def test_jsonl_values_reasons_and_extra_equal_the_obvious_expressions(tmp_path: Path) -> None:
    """One guarded parse for values, `_extra` only for unknown keys = validity, type and
    extraction by separate JSON functions, `_extra` always merged."""
    rng = random.Random(5)
    lines = list(JSON_BASE)
    for _ in range(3000):
        line = list(rng.choice(JSON_BASE[:5]))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(line) + 1)
            if rng.random() < 0.5:
                line.insert(pos, rng.choice(JSON_ALPHABET))
            elif pos < len(line):
                del line[pos]
        lines.append("".join(line))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = DATASETS["requests"]
    src = jsonl_source(path, ds)
    con = duckdb.connect()
    got = con.execute(
        f"SELECT line, _vals, {src.structural_sql}, "
        f"CASE WHEN _vals IS NOT NULL THEN {src.extra_sql} END FROM {src.from_sql}"
    ).fetchall()
    paths = ", ".join(quote(f'$."{n}"') for n in ds.names)
    nulls = quote("{" + ", ".join(f'"{n}": null' for n in ds.names) + "}")
    expected = con.execute(
        f"""SELECT line, _vals,
            CASE WHEN line IS NULL THEN 'empty or unreadable line'
                 WHEN NOT json_valid(line) THEN 'not valid JSON'
                 WHEN json_type(line) <> 'OBJECT' THEN 'not a JSON object' END,
            CASE WHEN _vals IS NOT NULL
                 THEN nullif(CAST(json_merge_patch(line, {nulls}) AS VARCHAR), '{{}}') END
        FROM (SELECT line, CASE WHEN json_valid(line) AND json_type(line) = 'OBJECT'
                                THEN json_extract_string(line, [{paths}]) END AS _vals
              FROM {_reader_sql(path)})"""
    ).fetchall()
    assert len(got) == len(expected) == len(lines)
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    kinds = {(r[1] is None, r[3] is None) for r in expected}
    assert kinds == {(True, True), (False, True), (False, False)}  # every case exercised


def test_values_finished_when_the_stage_is_read_equal_their_definitions(tmp_path: Path) -> None:
    """User keys (hashed) and the access log's `_extra` (put together from staged parts) are
    computed when the stage is read: the stored values are those of their definitions."""
    salt = "reliability-warehouse"
    folder = tmp_path / "landing" / "requests"
    (folder / "api").mkdir(parents=True)
    (folder / "api" / "a.log").write_text(
        '203.0.113.7 - alice [02/Mar/2026:14:05:00 +0100] "GET /x?q=1 HTTP/1.1" 200 512 '
        '"https://ref.example/" "Mozilla/5.0" 0.123\n'
        '203.0.113.8 - - [02/Mar/2026:14:05:01 +0100] "GET /y HTTP/1.1" 404 - "-" "curl/8"\n'
        'not a log line\n'
    )
    (folder / "b.jsonl").write_text(
        json.dumps({"timestamp": "2026-03-02T10:00:00Z", "service": "api", "route": "/j",
                    "status": 200, "user_key": " bob "}) + "\n"
    )
    duckdb.execute(
        "COPY (SELECT TIMESTAMP '2026-03-02 10:00:00' AS timestamp, 'api' AS service, "
        "'/p' AS route, 200 AS status, 42 AS user_key) "
        f"TO '{folder / 'c.parquet'}' (FORMAT parquet)"
    )
    con = connect(tmp_path / "wh.duckdb")
    result = load_dataset(con, "requests", tmp_path / "landing", salt=salt)
    assert (result.rows_loaded, result.rows_rejected) == (4, 1)
    rows = con.execute(
        "SELECT route, user_key, _extra FROM raw.requests ORDER BY route"
    ).fetchall()
    hashed = con.execute(
        "SELECT sha256(? || 'alice'), sha256(? || 'bob'), sha256(? || '42'), "
        "sha256(? || '203.0.113.7'), sha256(? || '203.0.113.8')", [salt] * 5
    ).fetchone()
    assert [(r[0], r[1]) for r in rows] == [
        ("/j", hashed[1]), ("/p", hashed[2]), ("/x", hashed[0]), ("/y", None),
    ]
    extras = {r[0]: json.loads(r[2]) for r in rows if r[2] is not None}
    assert extras == {
        "/x": {"client_hash": hashed[3], "bytes_sent": 512, "referer": "https://ref.example/",
               "user_agent": "Mozilla/5.0"},
        "/y": {"client_hash": hashed[4], "bytes_sent": None, "referer": None,
               "user_agent": "curl/8"},
    }
    assert con.execute(
        "SELECT _extra FROM raw.requests WHERE route = '/x'"
    ).fetchone()[0] == con.execute(
        "SELECT CAST(json_object('client_hash', ?, 'bytes_sent', 512, "
        "'referer', 'https://ref.example/', 'user_agent', 'Mozilla/5.0') AS VARCHAR)", [hashed[3]]
    ).fetchone()[0]
