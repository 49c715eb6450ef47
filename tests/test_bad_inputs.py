"""A table-driven catalogue of bad inputs (issue "Trust", item 2; issue #19, items 1, 5, 7, 9).

Each case delivers one bad input to a small warehouse that already holds good data and asserts:

* the named reason: the reject reason of the bad row (with its line number), or the error that
  refuses the file (naming the file), the config key, the SLO field or the postmortem file;
* nothing previously loaded changed: the content hashes of the raw tables (tests/table_hashes.py)
  are those from before, apart from the rows the new file added;
* accepted rows are neither lost nor duplicated: the good rows of the new file are in the table
  once each, and the table grew by exactly those.

docs/bad-inputs.md states the rules and the figures.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from table_hashes import VOLATILE, table_hashes

from reliability.config import ConfigError, load_config
from reliability.ingest.loader import LoadError, connect, load_dataset
from reliability.ingest.settings import ingest_settings
from reliability.review.postmortems import read_postmortems, write_postmortem_tables
from reliability.slo.openslo import SloDefinitionError, load_slo_folder

SALT = "reliability-warehouse"
REQ_HEADER = "timestamp,service,route,status,request_id,latency_ms,user_key,method\n"
BASE = {
    "requests/base.csv": REQ_HEADER
    + "2026-03-02T10:00:00Z,checkout-api,/api/cart,200,base-1,12.5,u1,GET\n"
    + "2026-03-02T10:01:00Z,checkout-api,/api/cart,503,base-2,40,u2,POST\n",
    "deployments/base.csv": "deployment_id,service,environment,status,finished_at\n"
    + "dep-base,checkout-api,production,success,2026-03-02T09:00:00Z\n",
    "incidents/base.csv": "incident_id,service,started_at,resolved_at\n"
    + "inc-base,checkout-api,2026-03-02T10:00:00Z,2026-03-02T11:00:00Z\n",
    "conversions/base.jsonl": '{"event_id": "c-base", "timestamp": "2026-03-02T10:00:00Z", '
    '"journey": "checkout", "step": "started", "user_key": "u1"}\n',
}
BASE_DATASETS = ("requests", "deployments", "incidents", "conversions")
KEYS = {
    "requests": "request_id", "deployments": "deployment_id", "incidents": "incident_id",
    "conversions": "event_id",
}


def req(ts: str = "2026-03-02T11:00:00Z", service: str = "checkout-api", route: str = "/api/cart",
        status: str = "200", rid: str = "r-bad", latency: str = "10", user: str = "u9",
        method: str = "GET") -> str:
    return f"{ts},{service},{route},{status},{rid},{latency},{user},{method}\n"


GOOD_REQ = req(rid="r-good")


def req_csv(*bad: str) -> bytes:
    """A requests CSV: one good row, then the bad rows."""
    return (REQ_HEADER + GOOD_REQ + "".join(bad)).encode()


def dep_csv(*rows: str) -> bytes:
    return (
        "deployment_id,service,environment,status,finished_at\n"
        "dep-good,checkout-api,production,success,2026-03-02T12:00:00Z\n" + "".join(rows)
    ).encode()


def conv_jsonl(*lines: str) -> bytes:
    good = ('{"event_id": "c-good", "timestamp": "2026-03-02T12:00:00Z", "journey": "checkout", '
            '"step": "completed", "user_key": "u3", "revenue": 10, "currency": "EUR"}\n')
    return (good + "".join(line + "\n" for line in lines)).encode()


def conv_csv(*rows: str) -> bytes:
    return (
        "event_id,timestamp,journey,step,revenue,currency\n"
        "c-good,2026-03-02T12:00:00Z,checkout,completed,10.5,EUR\n" + "".join(rows)
    ).encode()


def log_line(ip: str = "203.0.113.9", user: str = "-", when: str = "02/Mar/2026:11:00:00 +0000",
             target: str = "/api/cart", status: str = "200") -> str:
    return f'{ip} - {user} [{when}] "GET {target} HTTP/1.1" {status} 10 "-" "curl/8" 0.010\n'


def parquet(rows: list[dict]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out.getvalue()


def preq(**over: object) -> dict:
    row = {"timestamp": "2026-03-02T11:00:00Z", "service": "checkout-api", "route": "/api/cart",
           "status": 200, "request_id": "r-bad", "latency_ms": 10.0, "user_key": "u9"}
    return {**row, **over}


def truncated_gzip(text: str) -> bytes:
    data = gzip.compress((text * 200).encode())
    return data[: len(data) // 2]


JUNK = bytes((i * 151 + 7) % 256 for i in range(4096))  # fixed "random" binary bytes
PRETTY_ARRAY = (
    "[\n"
    '  {"event_id": "c-a1", "timestamp": "2026-03-02T12:00:00Z", "journey": "checkout", '
    '"step": "started"},\n'
    '  {"event_id": "c-a2", "timestamp": "2026-03-02T12:00:00Z", "journey": "checkout", '
    '"step": "completed"}\n'
    "]\n"
)


@dataclass(frozen=True)
class Case:
    """One bad landing file. `reason`: a substring of the reject reason (of `line`), or of the
    error refusing the file when `refused`. `loaded`: the rows the file adds (key -> None, or
    the stored value of `check` expected)."""

    dataset: str
    name: str
    content: bytes
    reason: str | None
    line: int | None = None
    refused: bool = False
    loaded: tuple[str, ...] = ("r-good",)
    rejects: int = 1
    check: tuple[str, object] | None = None  # (SQL over the new rows, expected value)
    secret: str | None = None  # must not appear in the reject's raw text


OUTSIDE = "is outside the accepted range 2000-01-01 00:00:00 .. "
C = Case
CASES: dict[str, Case] = {
    # -- timestamps: a plausible range (#19.1), epoch seconds vs milliseconds
    "request at epoch 0": C("requests", "e0.csv", req_csv(req(ts="0")),
                            "timestamp: 0 = 1970-01-01 00:00:00 " + OUTSIDE, line=3),
    "request in 2100": C("requests", "y2100.csv", req_csv(req(ts="2100-01-01T00:00:00Z")),
                         "timestamp: 2100-01-01T00:00:00Z = 2100-01-01 00:00:00 " + OUTSIDE, 3),
    "request in 1999": C("requests", "y1999.csv", req_csv(req(ts="1999-12-31T23:59:59Z")),
                         OUTSIDE, 3),
    "request two days ahead": C("requests", "ahead.csv", req_csv(req(ts="2099-01-01")),
                                "ingest.future_tolerance_hours", 3),
    "epoch seconds and milliseconds": C(
        "requests", "epochs.csv",
        req_csv(req(ts="1772445600", rid="r-s"), req(ts="1772445600000", rid="r-ms")),
        None, rejects=0, loaded=("r-good", "r-s", "r-ms"),
        check=("SELECT count(DISTINCT timestamp) FROM new WHERE request_id IN ('r-s', 'r-ms')",
               1)),
    "epoch microseconds": C("requests", "epoch-us.csv", req_csv(req(ts="1772445600000000")),
                            "timestamp: cannot read 1772445600000000 as an ISO 8601", 3),
    "deployment in 1970": C("deployments", "d1970.csv",
                            dep_csv("dep-x,checkout-api,production,success,1970-01-01T00:00:00Z\n"),
                            "finished_at: 1970-01-01T00:00:00Z = 1970-01-01 00:00:00 " + OUTSIDE,
                            3, loaded=("dep-good",)),
    "deployment in 2100": C("deployments", "d2100.csv",
                            dep_csv("dep-x,checkout-api,production,success,2100-06-01T00:00:00Z\n"),
                            "finished_at: 2100-06-01T00:00:00Z", 3, loaded=("dep-good",)),
    "incident resolved in 2100": C(
        "incidents", "i2100.csv",
        b"incident_id,service,started_at,resolved_at\n"
        b"inc-good,checkout-api,2026-03-02T10:00:00Z,2026-03-02T12:00:00Z\n"
        b"inc-x,checkout-api,2026-03-02T10:00:00Z,2100-01-01T00:00:00Z\n",
        "resolved_at: 2100-01-01T00:00:00Z = 2100-01-01 00:00:00 " + OUTSIDE, 3,
        loaded=("inc-good",)),
    "conversion in 1999 (JSON Lines)": C(
        "conversions", "c1999.jsonl",
        conv_jsonl('{"event_id": "c-x", "timestamp": "1999-01-01T00:00:00Z", '
                   '"journey": "checkout", "step": "started"}'),
        "timestamp: 1999-01-01T00:00:00Z = 1999-01-01 00:00:00 " + OUTSIDE, 2,
        loaded=("c-good",)),
    "access log line in 2100": C(
        "requests", "checkout-api/y2100.log",
        (log_line() + log_line(when="01/Jan/2100:00:00:00 +0000")).encode(),
        "timestamp: 2100-01-01 00:00:00 " + OUTSIDE, 2, loaded=()),
    "parquet timestamp at epoch 0": C(
        "requests", "e0.parquet",
        parquet([preq(request_id="r-good", timestamp=1772445600), preq(timestamp=0)]),
        "timestamp: 1970-01-01 00:00:00 " + OUTSIDE, 2),
    # -- statuses and numbers: never silently changed (#19.7)
    "status 0": C("requests", "s0.csv", req_csv(req(status="0")),
                  "status: 0 is not an HTTP status (100..599)", 3),
    "status 600": C("requests", "s600.csv", req_csv(req(status="600")),
                    "status: 600 is not an HTTP status (100..599)", 3),
    "status abc": C("requests", "sabc.csv", req_csv(req(status="abc")),
                    "status: cannot read abc as an integer", 3),
    "status 499.6": C("requests", "s4996.csv", req_csv(req(status="499.6")),
                      "status: cannot read 499.6 as an integer", 3),
    "status 499.6 in Parquet": C(
        "requests", "s4996.parquet",
        parquet([preq(request_id="r-good", status=200.0), preq(status=499.6)]),
        "status: cannot read 499.6 as an integer", 2),
    "latency NaN": C("requests", "lnan.csv", req_csv(req(latency="NaN")),
                     "latency_ms: cannot read NaN as a finite number", 3),
    "latency Infinity": C("requests", "linf.csv", req_csv(req(latency="Infinity")),
                          "latency_ms: cannot read Infinity as a finite number", 3),
    "latency 1e309": C("requests", "l1e309.csv", req_csv(req(latency="1e309")),
                       "latency_ms: cannot read 1e309 as a finite number", 3),
    "latency negative": C("requests", "lneg.csv", req_csv(req(latency="-5")),
                          "latency_ms: -5.0 is negative", 3),
    "latency NaN in Parquet": C(
        "requests", "lnan.parquet",
        parquet([preq(request_id="r-good"), preq(latency_ms=float("nan"))]),
        "latency_ms: cannot read nan as a finite number", 2),
    "revenue 12,50": C("conversions", "rev.csv",
                       conv_csv('c-x,2026-03-02T12:00:00Z,checkout,completed,"12,50",EUR\n'),
                       "revenue: cannot read 12,50 as a decimal number", 3, loaded=("c-good",)),
    "revenue NaN": C("conversions", "revnan.jsonl",
                     conv_jsonl('{"event_id": "c-x", "timestamp": "2026-03-02T12:00:00Z", '
                                '"journey": "checkout", "step": "completed", "revenue": "NaN"}'),
                     "revenue: cannot read NaN as a decimal number", 2, loaded=("c-good",)),
    "revenue 1e309": C("conversions", "rev1e309.jsonl",
                       conv_jsonl('{"event_id": "c-x", "timestamp": "2026-03-02T12:00:00Z", '
                                  '"journey": "checkout", "step": "completed", "revenue": 1e309}'),
                       "revenue: cannot read", 2, loaded=("c-good",)),
    # -- size and encoding: only the row is rejected (#19.9)
    "10 MB CSV field": C("requests", "big.csv", req_csv(req(route="/" + "x" * 10_000_000)),
                         "malformed CSV line: Maximum line size", 3),
    "3 MB JSON line": C(
        "conversions", "big.jsonl",
        conv_jsonl('{"event_id": "c-x", "timestamp": "2026-03-02T12:00:00Z", "journey": "'
                   + "j" * 3_000_000 + '", "step": "started"}'),
        "line too long: Maximum line size", 2, loaded=("c-good",)),
    "3 MB access log line": C("requests", "checkout-api/big.log",
                              (log_line(target="/" + "x" * 3_000_000) + log_line()).encode(),
                              "line too long", 1, loaded=()),
    "latin-1 bytes in a CSV line": C(
        "requests", "latin1.csv", req_csv() + req(route="/api/caf\xe9").encode("latin-1"),
        "malformed CSV line: Invalid unicode", 3),
    "latin-1 bytes in a JSON line": C(
        "conversions", "latin1.jsonl",
        conv_jsonl() + '{"event_id": "c-x", "timestamp": "2026-03-02T12:00:00Z", '
        '"journey": "caf\xe9", "step": "started"}\n'.encode("latin-1"),
        "not UTF-8 text", 2, loaded=("c-good",)),
    "latin-1 bytes in an access log line": C(
        "requests", "checkout-api/latin1.log",
        (log_line(when="02/Mar/2026:11:00:00 +0000")).encode()
        + log_line(target="/caf\xe9").encode("latin-1") + log_line().encode(),
        "not UTF-8 text", 2, loaded=(), rejects=1),
    "BOM before the header": C("requests", "bom.csv", b"\xef\xbb\xbf" + req_csv(), None,
                               rejects=0),
    "CRLF line ends (CSV)": C("requests", "crlf.csv",
                              req_csv(req(rid="r-2", status="abc")).replace(b"\n", b"\r\n"),
                              "status: cannot read abc as an integer", 3,
                              check=("SELECT method FROM new", "GET")),
    "CRLF line ends (JSON Lines)": C("conversions", "crlf.jsonl",
                                     conv_jsonl().replace(b"\n", b"\r\n"), None, rejects=0,
                                     loaded=("c-good",)),
    # -- wrong shapes: the file is refused, naming it and what to fix
    "missing required column": C("requests", "nostatus.csv",
                                 b"timestamp,service,route,request_id\n"
                                 b"2026-03-02T11:00:00Z,checkout-api,/a,r-1\n",
                                 "missing required column(s) status", refused=True),
    "unknown extra column kept": C("requests", "extra.csv",
                                   REQ_HEADER.replace("\n", ",shard\n").encode()
                                   + GOOD_REQ.replace("\n", ",7\n").encode(),
                                   None, rejects=0,
                                   check=("SELECT _extra FROM new", '{"shard":"7"}')),
    "row with too many fields": C("requests", "wide.csv", req_csv(req().replace("\n", ",x,y\n")),
                                  "malformed CSV line", 3),
    "pretty-printed JSON array": C("conversions", "array.json", PRETTY_ARRAY.encode(),
                                   "JSON array, not JSON Lines", refused=True),
    "one-line JSON array": C("conversions", "array.jsonl",
                             ("[" + PRETTY_ARRAY.replace("\n", "").strip("[]") + "]").encode(),
                             "JSON array, not JSON Lines", refused=True),
    "JSON line that is not an object": C("conversions", "num.jsonl", conv_jsonl("42"),
                                         "not a JSON object", 2, loaded=("c-good",)),
    "truncated gzip CSV": C("requests", "cut.csv.gz", truncated_gzip(REQ_HEADER + GOOD_REQ),
                            "cut.csv.gz", refused=True),
    "truncated gzip JSON Lines": C("conversions", "cut.jsonl.gz",
                                   truncated_gzip(conv_jsonl().decode()),
                                   "cannot be read as jsonl", refused=True),
    "junk bytes as CSV": C("requests", "junk.csv", JUNK, "junk.csv", refused=True),
    "junk bytes as JSON Lines": C("conversions", "junk.jsonl", JUNK, "no line could be read",
                                  refused=True),
    "junk bytes as Parquet": C("requests", "junk.parquet", b"PAR1" + JUNK[:200],
                               "cannot be read as Parquet", refused=True),
    "junk bytes as an access log": C("requests", "checkout-api/junk.log", JUNK,
                                     "no line could be read", refused=True),
    "empty file": C("requests", "empty.csv", b"", "the file is empty", refused=True),
    "header only": C("requests", "header.csv", REQ_HEADER.encode(), "holds no records",
                     refused=True),
    # -- names: quotes, unicode, SQL and path separators are data, stored as they are
    "SQL-looking route": C("requests", "sqlroute.csv",
                           req_csv(req(rid="r-sql", route="/x');DROP TABLE raw.requests;--")),
                           None, rejects=0, loaded=("r-good", "r-sql"),
                           check=("SELECT route FROM new WHERE request_id = 'r-sql'",
                                  "/x');DROP TABLE raw.requests;--")),
    "SQL-looking service name": C(
        "deployments", "sqlservice.csv",
        dep_csv("dep-sql,\"x'; DELETE FROM raw.deployments; --\",production,success,"
                "2026-03-02T12:00:00Z\n"),
        None, rejects=0, loaded=("dep-good", "dep-sql"),
        check=("SELECT service FROM new WHERE deployment_id = 'dep-sql'",
               "x'; DELETE FROM raw.deployments; --")),
    "quotes and unicode in a service name": C(
        "deployments", "unicode.csv",
        dep_csv('dep-u,"chéckout ""äpi"" ☃",production,success,2026-03-02T12:00:00Z\n'),
        None, rejects=0, loaded=("dep-good", "dep-u"),
        check=("SELECT service FROM new WHERE deployment_id = 'dep-u'", 'chéckout "äpi" ☃')),
    "path separators in a service name": C(
        "deployments", "path.csv",
        dep_csv("dep-p,../../etc/passwd,production,success,2026-03-02T12:00:00Z\n"),
        None, rejects=0, loaded=("dep-good", "dep-p"),
        check=("SELECT service FROM new WHERE deployment_id = 'dep-p'", "../../etc/passwd")),
    "quotes and unicode in a file name": C(
        "requests", "it's é ☃ 'x'.csv", req_csv(req(status="600")), "status: 600", 3),
    "quote in an access log's service folder": C(
        "requests", "o'brien-ü/a.log", (log_line() + log_line(status="999")).encode(),
        "status: 999 is not an HTTP status", 2, loaded=(),
        check=("SELECT service FROM new", "o'brien-ü")),
    # -- privacy (#19.5): query strings never stored; rejected text without user keys or IPs
    "query string in a CSV route": C(
        "requests", "query.csv", req_csv(req(rid="r-q", route="/api/cart?token=s3cr3t")),
        None, rejects=0, loaded=("r-good", "r-q"),
        check=("SELECT route FROM new WHERE request_id = 'r-q'", "/api/cart")),
    "query string in a JSON Lines route": C(
        "requests", "query.jsonl",
        b'{"timestamp": "2026-03-02T11:00:00Z", "service": "checkout-api", '
        b'"route": "/api/cart?token=s3cr3t", "status": 200, "request_id": "r-good"}\n',
        None, rejects=0, check=("SELECT route FROM new", "/api/cart")),
    "query string in a Parquet route": C(
        "requests", "query.parquet",
        parquet([preq(request_id="r-good", route="/api/cart?token=s3cr3t")]),
        None, rejects=0, check=("SELECT route FROM new", "/api/cart")),
    "rejected CSV row with a user key and an IP": C(
        "requests", "leak.csv",
        req_csv(req(status="abc", user="alice@example.com", route="/a?ip=203.0.113.50")),
        "status: cannot read abc", 3, secret="alice@example.com|203.0.113.50"),
    "rejected JSON line with a user key": C(
        "conversions", "leak.jsonl",
        conv_jsonl('{"event_id": "c-x", "timestamp": "yesterday", "journey": "checkout", '
                   '"step": "started", "user_key": "alice@example.com"}'),
        "timestamp: cannot read yesterday", 2, loaded=("c-good",), secret="alice@example.com"),
    "rejected access log line with a user and an IP": C(
        "requests", "checkout-api/leak.log",
        (log_line() + log_line(ip="198.51.100.77", user="alice", status="999",
                               target="/a?token=s3cr3t")).encode(),
        "status: 999 is not an HTTP status", 2, loaded=(), secret="198.51.100.77|alice|s3cr3t"),
    "rejected Parquet row with a user key": C(
        "requests", "leak.parquet",
        parquet([preq(request_id="r-good"), preq(status=600, user_key="alice@example.com")]),
        "status: 600", 2, secret="alice@example.com"),
    # -- repeats: neither lost nor duplicated
    "same request id twice in a file": C(
        "requests", "dup.csv", req_csv(req(rid="r-good", status="503")), None, rejects=0,
        check=("SELECT status FROM new", 200)),
    "an already loaded request again": C(
        "requests", "again.csv", req_csv(req(rid="base-1", status="503")), None, rejects=0,
        check=("SELECT count(*) FROM raw.requests WHERE request_id = 'base-1'", 1)),
}


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _base(tmp_path: Path) -> tuple[Path, Path]:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    for rel, text in BASE.items():
        _write(landing / rel, text.encode())
    con = connect(warehouse)
    for ds in BASE_DATASETS:
        load_dataset(con, ds, landing)
    con.close()
    return landing, warehouse


def _hash(con: duckdb.DuckDBPyConnection, table: str, where: str, arg: str) -> tuple[int, str]:
    """Rows and md5 of a table's sorted rows (as tests/table_hashes.py) matching `where`."""
    cols = ", ".join(
        f'"{c}"' for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name || '.' || table_name = ? "
            "ORDER BY column_index", [table]).fetchall()
        if c not in VOLATILE and c != "rejected_at"
    )
    return con.execute(
        f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) FROM "
        f"(SELECT CAST(ROW({cols}) AS VARCHAR) AS r FROM {table} WHERE {where})", [arg]
    ).fetchone()


