"""The business marts on the demo warehouse against a plain-Python computation from the staging
tables: journey KPIs (with returning users and SLIs) and the incident business impact."""

from __future__ import annotations

import re
from datetime import timedelta

import duckdb
import pandas as pd
import pytest

from reliability.config import load_config
from reliability.review.settings import review_settings
from reliability.settings import Paths


@pytest.fixture(scope="module")
def tables(demo_paths: Paths) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(demo_paths.warehouse), read_only=True) as con:
        out = {
            "events": con.sql("SELECT * FROM staging.stg_conversions").df(),
            "incidents": con.sql("SELECT * FROM staging.stg_incidents").df(),
            "journeys": con.sql("SELECT * FROM staging.stg_journeys").df(),
            "routes": con.sql(
                "SELECT * FROM staging.stg_route_patterns WHERE owner_type = 'journey'"
            ).df(),
            "requests": con.sql(
                "SELECT service, route, status_code, latency_ms, requested_at "
                "FROM staging.stg_requests"
            ).df(),
            "weekly": con.sql("SELECT * FROM marts.journey_kpis_weekly").df(),
            "latency_slos": con.sql(
                "SELECT service, target, latency_threshold_ms FROM raw.slo_definitions "
                "WHERE sli_type = 'latency'"
            ).df(),
            "daily": con.sql("SELECT * FROM marts.journey_kpis_daily").df(),
            "impact": con.sql("SELECT * FROM marts.incident_business_impact").df(),
        }
    for df in out.values():
        for col in ("week_start", "day_date"):
            if col in df:
                df[col] = pd.to_datetime(df[col]).dt.date
    return out


def _week(ts: pd.Series) -> pd.Series:
    days = ts.dt.normalize()
    return (days - pd.to_timedelta(days.dt.weekday, unit="D")).dt.date


def test_weekly_conversions_revenue_and_returning_users(tables: dict) -> None:
    ev = tables["events"].assign(week=lambda d: _week(d["occurred_at"]))
    weekly = tables["weekly"].set_index(["scope", "journey", "week_start"])
    checked = 0
    for journey, rows in [*ev.groupby("journey"), ("all", ev)]:
        scope = "all" if journey == "all" else "journey"
        users = {w: set(g["user_key_hash"].dropna()) for w, g in rows.groupby("week")}
        for week, g in rows.groupby("week"):
            row = weekly.loc[(scope, journey, week)]
            started = int((g["step_kind"] == "started").sum())
            done = g[g["step_kind"] == "completed"]
            assert row["conversions_started"] == started
            assert row["conversions_completed"] == len(done)
            assert row["revenue"] == pytest.approx(float(done["revenue"].astype(float).sum()))
            assert row["active_users"] == len(users[week])
            last = users.get(week - timedelta(days=7), set())
            assert row["returning_users"] == len(users[week] & last)
            if last:
                assert row["returning_user_rate"] == pytest.approx(
                    len(users[week] & last) / len(last)
                )
            else:
                assert pd.isna(row["returning_user_rate"])
            checked += 1
    assert checked >= 18  # 6 weeks x (2 journeys + all)


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("%")) + "$")


def test_journey_slis_from_the_request_logs(tables: dict, demo_paths: Paths) -> None:
    config_threshold = review_settings(load_config(demo_paths.config)).latency_threshold_ms
    req = tables["requests"].assign(week=lambda d: _week(d["requested_at"]))
    weekly = tables["weekly"].set_index(["scope", "journey", "week_start"])
    slos = tables["latency_slos"]
    for journey, patterns in tables["routes"].groupby("owner_name"):
        service = patterns["service"].iloc[0]
        # the threshold: the service's latency SLO objective with the highest target, else config
        mine_slos = slos[slos["service"] == service].sort_values(
            ["target", "latency_threshold_ms"], ascending=[False, True]
        )
        threshold = (
            mine_slos["latency_threshold_ms"].iloc[0] if len(mine_slos) else config_threshold
        )
        regexes = [_like(p) for p in patterns["route_pattern"]]
        matches = {r: any(x.match(r) for x in regexes) for r in req["route"].unique()}
        mine = req[(req["service"] == service) & req["route"].map(matches)]
        for week, g in mine.groupby("week"):
            row = weekly.loc[("journey", journey, week)]
            assert row["latency_threshold_ms"] == threshold
            assert row["requests"] == len(g)
            assert row["availability_sli"] == pytest.approx((g["status_code"] < 500).mean())
            timed = g["latency_ms"].dropna()
            assert row["latency_sli"] == pytest.approx((timed <= threshold).mean())


def test_daily_rows_add_up_to_the_weeks(tables: dict) -> None:
    daily = tables["daily"].assign(week_start=lambda d: _week(pd.to_datetime(d["day_date"])))
    sums = daily.groupby(["scope", "journey", "week_start"])[
        ["conversions_started", "conversions_completed", "revenue", "requests"]
    ].sum()
    weekly = tables["weekly"].set_index(["scope", "journey", "week_start"])[sums.columns]
    pd.testing.assert_frame_equal(sums.sort_index(), weekly.sort_index(), check_dtype=False)


def test_incident_impact_against_the_same_hours_of_previous_weeks(
    tables: dict, demo_paths: Paths
) -> None:
    weeks_back = review_settings(load_config(demo_paths.config)).baseline_weeks
    ev, inc = tables["events"], tables["incidents"]
    start_of_data, end_of_data = ev["occurred_at"].min(), ev["occurred_at"].max()
    impact = tables["impact"].set_index("incident_journey_id")
    service_journeys = tables["journeys"].groupby("service")["journey"].apply(list).to_dict()
    estimated = 0
    for _, i in inc.iterrows():
        named = i["journey"] if isinstance(i["journey"], str) else None
        journeys = [named] if named else service_journeys.get(i["service"], [])
        end = i["resolved_at"] if not pd.isna(i["resolved_at"]) else end_of_data
        if not journeys:
            assert impact.loc[f"{i['incident_id']}:(none)", "journey_source"] == "none"
        for journey in journeys:
            row = impact.loc[f"{i['incident_id']}:{journey}"]
            j = ev[ev["journey"] == journey]

            def window(
                lo: pd.Timestamp, hi: pd.Timestamp, j: pd.DataFrame = j
            ) -> tuple[int, float]:
                done = j[
                    (j["occurred_at"] >= lo)
                    & (j["occurred_at"] < hi)
                    & (j["step_kind"] == "completed")
                ]
                return len(done), float(done["revenue"].astype(float).fillna(0).sum())

            actual = window(i["started_at"], end)
            base = [
                window(i["started_at"] - timedelta(weeks=k), end - timedelta(weeks=k))
                for k in range(1, weeks_back + 1)
                if i["started_at"] - timedelta(weeks=k) >= start_of_data
            ]
            assert row["conversions_completed"] == actual[0]
            assert row["baseline_weeks"] == len(base)
            if not base:
                assert pd.isna(row["lost_conversions_estimate"])
                continue
            expected = sum(b[0] for b in base) / len(base)
            revenue = sum(b[1] for b in base) / len(base)
            assert row["lost_conversions_estimate"] == pytest.approx(max(expected - actual[0], 0))
            assert row["revenue_at_risk_estimate"] == pytest.approx(max(revenue - actual[1], 0))
            estimated += row["revenue_at_risk_estimate"] > 0
    assert estimated >= 1  # the demo's checkout outage puts revenue at risk
