"""Tests for the demo-data generator (the reliability/demo package)."""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from reliability.demo import DATASETS, DemoSummary, generate_demo

END = date(2026, 3, 2)  # a Monday
WEEKS = 3
SCALE = 0.05
CONFIG = Path(__file__).resolve().parents[1] / "data" / "reliability.yml"

REQUIRED = {
    "deployments": [
        "deployment_id",
        "service",
        "environment",
        "status",
        "finished_at",
        "started_at",
        "commit_sha",
        "deployment_type",
        "fixes_incident_id",
        "team",
    ],
    "changes": [
        "change_id",
        "service",
        "first_committed_at",
        "opened_at",
        "merged_at",
        "commit_sha",
        "deployment_id",
    ],
    "incidents": [
        "incident_id",
        "service",
        "started_at",
        "detected_at",
        "resolved_at",
        "severity",
        "title",
        "journey",
        "caused_by_deployment_id",
        "root_cause_sha",
        "postmortem_url",
    ],
    "requests": [
        "timestamp",
        "service",
        "route",
        "method",
        "status",
        "latency_ms",
        "request_id",
        "user_key",
    ],
    "conversions": ["event_id", "timestamp", "journey", "step", "user_key", "revenue", "currency"],
}

# nginx combined, optionally followed by $request_time.
ACCESS_LOG = re.compile(
    r'^(?P<addr>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-) "(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)"'
    r"(?: (?P<rt>\d+\.\d+))?$"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return generate_demo(tmp_path_factory.mktemp("landing"), weeks=WEEKS, end=END, scale=SCALE)


@pytest.fixture(scope="module")
def con(demo: DemoSummary) -> duckdb.DuckDBPyConnection:
    """DuckDB tables of the demo files: deployments, changes, incidents, checkout, conversions.

    Tables, not views: DuckDB 2.0 can push a join filter on a TRY_CAST column into read_csv as a
    strict cast, which then fails on the deliberately malformed timestamps.
    """
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    land = demo.landing.as_posix()
    c.execute(f"""
        CREATE TABLE deployments AS SELECT *, TRY_CAST(finished_at AS TIMESTAMPTZ) AS finished
        FROM read_csv('{land}/deployments/demo-*.csv', all_varchar = true);
        CREATE TABLE changes AS SELECT *,
            TRY_CAST(first_committed_at AS TIMESTAMPTZ) AS first_commit,
            TRY_CAST(merged_at AS TIMESTAMPTZ) AS merged
        FROM read_json('{land}/changes/demo-*.jsonl.gz', format = 'newline_delimited',
                       ignore_errors = true);
        CREATE TABLE incidents AS SELECT *, TRY_CAST(started_at AS TIMESTAMPTZ) AS s,
            COALESCE(TRY_CAST(resolved_at AS TIMESTAMPTZ), TIMESTAMPTZ '{END}') AS r
        FROM read_csv('{land}/incidents/demo-*.csv', all_varchar = true)
        WHERE incident_id IS NOT NULL AND TRY_CAST(started_at AS TIMESTAMPTZ) IS NOT NULL;
        CREATE TABLE checkout AS SELECT * FROM read_parquet('{land}/requests/demo-*.parquet');
        CREATE TABLE conversions AS SELECT *, TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts
        FROM read_csv('{land}/conversions/demo-*.csv', all_varchar = true);
    """)
    return c


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _log_lines(path: Path) -> list[str]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return raw.decode().splitlines()


def _columns(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return list(con.sql(sql).columns)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return _rows(con, sql)[0]


# ---------------------------------------------------------------------------------------------
# Determinism and file management
# ---------------------------------------------------------------------------------------------


def test_two_runs_write_identical_bytes(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", weeks=WEEKS, end=END, scale=SCALE, seed=11)
    b = generate_demo(tmp_path / "b", weeks=WEEKS, end=END, scale=SCALE, seed=11)
    files_a, files_b = _all_files(tmp_path / "a"), _all_files(tmp_path / "b")
    assert files_a.keys() == files_b.keys()
    assert len(files_a) == 4 + 3 * WEEKS
    for name, data in files_a.items():
        assert data == files_b[name], name
    assert a.rows == b.rows and a.malformed == b.malformed


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate_demo(tmp_path / "a", weeks=1, end=END, scale=0.02, seed=1)
    generate_demo(tmp_path / "b", weeks=1, end=END, scale=0.02, seed=2)
    a = (tmp_path / "a" / "deployments" / "demo-deployments.csv").read_bytes()
    b = (tmp_path / "b" / "deployments" / "demo-deployments.csv").read_bytes()
    assert a != b


def test_scale_changes_volumes_only(tmp_path: Path) -> None:
    small = generate_demo(tmp_path / "s", weeks=2, end=END, scale=0.02)
    large = generate_demo(tmp_path / "l", weeks=2, end=END, scale=0.06)
    for folder in ("deployments", "changes", "incidents"):
        for path in small.files[folder]:
            twin = tmp_path / "l" / path.relative_to(tmp_path / "s")
            assert path.read_bytes() == twin.read_bytes(), path.name
    assert large.rows["requests"] > 2 * small.rows["requests"]
    assert large.rows["conversions"] > 2 * small.rows["conversions"]


def test_rerun_replaces_only_demo_files(tmp_path: Path) -> None:
    (tmp_path / "requests" / "signup-service").mkdir(parents=True)
    mine = tmp_path / "requests" / "mine.csv"
    mine.write_text("timestamp,service,route,status\n")
    stale = tmp_path / "requests" / "demo-checkout-api-1999-W01.parquet"
    stale.write_bytes(b"old")
    stale_log = tmp_path / "requests" / "signup-service" / "demo-access-1999-W01.log"
    stale_log.write_text("old\n")
    summary = generate_demo(tmp_path, weeks=1, end=END, scale=0.02)
    assert mine.exists()
    assert not stale.exists() and not stale_log.exists()
    written = {p for paths in summary.files.values() for p in paths}
    on_disk = {p for p in tmp_path.rglob("demo-*") if p.is_file()}
    assert written == on_disk


def test_end_defaults_to_current_monday_and_is_normalized(tmp_path: Path) -> None:
    summary = generate_demo(tmp_path / "a", weeks=1, scale=0.01)
    today = date.today()
    assert summary.end == today - timedelta(days=today.weekday())
    wednesday = generate_demo(tmp_path / "b", weeks=1, end=date(2026, 3, 4), scale=0.01)
    assert (wednesday.start, wednesday.end) == (date(2026, 2, 23), date(2026, 3, 2))
    with pytest.raises(ValueError):
        generate_demo(tmp_path / "c", weeks=0)
    with pytest.raises(ValueError):
        generate_demo(tmp_path / "c", scale=0)


# ---------------------------------------------------------------------------------------------
# Layout, formats, columns
# ---------------------------------------------------------------------------------------------


def test_layout_and_formats(demo: DemoSummary) -> None:
    land = demo.landing
    assert demo.start == END - timedelta(weeks=WEEKS) and demo.start.weekday() == 0
    assert demo.end == END
    assert set(demo.files) == set(DATASETS)
    for dataset in DATASETS:
        assert (land / dataset).is_dir()
        assert demo.files[dataset], dataset
        for path in demo.files[dataset]:
            assert path.exists() and path.name.startswith("demo-")
            assert path.is_relative_to(land / dataset)
    names = [p.relative_to(land).as_posix() for p in demo.files["requests"]]
    assert sum(n.endswith(".parquet") and "checkout-api" in n for n in names) == WEEKS
    assert sum(n.endswith(".jsonl.gz") and "catalog-api" in n for n in names) == WEEKS
    logs = [n for n in names if n.startswith("requests/signup-service/demo-access-")]
    assert sum(n.endswith(".log.gz") for n in logs) == WEEKS - 1
    assert sum(n.endswith(".log") for n in logs) == 1
    assert re.fullmatch(r"requests/demo-checkout-api-\d{4}-W\d{2}\.parquet", names[WEEKS])
    assert [p.name for p in demo.files["deployments"]] == ["demo-deployments.csv"]
    assert [p.name for p in demo.files["changes"]] == ["demo-changes.jsonl.gz"]
    assert [p.name for p in demo.files["conversions"]] == ["demo-conversions.csv"]
    for paths in demo.files.values():
        for path in paths:
            head = path.read_bytes()[:4]
            if path.name.endswith(".gz"):
                assert head[:2] == b"\x1f\x8b", path.name
            elif path.suffix == ".parquet":
                assert head == b"PAR1"
            else:
                assert head[:2] != b"\x1f\x8b", path.name


def test_required_columns_present(demo: DemoSummary, con: duckdb.DuckDBPyConnection) -> None:
    land = demo.landing.as_posix()
    readers = {
        "deployments": f"read_csv('{land}/deployments/*.csv', all_varchar = true)",
        "changes": f"read_json('{land}/changes/*.jsonl.gz', format = 'newline_delimited', "
        "ignore_errors = true)",
        "incidents": f"read_csv('{land}/incidents/*.csv', all_varchar = true)",
        "conversions": f"read_csv('{land}/conversions/*.csv', all_varchar = true)",
    }
    for dataset, reader in readers.items():
        columns = _columns(con, f"SELECT * FROM {reader}")
        assert set(REQUIRED[dataset]) <= set(columns), dataset
    assert "repository" in _columns(con, f"SELECT * FROM {readers['changes']}")
    for path in demo.files["requests"]:
        if path.suffix == ".parquet":
            rel = con.sql(f"SELECT * FROM read_parquet('{path.as_posix()}')")
            types = dict(zip(rel.columns, map(str, rel.types), strict=True))
            assert set(REQUIRED["requests"]) <= set(types)
            assert types["timestamp"] == "TIMESTAMP WITH TIME ZONE"
            assert types["status"] == "INTEGER" and types["latency_ms"] == "DOUBLE"
        elif path.name.endswith(".jsonl.gz"):
            columns = _columns(
                con, f"SELECT * FROM read_json('{path.as_posix()}', format = 'newline_delimited')"
            )
            assert set(REQUIRED["requests"]) <= set(columns), path.name


def test_catalog_timestamps_alternate_epoch_and_iso(demo: DemoSummary) -> None:
    kinds = set()
    for path in demo.files["requests"]:
        if path.name.endswith(".jsonl.gz"):
            first = gzip.decompress(path.read_bytes()).split(b"\n", 1)[0].decode()
            kinds.add("iso" if first.startswith('{"timestamp":"') else "epoch")
            if kinds == {"epoch"}:
                assert re.match(r'\{"timestamp":1\d{12},', first)
    assert kinds == {"iso", "epoch"}


def test_deployment_timestamps_carry_offsets(con: duckdb.DuckDBPyConnection) -> None:
    found = {
        row[0]
        for row in con.sql(
            "SELECT DISTINCT right(finished_at, 6) FROM deployments WHERE finished IS NOT NULL"
        ).fetchall()
    }
    assert {"+01:00", "-05:00"} <= found
    assert any(f.endswith("Z") for f in found)


def test_access_logs_are_combined_with_request_time(demo: DemoSummary) -> None:
    lines = [
        line
        for path in demo.files["requests"]
        if "signup-service" in path.parts
        for line in _log_lines(path)
    ]
    parsed = [ACCESS_LOG.match(line) for line in lines]
    matched = [m for m in parsed if m]
    assert len(lines) - len(matched) == 2  # the truncated and the garbage line
    assert any(":" in m["addr"] for m in matched)  # IPv6 clients
    assert any('\\"' in m["agent"] for m in matched)  # escaped quote in a user agent
    without_rt = sum(m["rt"] is None for m in matched)
    assert 0 < without_rt < 0.05 * len(matched)
    assert any("?" in m["path"] for m in matched)  # query strings
    assert all(
        re.fullmatch(r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000", m["time"])
        for m in matched
    )
    assert sum(m["status"] == "999" for m in matched) == 1


def test_rows_and_malformed_counts(demo: DemoSummary, con: duckdb.DuckDBPyConnection) -> None:
    def lines(path: Path) -> int:
        return len(_log_lines(path))

    assert demo.rows["deployments"] == lines(demo.files["deployments"][0]) - 1
    assert demo.rows["incidents"] == lines(demo.files["incidents"][0]) - 1
    assert demo.rows["conversions"] == lines(demo.files["conversions"][0]) - 1
    assert demo.rows["changes"] == lines(demo.files["changes"][0])
    total = 0
    for path in demo.files["requests"]:
        if path.suffix == ".parquet":
            total += _one(con, f"SELECT count(*) FROM '{path.as_posix()}'")[0]
        else:
            total += lines(path)
    assert demo.rows["requests"] == total
    for dataset in DATASETS:
        assert 1 <= demo.malformed[dataset] <= 10, dataset
    assert (
        _one(
            con,
            "SELECT count(*) FROM deployments WHERE status NOT IN ('success', 'failure')"
            " OR finished IS NULL OR service IS NULL",
        )[0]
        == 3
    )
    assert _one(con, "SELECT count(*) FROM checkout WHERE status > 599 OR latency_ms < 0")[0] == 2
    assert _one(con, "SELECT count(*) FROM conversions WHERE ts IS NULL OR journey IS NULL")[0] == 2


def test_routes_match_config(demo: DemoSummary, con: duckdb.DuckDBPyConnection) -> None:
    config = yaml.safe_load(CONFIG.read_text())
    services = {s["name"]: s["routes"] for s in config["services"]}
    land = demo.landing.as_posix()
    catalog = con.sql(
        f"SELECT DISTINCT service, route FROM read_json("
        f"'{land}/requests/demo-catalog-api-*.jsonl.gz', format = 'newline_delimited'"
        ", union_by_name = true, columns = {'service': 'VARCHAR', 'route': 'VARCHAR'"
        "})"
    ).fetchall()
    checkout = con.sql("SELECT DISTINCT service, route FROM checkout").fetchall()
    signup = {
        ("signup-service", m["path"].split("?")[0])
        for path in demo.files["requests"]
        if "signup-service" in path.parts
        for m in map(ACCESS_LOG.match, _log_lines(path))
        if m
    }
    pairs = set(catalog) | set(checkout) | signup
    assert {s for s, _ in pairs} == {"catalog-api", "checkout-api", "signup-service"}
    for service, route in pairs:
        if route == "/healthz":
            continue
        patterns = [re.escape(p).replace("%", ".*") for p in services[service]]
        assert any(re.fullmatch(p, route) for p in patterns), (service, route)


# ---------------------------------------------------------------------------------------------
# Realism the metrics rely on
# ---------------------------------------------------------------------------------------------


def test_incident_windows_show_error_spikes(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        con.sql("""
        SELECT EXISTS (SELECT 1 FROM incidents i WHERE i.service = 'checkout-api'
                       AND c.timestamp >= i.s AND c.timestamp < i.r) AS inside,
               avg((status BETWEEN 500 AND 599)::INT) AS error_rate
        FROM checkout c WHERE route <> '/healthz' GROUP BY ALL
    """).fetchall()
    )
    assert rows[True] > 0.05
    assert rows[False] < 0.005
    assert rows[True] > 20 * rows[False]


def test_big_checkout_incident_exhausts_budget(con: duckdb.DuckDBPyConnection) -> None:
    big = con.sql(f"""
        SELECT incident_id, s, r FROM incidents
        WHERE service = 'checkout-api' AND severity = 'sev1'
          AND s >= TIMESTAMPTZ '{END - timedelta(weeks=2)}' AND r - s >= INTERVAL 4 HOUR
    """).fetchall()
    assert big
    bad, valid = _one(
        con,
        f"""
        SELECT sum((status BETWEEN 500 AND 599)::INT), count(*) FROM checkout
        WHERE route <> '/healthz' AND status <> 429
          AND timestamp >= TIMESTAMPTZ '{END}' - INTERVAL 30 DAY
    """,
    )
    assert bad > 0.005 * valid  # a 99.5% budget over the period is spent


def test_signup_latency_incident(demo: DemoSummary, con: duckdb.DuckDBPyConnection) -> None:
    windows = con.sql(
        "SELECT epoch(s), epoch(r) FROM incidents WHERE service = 'signup-service'"
        " AND title LIKE '%slow%'"
    ).fetchall()
    assert windows
    inside, outside = [], []
    for path in demo.files["requests"]:
        if "signup-service" not in path.parts:
            continue
        for m in map(ACCESS_LOG.match, _log_lines(path)):
            if not m or m["rt"] is None or m["path"] == "/healthz":
                continue
            t = datetime.strptime(m["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
            in_window = any(lo <= t < hi for lo, hi in windows)
            (inside if in_window else outside).append(float(m["rt"]))
    inside.sort()
    outside.sort()
    assert len(inside) >= 10
    assert inside[len(inside) // 2] > 3 * outside[len(outside) // 2]


def test_conversions_drop_during_checkout_incidents(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        con.sql("""
        SELECT EXISTS (SELECT 1 FROM incidents i WHERE i.service = 'checkout-api'
                       AND c.ts >= i.s AND c.ts < i.r) AS inside,
               count(*) FILTER (WHERE step = 'completed') / count(*) FILTER (WHERE step = 'started')
        FROM conversions c WHERE journey = 'checkout' AND ts IS NOT NULL GROUP BY ALL
    """).fetchall()
    )
    assert 0.5 < rows[False] < 0.7
    assert rows[True] < 0.75 * rows[False]
    revenue = _one(
        con,
        "SELECT min(revenue::DOUBLE), avg(revenue::DOUBLE), any_value(currency) "
        "FROM conversions WHERE step = 'completed' AND journey = 'checkout'",
    )
    assert revenue[0] > 0 and 40 < revenue[1] < 80 and revenue[2] == "EUR"
    assert (
        _one(
            con, "SELECT count(*) FROM conversions WHERE journey = 'signup' AND revenue IS NOT NULL"
        )[0]
        == 0
    )


def test_returning_users(con: duckdb.DuckDBPyConnection) -> None:
    share = _one(
        con,
        """
        WITH w AS (SELECT DISTINCT date_trunc('week', ts) AS wk, user_key FROM conversions
                   WHERE journey = 'checkout' AND ts IS NOT NULL)
        SELECT count(b.user_key) / count(*) FROM w a
        LEFT JOIN w b ON a.user_key = b.user_key AND b.wk = a.wk - INTERVAL 7 DAY
        WHERE a.wk > (SELECT min(wk) FROM w)
    """,
    )[0]
    assert 0.1 < share < 0.9


def test_deployments_realism(con: duckdb.DuckDBPyConnection) -> None:
    stats = _one(
        con,
        """
        SELECT count(*), avg((status = 'failure')::INT), count(DISTINCT service),
               count(*) FILTER (WHERE environment NOT IN ('production', 'prod')),
               count(*) FILTER (WHERE team IS NULL), count(*) FILTER (WHERE team IS NOT NULL),
               count(*) FILTER (WHERE commit_sha IS NULL)
        FROM deployments WHERE status IN ('success', 'failure') AND finished IS NOT NULL
    """,
    )
    total, failure_share, services, other_envs, no_team, team, no_sha = stats
    assert 0.02 < failure_share < 0.15
    assert services == 4 and other_envs > 0 and no_team > 0 and team > 0 and no_sha == 0
    types = {
        row[0] for row in con.sql("SELECT DISTINCT deployment_type FROM deployments").fetchall()
    }
    assert {"normal", "hotfix", "rollback", None} <= types
    orphan_fixes = _one(
        con,
        """
        SELECT count(*) FROM deployments d WHERE fixes_incident_id IS NOT NULL
        AND fixes_incident_id NOT IN (SELECT incident_id FROM incidents)
    """,
    )[0]
    assert orphan_fixes == 0
    per_service = dict(
        con.sql("""
        SELECT service, count(*) FROM deployments
        WHERE status = 'success' AND environment IN ('production', 'prod') GROUP BY 1
    """).fetchall()
    )
    assert per_service["catalog-api"] > per_service["signup-service"] > 0
    assert per_service["checkout-api"] > per_service["notifications"] > 0


def test_changes_realism(con: duckdb.DuckDBPyConnection) -> None:
    total, explicit = _one(
        con, "SELECT count(*), count(deployment_id) FROM changes WHERE service IS NOT NULL"
    )
    assert 0.35 < explicit / total < 0.65
    skewed = _one(
        con,
        """
        SELECT count(*) FROM changes c JOIN deployments d USING (deployment_id)
        WHERE c.first_commit > d.finished
    """,
    )[0]
    assert skewed == 2
    undeployed = _one(
        con,
        """
        SELECT count(*) FROM changes c WHERE deployment_id IS NULL AND merged > (
            SELECT max(finished) FROM deployments d WHERE d.service = c.service
            AND d.status = 'success' AND d.environment IN ('production', 'prod'))
    """,
    )[0]
    assert undeployed >= 3
    shipped = _one(con, "SELECT count(*) FROM changes c JOIN deployments d USING (commit_sha)")[0]
    assert shipped > 0  # head commits of deployments appear as changes


def test_incidents_realism(con: duckdb.DuckDBPyConnection) -> None:
    n, open_last_week, by_id, by_sha, no_link, detect_ok, journeys = _one(
        con,
        f"""
        SELECT count(*),
               count(*) FILTER (WHERE resolved_at IS NULL
                                AND s >= TIMESTAMPTZ '{END - timedelta(weeks=1)}'),
               count(caused_by_deployment_id), count(root_cause_sha),
               count(*) FILTER (WHERE caused_by_deployment_id IS NULL AND root_cause_sha IS NULL),
               bool_and(TRY_CAST(detected_at AS TIMESTAMPTZ) > s),
               count(journey)
        FROM incidents
    """,
    )
    assert WEEKS // 2 + 2 <= n <= 4 * WEEKS + 3  # ~1-3 a week, plus the forced scenarios
    assert open_last_week == 1
    assert by_id > 0 and by_sha > 0 and no_link > 0 and detect_ok and journeys > 0
    sha_matches = _one(
        con,
        """
        SELECT count(*) FROM incidents i WHERE root_cause_sha IS NOT NULL AND EXISTS (
            SELECT 1 FROM deployments d WHERE d.commit_sha = i.root_cause_sha
            AND d.status = 'success' AND d.environment IN ('production', 'prod'))
    """,
    )[0]
    assert sha_matches == by_sha
    assert _one(con, "SELECT count(*) FROM incidents WHERE postmortem_url IS NOT NULL")[0] > 0