# Bookkeeping tables and the column naming the file a row came from.
FILE_COLUMN = {
    "raw.rejects": "file_path", "raw.loaded_files": "file_path", "raw.landing_files": "file_path",
}


def _state(warehouse: Path, dataset: str, new_file: str) -> dict[str, tuple[int, str]]:
    """Hashes of everything not from `new_file`: whole raw tables, and for the dataset's table
    and the bookkeeping tables their rows from other files."""
    out = dict(table_hashes(warehouse, ("raw",)))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table, col in {**FILE_COLUMN, f"raw.{dataset}": "_source_file"}.items():
            out[table] = _hash(con, table, f"{col} IS DISTINCT FROM ?", new_file)
    finally:
        con.close()
    return out


@pytest.mark.parametrize("case_name", list(CASES))
def test_bad_landing_file(tmp_path: Path, case_name: str) -> None:
    case = CASES[case_name]
    landing, warehouse = _base(tmp_path)
    path = landing / case.dataset / case.name
    before = _state(warehouse, case.dataset, str(path))
    all_before = table_hashes(warehouse, ("raw",))
    _write(path, case.content)

    con = connect(warehouse)
    try:
        if case.refused:
            with pytest.raises(LoadError) as err:
                load_dataset(con, case.dataset, landing, salt=SALT)
            message = str(err.value)
            assert case.name in message and case.reason in message, message
            con.close()
            assert table_hashes(warehouse, ("raw",)) == all_before
            return
        result = load_dataset(con, case.dataset, landing, salt=SALT)
        key = KEYS[case.dataset]
        con.execute(
            f"CREATE TEMP VIEW new AS SELECT * FROM raw.{case.dataset} WHERE _source_file = ?"
            .replace("?", "'" + str(path).replace("'", "''") + "'")
        )
        rejects = con.execute(
            "SELECT line_number, reason, raw_text FROM raw.rejects WHERE file_path = ? "
            "ORDER BY line_number", [str(path)]
        ).fetchall()
        assert len(rejects) == case.rejects == result.rows_rejected, rejects
        if case.reason is not None:
            assert case.reason in rejects[0][1], rejects[0][1]
            assert rejects[0][0] == case.line
        if case.secret:
            for secret in case.secret.split("|"):
                assert all(secret not in (r[2] or "") for r in rejects), rejects
        # the good rows: each once; the table grew by exactly them
        keys = [r[0] for r in con.execute(f"SELECT {key} FROM new").fetchall()]
        if case.loaded:
            assert sorted(k for k in keys if k is not None) == sorted(case.loaded)
        assert result.rows_loaded == len(keys)
        if case.check:
            assert con.execute(case.check[0]).fetchone()[0] == case.check[1]
    finally:
        con.close()
    after = _state(warehouse, case.dataset, str(path))
    assert {t: after[t] for t in before} == before  # nothing previously loaded changed


