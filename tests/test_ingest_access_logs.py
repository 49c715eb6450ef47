"""Access logs: combined format with optional request time, odd lines kept as rejects."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from reliability.ingest.loader import connect, load_dataset

LINES = [
    # plain line with request time and a query string
    '203.0.113.7 - - [02/Mar/2026:14:05:00 +0100] "GET /api/search?q=shoes HTTP/1.1" 200 512 '
    '"-" "Mozilla/5.0" 0.123',
    # IPv6 client, remote user, no request time
    '2001:db8::1 - alice [02/Mar/2026:13:06:00 +0000] "POST /api/checkout HTTP/2.0" 503 0 '
    '"https://shop.example/cart" "curl/8.5"',
    # escaped quotes inside the user agent
    '198.51.100.2 - - [02/Mar/2026:13:07:00 +0000] "GET /api/cart HTTP/1.1" 200 99 "-" '
    '"Agent \\"quoted\\" v1" 0.050',
    # a line cut short
    '198.51.100.3 - - [02/Mar/2026:13:08:00 +0000] "GET /api/ca',
    # garbage
    "\x16\x03\x01 not a log line at all",
    # unparsable time
    '198.51.100.4 - - [31/Foo/2026:99:08:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "a" 0.1',
]


def _load(tmp_path: Path, name: str, data: bytes):
    folder = tmp_path / "landing" / "requests" / "checkout-api"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    con = connect(tmp_path / "wh.duckdb")
    return con, load_dataset(con, "requests", tmp_path / "landing")


def test_access_log_lines_parse_and_odd_lines_are_rejected(tmp_path: Path) -> None:
    con, result = _load(tmp_path, "access.log", ("\n".join(LINES) + "\n").encode())
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 3, 3)
    rows = con.execute(
        "SELECT strftime(timestamp, '%H:%M:%S'), service, route, method, status, latency_ms, "
        "user_key IS NOT NULL, json_extract_string(_extra, '$.user_agent') "
        "FROM raw.requests ORDER BY _source_record"
    ).fetchall()
    assert rows == [
        ("13:05:00", "checkout-api", "/api/search", "GET", 200, 123.0, False, "Mozilla/5.0"),
        ("13:06:00", "checkout-api", "/api/checkout", "POST", 503, None, True, "curl/8.5"),
        ("13:07:00", "checkout-api", "/api/cart", "GET", 200, 50.0, False,
         'Agent \\"quoted\\" v1'),
    ]
    rejects = con.execute(
        "SELECT line_number, raw_text, reason FROM raw.rejects ORDER BY line_number"
    ).fetchall()
    assert [r[0] for r in rejects] == [4, 5, 6]
    # kept with the client address hashed as an accepted line's client_hash
    client_hash = hashlib.sha256(b"reliability-warehouse198.51.100.3").hexdigest()
    assert rejects[0][1] == LINES[3].replace("198.51.100.3", client_hash)
    assert rejects[1][1] == LINES[4]
    assert "cut short" in rejects[0][2]
    assert "not a combined-format" in rejects[1][2]
    assert rejects[2][2].startswith("time: cannot read 31/Foo/2026")


def test_gzipped_access_log(tmp_path: Path) -> None:
    _, result = _load(tmp_path, "access.log.gz", gzip.compress(("\n".join(LINES[:3])).encode()))
    assert result.rows_loaded == 3 and result.rows_rejected == 0


def test_client_address_is_not_stored_in_clear(tmp_path: Path) -> None:
    con, _ = _load(tmp_path, "access.log", LINES[0].encode())
    extra = con.execute("SELECT _extra FROM raw.requests").fetchone()[0]
    assert "203.0.113.7" not in extra and "client_hash" in extra
