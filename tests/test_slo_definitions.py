"""OpenSLO parsing and validation, the slo: config section, and the raw.slo_* rows."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from reliability.config import ConfigError, load_config
from reliability.settings import CONFIG_VAR, DEFAULTS
from reliability.slo import SloDefinitionError, load_slo_folder, load_slo_settings
from reliability.slo.openslo import has_whole_hour_offsets, parse_slo_document
from reliability.slo.tables import load_slos, slo_rows

JOURNEYS = {"checkout": ("checkout-api", ("/api/cart%", "/api/checkout%"))}

BASE = {
    "apiVersion": "openslo/v1",
    "kind": "SLO",
    "metadata": {"name": "co-avail"},
    "spec": {
        "service": "checkout-api",
        "indicator": {
            "metadata": {"name": "co-ok"},
            "spec": {
                "ratioMetric": {
                    "counter": True,
                    "good": {"metricSource": {"type": "reliability-warehouse", "spec": {}}},
                    "total": {
                        "metricSource": {
                            "type": "reliability-warehouse",
                            "spec": {"journey": "checkout"},
                        }
                    },
                }
            },
        },
        "timeWindow": [{"duration": "28d", "isRolling": True}],
        "budgetingMethod": "Occurrences",
        "objectives": [{"target": 0.995}],
    },
}


def _doc(**changes: object) -> dict:
    doc = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = doc
        *parents, last = dotted.split("__")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] = value
    return doc


def test_demo_folder_parses_availability_and_latency_for_both_journeys() -> None:
    cfg = load_config(DEFAULTS[CONFIG_VAR])
    bundle = load_slos(cfg)
    by_id = {s.slo_id: s for s in bundle.slos}
    assert {"checkout-availability", "checkout-latency", "signup-availability"} <= set(by_id)
    assert {s.sli_type for s in bundle.slos if s.service == "checkout-api"} == {
        "availability", "latency"}
    assert {s.sli_type for s in bundle.slos if s.service == "signup-service"} == {
        "availability", "latency"}
    # staged objectives: baseline, current target, 90-day target with its date
    co = by_id["checkout-availability"]
    assert co.baseline_target is not None and co.next_target is not None
    assert co.next_target_date is not None and co.target == 0.995
    # calendar windows and Timeslices are represented
    lat = by_id["checkout-latency"]
    assert (lat.window_kind, lat.calendar_unit, lat.calendar_time_zone) == (
        "calendar", "month", "Europe/Berlin")
    assert (lat.budgeting_method, lat.time_slice_target, lat.time_slice_minutes) == (
        "Timeslices", 0.9, 1)
    # the journey's routes select the requests
    assert co.selection.routes == ("/api/cart%", "/api/checkout%", "/api/payment%")


def test_two_objectives_give_two_slos_with_distinct_ids() -> None:
    bundle = load_slos(load_config(DEFAULTS[CONFIG_VAR]))
    ids = [s.slo_id for s in bundle.slos if s.slo_name == "signup-latency"]
    assert len(ids) == 2 and len(set(ids)) == 2
    thresholds = sorted(
        s.latency_threshold_ms for s in bundle.slos if s.slo_name == "signup-latency"
    )
    assert thresholds == [400.0, 850.0]


def test_rows_one_selector_per_route_and_method_and_all_statuses() -> None:
    rows = slo_rows(load_slos(load_config(DEFAULTS[CONFIG_VAR])))
    assert len(rows["slo_status_rules"]) == 500
    rules = {r[0]: r[1:] for r in rows["slo_status_rules"]}
    assert rules[503] == (True, False) and rules[429] == (False, True)
    assert rules[404] == (False, False)
    signup_lat = [r for r in rows["slo_selectors"] if r[0].startswith("signup-latency:")]
    assert {(r[2], r[3]) for r in signup_lat} == {("/api/signup", "POST")}
    assert [r[3] for r in rows["slo_alert_windows"]] == [60, 360, 1440, 4320]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"apiVersion": "openslo/v1alpha"}, "apiVersion", "openslo/v1"),
        ({"kind": "AlertPolicy"}, "kind", "unsupported"),
        ({"spec__timeWindow": [{"duration": "1Q", "isRolling": True}]},
         "spec.timeWindow[0].duration", "unsupported"),
        ({"spec__timeWindow": [{"duration": "1w", "isRolling": False,
                                "calendar": {"timeZone": "Asia/Kolkata"}}]},
         "spec.timeWindow[0].calendar.timeZone", "whole hours"),
        ({"spec__timeWindow": [{"duration": "1M", "isRolling": False,
                                "calendar": {"timeZone": "Mars/Olympus"}}]},
         "spec.timeWindow[0].calendar.timeZone", "unknown"),
        ({"spec__budgetingMethod": "RatioTimeslices"}, "spec.budgetingMethod", "unsupported"),
        ({"spec__budgetingMethod": "Timeslices"}, "spec.objectives[0].timeSliceTarget", "number"),
        ({"spec__objectives": [{"target": 1.5}]}, "spec.objectives[0].target", "(0, 1]"),
        ({"spec__alertPolicies": ["fast-burn"]}, "spec.alertPolicies", "unsupported"),
        ({"spec__indicator__spec__ratioMetric__total__metricSource__type": "Prometheus"},
         "spec.indicator.spec.ratioMetric.total.metricSource.type", "Prometheus"),
        ({"spec__indicator__spec__ratioMetric__total__metricSource__spec": {"journey": "nope"}},
         "spec.indicator.spec.ratioMetric.total.metricSource.spec.journey", "unknown journey"),
        ({"spec__indicator__spec__ratioMetric__good__metricSource__spec": {"routes": ["/x%"]}},
         "spec.indicator.spec.ratioMetric.good.metricSource.spec", "same requests"),
        ({"spec__indicator__spec__ratioMetric__total__metricSource__spec": {"routes": ["/x\\"]}},
         "spec.indicator.spec.ratioMetric.total.metricSource.spec.routes", "ends with a lone"),
    ],
)
def test_invalid_or_unsupported_names_file_slo_and_field(
    changes: dict, field: str, words: str
) -> None:
    with pytest.raises(SloDefinitionError) as err:
        parse_slo_document(_doc(**changes), Path("slos/co.yaml"), JOURNEYS)
    message = str(err.value)
    assert message.startswith("slos/co.yaml: SLO 'co-avail': field ")
    assert err.value.field == field and f"'{field}'" in message
    assert words in message


def test_latency_objective_needs_op_and_value() -> None:
    doc = _doc()
    doc["spec"]["indicator"]["spec"] = {
        "thresholdMetric": {"metricSource": {"type": "reliability-warehouse",
                                             "spec": {"journey": "checkout"}}}}
    with pytest.raises(SloDefinitionError, match=r"spec.objectives\[0\].op"):
        parse_slo_document(doc, Path("f.yaml"), JOURNEYS)
    doc["spec"]["objectives"] = [{"target": 0.9, "op": "lte", "value": 400}]
    (slo,) = parse_slo_document(doc, Path("f.yaml"), JOURNEYS)
    assert (slo.sli_type, slo.latency_threshold_ms, slo.latency_op) == ("latency", 400.0, "lte")


def test_folder_errors_name_the_file_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(BASE))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(BASE))
    with pytest.raises(SloDefinitionError, match="b.yaml: SLO 'co-avail': field 'metadata.name'"):
        load_slo_folder(tmp_path, JOURNEYS)
    (tmp_path / "b.yaml").write_text("spec: [unclosed")
    with pytest.raises(SloDefinitionError, match="b.yaml"):
        load_slo_folder(tmp_path, JOURNEYS)


def test_whole_hour_offsets() -> None:
    from zoneinfo import ZoneInfo

    assert has_whole_hour_offsets(ZoneInfo("Europe/Berlin"))
    assert not has_whole_hour_offsets(ZoneInfo("Asia/Kathmandu"))


def test_settings_defaults_and_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "reliability.yml"
    s = load_slo_settings(cfg, {})
    assert s.folder == tmp_path / "slos"
    assert s.is_bad_status(500) and s.is_bad_status(599) and not s.is_bad_status(499)
    assert (s.caution_at_or_below, s.freeze_at_or_below, s.postmortem_budget_fraction) == (
        0.25, 0.0, 0.2)
    assert s.empty_slice == "good" and s.excluded_statuses == (429,)
    s2 = load_slo_settings(cfg, {"slo": {"bad_statuses": ["500-503", 429]}})
    assert s2.is_bad_status(429) and not s2.is_bad_status(504)
    with pytest.raises(ConfigError, match="slo.timeslices.empty_slice"):
        load_slo_settings(cfg, {"slo": {"timeslices": {"empty_slice": "maybe"}}})
    with pytest.raises(ConfigError, match=r"slo.alert_windows\[0\].long"):
        load_slo_settings(cfg, {"slo": {"alert_windows": [
            {"severity": "page", "budget_fraction": 0.02, "long": "45m", "short": "5m"}]}})
    with pytest.raises(ConfigError, match="slo.policy.freeze_at_or_below"):
        load_slo_settings(cfg, {"slo": {"policy": {"freeze_at_or_below": 0.5}}})
    with pytest.raises(ConfigError, match=r"slo.exclusions.routes.*ends with a lone '\\'"):
        load_slo_settings(cfg, {"slo": {"exclusions": {"routes": ["/ok", "/health\\"]}}})
    escaped = load_slo_settings(cfg, {"slo": {"exclusions": {"routes": ["/a\\_b", "/c\\\\"]}}})
    assert escaped.excluded_routes == ("/a\\_b", "/c\\\\")