def test_rejected_user_key_is_the_accepted_rows_hash(tmp_path: Path) -> None:
    """A rejected row's user key is replaced by the salted hash an accepted row stores."""
    landing, warehouse = _base(tmp_path)
    _write(landing / "requests" / "h.csv", req_csv(req(rid="r-x", status="abc", user="carol")))
    con = connect(warehouse)
    load_dataset(con, "requests", landing, salt=SALT)
    text = con.execute("SELECT raw_text FROM raw.rejects").fetchone()[0]
    stored = hashlib.sha256(f"{SALT}carol".encode()).hexdigest()
    assert text == req(rid="r-x", status="abc", user=stored).rstrip("\n")


# -- configuration, OpenSLO files and postmortems: a named key, field or file

CONFIG_CASES: dict[str, tuple[str, str]] = {
    "config is not YAML": ("services: [checkout-api\n", "valid YAML"),
    "config is a list": ("- a\n- b\n", "(top level)"),
    "ingest.earliest not a date": (
        "ingest:\n  earliest: yesterday\n", "key 'ingest.earliest': expected a date"),
    "ingest.future_tolerance_hours negative": (
        "ingest:\n  future_tolerance_hours: -1\n", "key 'ingest.future_tolerance_hours'"),
    "ingest key misspelled": ("ingest:\n  earliset: 2001-01-01\n", "key 'ingest.earliset'"),
}


@pytest.mark.parametrize("case_name", list(CONFIG_CASES))
def test_bad_config(tmp_path: Path, case_name: str) -> None:
    text, reason = CONFIG_CASES[case_name]
    base = Path(__file__).resolve().parent.parent / "data" / "reliability.yml"
    path = tmp_path / "reliability.yml"
    if text.startswith("ingest"):
        path.write_text(base.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        cfg = load_config(path)
        ingest_settings(cfg.raw, cfg.path)
    assert str(path) in str(err.value) and reason in str(err.value), str(err.value)


def test_ingest_settings_narrow_the_accepted_range(tmp_path: Path) -> None:
    landing, warehouse = _base(tmp_path)
    _write(landing / "requests" / "r.csv", req_csv(req(ts="2020-06-01T00:00:00Z")))
    base = Path(__file__).resolve().parent.parent / "data" / "reliability.yml"
    path = tmp_path / "reliability.yml"
    path.write_text(base.read_text() + "\ningest:\n  earliest: 2021-01-01\n")
    cfg = load_config(path)
    con = connect(warehouse)
    load_dataset(con, "requests", landing, settings=ingest_settings(cfg.raw, cfg.path))
    reason = con.execute("SELECT reason FROM raw.rejects").fetchone()[0]
    assert "outside the accepted range 2021-01-01 00:00:00" in reason


GOOD_SLO = (Path(__file__).resolve().parent.parent / "data" / "slos" / "checkout.yaml")
SLO_CASES: dict[str, tuple[bytes, str]] = {
    "SLO file is not YAML": (b"apiVersion: openslo/v1\nkind: [SLO\n", "not valid YAML"),
    "SLO with the wrong apiVersion": (
        GOOD_SLO.read_bytes().replace(b"openslo/v1", b"openslo/v9", 1), "field 'apiVersion'"),
    "SLO without a spec": (
        b"apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\n", "field 'spec'"),
    "SLO with a bad target": (
        GOOD_SLO.read_bytes().replace(b"target: 0.995", b"target: 1.5", 1), "target"),
}


@pytest.mark.parametrize("case_name", list(SLO_CASES))
def test_bad_openslo_file(tmp_path: Path, case_name: str) -> None:
    data, reason = SLO_CASES[case_name]
    folder = tmp_path / "slos"
    _write(folder / "bad.yaml", data)
    journeys = {"checkout": ("checkout-api", ("/api/cart%",)), "signup": (None, ("/api/s%",))}
    with pytest.raises(SloDefinitionError) as err:
        load_slo_folder(folder, journeys)
    assert "bad.yaml" in str(err.value) and reason in str(err.value), str(err.value)


_NOW = datetime(2026, 12, 1, 12, 0)
GOOD_PM = (Path(__file__).resolve().parent.parent / "docs" / "postmortem-template.md")
PM_CASES: dict[str, tuple[bytes, str]] = {
    "front matter not YAML": (b"---\nincident_id: [INC-1\n---\n", "front matter is not valid YAML"),
    "front matter is a list": (b"---\n- a\n- b\n---\n", "must be a YAML mapping"),
    "postmortem without incident_id": (
        GOOD_PM.read_bytes().replace(b"incident_id: INC-0000", b"title2: x", 1), "incident_id"),
    "postmortem not UTF-8": (GOOD_PM.read_bytes().replace(b"Checkout", b"Caf\xe9", 1),
                             "not UTF-8 text"),
    "postmortem without front matter": (b"# just a heading\n", "front matter"),
}


@pytest.mark.parametrize("case_name", list(PM_CASES))
def test_bad_postmortem(tmp_path: Path, case_name: str) -> None:
    data, reason = PM_CASES[case_name]
    landing, warehouse = _base(tmp_path)
    _write(landing / "postmortems" / "INC-0000.md", GOOD_PM.read_bytes())
    con = connect(warehouse)
    write_postmortem_tables(con, read_postmortems(landing), _NOW)
    con.close()
    before = table_hashes(warehouse, ("raw",))
    _write(landing / "postmortems" / "bad.md", data)
    loaded = read_postmortems(landing)
    con = connect(warehouse)
    write_postmortem_tables(con, loaded, _NOW)
    con.close()
    after = table_hashes(warehouse, ("raw",))
    assert [(r.path.name, reason in r.reason) for r in loaded.rejects] == [("bad.md", True)], [
        r.reason for r in loaded.rejects]
    changed = {t for t in after if after[t] != before[t]}
    assert changed == {"raw.postmortem_rejects"}  # the accepted postmortem is still there

