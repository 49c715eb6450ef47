"""OpenSLO v1 `kind: SLO` documents: parsing and validation into flat SLO definitions.

Supported subset (anything else fails with the file, the SLO and the field):
- `spec.indicator` inline (not `indicatorRef`), with `ratioMetric` good/total (availability: good =
  status not configured as bad) or `thresholdMetric` on `latency_ms` (objective `op` lte or lt).
- `metricSource.type: reliability-warehouse`, `spec`: `journey` (its routes from the config),
  `service`, `routes` (SQL LIKE patterns), `methods`.
- `timeWindow`: one entry; rolling with a whole-hour duration (`h`, `d`, `w`), or calendar-aligned
  `1w` (ISO week) / `1M` (month) with `calendar.timeZone` (whole-hour UTC offsets).
- `budgetingMethod`: Occurrences or Timeslices (`timeSliceTarget`, `timeSliceWindow` dividing 1h).
- Staged objectives as metadata annotations (see ANNOTATION_* below); `alertPolicies` are not
  supported (the multi-window multi-burn-rate rules come from the config).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reliability.config import route_patterns_problem
from reliability.safe_yaml import YamlLimitError, load_all_limited

METRIC_SOURCE_TYPE = "reliability-warehouse"
ANNOTATION_PREFIX = "reliability-warehouse/"
ANNOTATION_BASELINE = ANNOTATION_PREFIX + "baseline-target"
ANNOTATION_BASELINE_DATE = ANNOTATION_PREFIX + "baseline-measured-on"
ANNOTATION_NEXT = ANNOTATION_PREFIX + "target-90d"
ANNOTATION_NEXT_DATE = ANNOTATION_PREFIX + "target-90d-date"

_DURATION = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_SELECTION_KEYS = {"journey", "service", "routes", "methods"}
MAX_FILE_BYTES = 1024 * 1024  # an OpenSLO file is a few KB


class SloDefinitionError(ValueError):
    """An invalid or unsupported SLO document; names the file, the SLO and the field."""

    def __init__(self, file: Path | str, slo: str | None, field: str, message: str) -> None:
        name = f"SLO '{slo}'" if slo else "document"
        super().__init__(f"{file}: {name}: field '{field}': {message}")
        self.file = str(file)
        self.slo = slo
        self.field = field


@dataclass(frozen=True)
class Selection:
    """Which request rows an SLO counts: a service, LIKE route patterns, HTTP methods."""

    service: str
    routes: tuple[str, ...] = ("%",)
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class SloDefinition:
    """One SLO objective, flattened (an SLO with two objectives gives two definitions)."""

    slo_id: str
    slo_name: str
    display_name: str
    description: str
    service: str
    source_file: str
    indicator_name: str
    sli_type: str  # availability | latency
    latency_threshold_ms: float | None
    latency_op: str | None  # lte | lt
    target: float
    window_kind: str  # rolling | calendar
    window_minutes: int  # rolling duration, or the nominal calendar period (1w, 1M = 30d)
    calendar_unit: str | None  # week | month
    calendar_time_zone: str | None
    budgeting_method: str  # Occurrences | Timeslices
    time_slice_target: float | None
    time_slice_minutes: int | None
    baseline_target: float | None
    baseline_measured_on: date | None
    next_target: float | None
    next_target_date: date | None
    selection: Selection

    @property
    def definition_hash(self) -> str:
        """Hash of everything that changes the per-minute SLI (selection, SLI type, threshold)."""
        key = {
            "sel": asdict(self.selection),
            "type": self.sli_type,
            "thr": self.latency_threshold_ms,
            "op": self.latency_op,
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def parse_duration_minutes(text: Any) -> tuple[int, str]:
    """'28d' -> (28, 'd'). Raises ValueError on anything else."""
    m = _DURATION.match(str(text)) if isinstance(text, str | int) else None
    if not m:
        raise ValueError(f"expected a duration like 5m, 1h, 28d, 1w, 1M (got {text!r})")
    return int(m.group(1)), m.group(2)


def has_whole_hour_offsets(tz: ZoneInfo, years: range = range(2000, 2041)) -> bool:
    """True when the zone's UTC offset is a whole number of hours in winter and summer."""
    for year in years:
        for month in (1, 7):
            offset = datetime(year, month, 1, 12, tzinfo=tz).utcoffset() or timedelta(0)
            if offset.total_seconds() % 3600:
                return False
    return True


class _Doc:
    """Field access that raises SloDefinitionError with the dotted field path."""

    def __init__(self, file: Path, slo: str | None) -> None:
        self.file, self.slo = file, slo

    def fail(self, field: str, message: str) -> SloDefinitionError:
        return SloDefinitionError(self.file, self.slo, field, message)

    def mapping(self, value: Any, field: str, *, required: bool = True) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a mapping (got {value!r})")
        return value

    def string(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected a non-empty string (got {value!r})")
        return value.strip()

    def fraction(self, value: Any, field: str, *, allow_one: bool = True) -> float:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(field, f"expected a number between 0 and 1 (got {value!r})")
        ok = 0 < value <= 1 if allow_one else 0 < value < 1
        if not ok:
            raise self.fail(field, f"expected a number in (0, 1] (got {value!r})")
        return float(value)

    def day(self, value: Any, field: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(field, f"expected a date YYYY-MM-DD (got {value!r})") from None

    def strings(self, value: Any, field: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(field, f"expected a list of non-empty strings (got {value!r})")
        return tuple(value)


def _selection(
    d: _Doc,
    spec: dict[str, Any],
    field: str,
    slo_service: str,
    journeys: dict[str, tuple[str | None, tuple[str, ...]]],
) -> Selection:
    unknown = set(spec) - _SELECTION_KEYS - {"goodWhen", "field"}
    if unknown:
        raise d.fail(
            f"{field}.{sorted(unknown)[0]}",
            f"unsupported key; supported: {sorted(_SELECTION_KEYS | {'goodWhen', 'field'})}",
        )
    service = slo_service
    routes: tuple[str, ...] = ("%",)
    if "journey" in spec:
        name = d.string(spec["journey"], f"{field}.journey")
        if name not in journeys:
            raise d.fail(
                f"{field}.journey", f"unknown journey {name!r}; configured: {sorted(journeys)}"
            )
        j_service, j_routes = journeys[name]
        service = j_service or service
        routes = j_routes or routes
    if "service" in spec:
        service = d.string(spec["service"], f"{field}.service")
    if "routes" in spec:
        routes = d.strings(spec["routes"], f"{field}.routes")
        if (problem := route_patterns_problem(routes)) is not None:
            raise d.fail(f"{field}.routes", problem)
    methods = (
        tuple(m.upper() for m in d.strings(spec["methods"], f"{field}.methods"))
        if "methods" in spec
        else ()
    )
    if service != slo_service:
        raise d.fail(
            f"{field}.service", f"selects service {service!r} but spec.service is {slo_service!r}"
        )
    return Selection(
        service=service, routes=tuple(dict.fromkeys(routes)), methods=tuple(dict.fromkeys(methods))
    )


def _metric_source(d: _Doc, node: Any, field: str) -> dict[str, Any]:
    node = d.mapping(node, field)
    source = d.mapping(node.get("metricSource"), f"{field}.metricSource")
    kind = source.get("type")
    if kind != METRIC_SOURCE_TYPE:
        raise d.fail(
            f"{field}.metricSource.type",
            f"unsupported metric source {kind!r}; only {METRIC_SOURCE_TYPE!r}",
        )
    return d.mapping(source.get("spec"), f"{field}.metricSource.spec", required=False)


def _indicator(
    d: _Doc,
    spec: dict[str, Any],
    service: str,
    journeys: dict[str, tuple[str | None, tuple[str, ...]]],
) -> tuple[str, str, Selection]:
    if "indicatorRef" in spec:
        raise d.fail(
            "spec.indicatorRef", "unsupported: declare the indicator inline (spec.indicator)"
        )
    ind = d.mapping(spec.get("indicator"), "spec.indicator")
    name = d.string(
        d.mapping(ind.get("metadata"), "spec.indicator.metadata").get("name"),
        "spec.indicator.metadata.name",
    )
    ispec = d.mapping(ind.get("spec"), "spec.indicator.spec")
    kinds = [k for k in ("ratioMetric", "thresholdMetric") if k in ispec]
    if len(kinds) != 1:
        raise d.fail(
            "spec.indicator.spec",
            f"expected exactly one of ratioMetric, thresholdMetric (got {sorted(ispec) or 'none'})",
        )
    base = "spec.indicator.spec"
    if kinds[0] == "ratioMetric":
        ratio = d.mapping(ispec["ratioMetric"], f"{base}.ratioMetric")
        for unsupported in ("bad", "raw", "rawType"):
            if unsupported in ratio:
                raise d.fail(
                    f"{base}.ratioMetric.{unsupported}", "unsupported: give good and total"
                )
        total = _metric_source(d, ratio.get("total"), f"{base}.ratioMetric.total")
        good = _metric_source(d, ratio.get("good"), f"{base}.ratioMetric.good")
        sel = _selection(d, total, f"{base}.ratioMetric.total.metricSource.spec", service, journeys)
        good_when = good.get("goodWhen", "status_not_bad")
        if good_when != "status_not_bad":
            raise d.fail(
                f"{base}.ratioMetric.good.metricSource.spec.goodWhen",
                f"unsupported {good_when!r}; only status_not_bad",
            )
        if set(good) & _SELECTION_KEYS:
            good_sel = _selection(
                d,
                {**total, **good},
                f"{base}.ratioMetric.good.metricSource.spec",
                service,
                journeys,
            )
            if good_sel != sel:
                raise d.fail(
                    f"{base}.ratioMetric.good.metricSource.spec",
                    "unsupported: good must select the same requests as total",
                )
        return name, "availability", sel
    threshold = _metric_source(d, ispec["thresholdMetric"], f"{base}.thresholdMetric")
    fld = threshold.get("field", "latency_ms")
    if fld != "latency_ms":
        raise d.fail(
            f"{base}.thresholdMetric.metricSource.spec.field",
            f"unsupported {fld!r}; only latency_ms",
        )
    sel = _selection(d, threshold, f"{base}.thresholdMetric.metricSource.spec", service, journeys)
    return name, "latency", sel


def _time_window(d: _Doc, spec: dict[str, Any]) -> tuple[str, int, str | None, str | None]:
    windows = spec.get("timeWindow")
    if not isinstance(windows, list) or len(windows) != 1:
        raise d.fail("spec.timeWindow", f"expected a list with one window (got {windows!r})")
    w = d.mapping(windows[0], "spec.timeWindow[0]")
    try:
        n, unit = parse_duration_minutes(w.get("duration"))
    except ValueError as exc:
        raise d.fail("spec.timeWindow[0].duration", str(exc)) from None
    rolling = w.get("isRolling", False)
    if not isinstance(rolling, bool):
        raise d.fail("spec.timeWindow[0].isRolling", f"expected true or false (got {rolling!r})")
    if rolling:
        if "calendar" in w:
            raise d.fail("spec.timeWindow[0].calendar", "a rolling window takes no calendar")
        if unit not in ("h", "d", "w"):
            raise d.fail(
                "spec.timeWindow[0].duration",
                f"unsupported rolling duration {w['duration']!r}; use hours, days or weeks",
            )
        return "rolling", n * _UNIT_MINUTES[unit], None, None
    calendar_units = {(1, "w"): ("week", 7 * 1440), (1, "M"): ("month", 30 * 1440)}
    if (n, unit) not in calendar_units:
        raise d.fail(
            "spec.timeWindow[0].duration",
            f"unsupported calendar duration {w['duration']!r}; only 1w and 1M",
        )
    cal = d.mapping(w.get("calendar"), "spec.timeWindow[0].calendar")
    tz_name = d.string(cal.get("timeZone", "UTC"), "spec.timeWindow[0].calendar.timeZone")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise d.fail(
            "spec.timeWindow[0].calendar.timeZone", f"unknown time zone {tz_name!r}"
        ) from None
    if not has_whole_hour_offsets(tz):
        raise d.fail(
            "spec.timeWindow[0].calendar.timeZone",
            f"unsupported: {tz_name} has UTC offsets that are not whole hours",
        )
    unit_name, minutes = calendar_units[(n, unit)]
    return "calendar", minutes, unit_name, tz_name


def _slice_minutes(d: _Doc, value: Any, field: str) -> int:
    try:
        n, unit = parse_duration_minutes(value)
    except ValueError as exc:
        raise d.fail(field, str(exc)) from None
    minutes = n * _UNIT_MINUTES.get(unit, 0)
    if unit not in ("m", "h") or minutes == 0 or 60 % minutes:
        raise d.fail(field, f"unsupported slice {value!r}; use a divisor of 1h (1m, 5m, 15m, 1h)")
    return minutes


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_slo_document(
    doc: Any, file: Path, journeys: dict[str, tuple[str | None, tuple[str, ...]]]
) -> list[SloDefinition]:
    """One YAML document -> its SLO definitions ([] for an OpenSLO `kind: Service`)."""
    d = _Doc(file, None)
    doc = d.mapping(doc, "(document)")
    meta = d.mapping(doc.get("metadata"), "metadata")
    d.slo = meta.get("name") if isinstance(meta.get("name"), str) else None
    if doc.get("apiVersion") != "openslo/v1":
        raise d.fail("apiVersion", f"expected openslo/v1 (got {doc.get('apiVersion')!r})")
    kind = doc.get("kind")
    if kind == "Service":
        return []
    if kind != "SLO":
        raise d.fail("kind", f"unsupported kind {kind!r}; only SLO (and Service, ignored)")
    name = d.string(meta.get("name"), "metadata.name")
    spec = d.mapping(doc.get("spec"), "spec")
    service = d.string(spec.get("service"), "spec.service")
    if spec.get("alertPolicies"):
        raise d.fail(
            "spec.alertPolicies",
            "unsupported: burn-rate alert rules come from the config (slo.alert_windows)",
        )
    indicator_name, sli_type, selection = _indicator(d, spec, service, journeys)
    window_kind, window_minutes, cal_unit, tz = _time_window(d, spec)
    method = spec.get("budgetingMethod", "Occurrences")
    if method not in ("Occurrences", "Timeslices"):
        raise d.fail(
            "spec.budgetingMethod", f"unsupported {method!r}; only Occurrences and Timeslices"
        )
    ann = d.mapping(meta.get("annotations"), "metadata.annotations", required=False)
    staged: dict[str, Any] = {
        "baseline_target": d.fraction(
            ann[ANNOTATION_BASELINE], f"metadata.annotations.{ANNOTATION_BASELINE}"
        )
        if ANNOTATION_BASELINE in ann
        else None,
        "baseline_measured_on": d.day(
            ann[ANNOTATION_BASELINE_DATE], f"metadata.annotations.{ANNOTATION_BASELINE_DATE}"
        )
        if ANNOTATION_BASELINE_DATE in ann
        else None,
        "next_target": d.fraction(ann[ANNOTATION_NEXT], f"metadata.annotations.{ANNOTATION_NEXT}")
        if ANNOTATION_NEXT in ann
        else None,
        "next_target_date": d.day(
            ann[ANNOTATION_NEXT_DATE], f"metadata.annotations.{ANNOTATION_NEXT_DATE}"
        )
        if ANNOTATION_NEXT_DATE in ann
        else None,
    }
    if (staged["next_target"] is None) != (staged["next_target_date"] is None):
        raise d.fail(
            f"metadata.annotations.{ANNOTATION_NEXT_DATE}",
            f"give both {ANNOTATION_NEXT} and {ANNOTATION_NEXT_DATE}",
        )

    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise d.fail("spec.objectives", "expected a non-empty list")
    out = []
    for i, obj in enumerate(objectives):
        f = f"spec.objectives[{i}]"
        obj = d.mapping(obj, f)
        if "targetPercent" in obj and "target" not in obj:
            obj = {
                **obj,
                "target": obj["targetPercent"] / 100
                if isinstance(obj["targetPercent"], int | float)
                else obj["targetPercent"],
            }
        for unsupported in ("indicator", "indicatorRef", "compositeWeight"):
            if unsupported in obj:
                raise d.fail(f"{f}.{unsupported}", "unsupported in objectives")
        target = d.fraction(obj.get("target"), f"{f}.target")
        threshold = op = None
        if sli_type == "latency":
            op = obj.get("op")
            if op not in ("lte", "lt"):
                raise d.fail(f"{f}.op", f"unsupported {op!r} for latency; use lte or lt")
            threshold = obj.get("value")
            if (
                isinstance(threshold, bool)
                or not isinstance(threshold, int | float)
                or threshold <= 0
            ):
                raise d.fail(f"{f}.value", f"expected a positive number of ms (got {threshold!r})")
            threshold = float(threshold)
        elif "op" in obj or "value" in obj:
            raise d.fail(f"{f}.op", "op/value apply to thresholdMetric indicators only")
        slice_target = slice_minutes = None
        if method == "Timeslices":
            slice_target = d.fraction(obj.get("timeSliceTarget"), f"{f}.timeSliceTarget")
            slice_minutes = _slice_minutes(
                d, obj.get("timeSliceWindow", "1m"), f"{f}.timeSliceWindow"
            )
        elif "timeSliceTarget" in obj or "timeSliceWindow" in obj:
            raise d.fail(f"{f}.timeSliceTarget", "applies to budgetingMethod Timeslices only")
        label = obj.get("displayName")
        suffix = "" if len(objectives) == 1 else ":" + (_slug(str(label)) if label else str(i))
        out.append(
            SloDefinition(
                slo_id=name + suffix,
                slo_name=name,
                display_name=str(label or meta.get("displayName") or name),
                description=str(spec.get("description") or ""),
                service=service,
                source_file=str(file),
                indicator_name=indicator_name,
                sli_type=sli_type,
                latency_threshold_ms=threshold,
                latency_op=op,
                target=target,
                window_kind=window_kind,
                window_minutes=window_minutes,
                calendar_unit=cal_unit,
                calendar_time_zone=tz,
                budgeting_method=method,
                time_slice_target=slice_target,
                time_slice_minutes=slice_minutes,
                selection=selection,
                **staged,
            )
        )
    return out


def read_slo_file(file: Path) -> list[Any]:
    """The YAML documents of one SLO file: UTF-8 text of at most MAX_FILE_BYTES, parsed without
    aliases and within depth/node limits (see reliability.safe_yaml); else SloDefinitionError
    naming the file and what was expected."""
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SloDefinitionError(file, None, "(file)", f"{size:,} bytes, more than the limit of "
                                 f"{MAX_FILE_BYTES:,} for an OpenSLO YAML file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SloDefinitionError(
            file, None, "(file)",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): expected an OpenSLO "
            "YAML file; is it binary, or saved in another encoding?",
        ) from None
    try:
        return load_all_limited(text, max_chars=MAX_FILE_BYTES, what="the file")
    except YamlLimitError as exc:
        raise SloDefinitionError(file, None, "(file)", str(exc)) from None


def load_slo_folder(
    folder: Path, journeys: dict[str, tuple[str | None, tuple[str, ...]]]
) -> list[SloDefinition]:
    """Every SLO in the *.yaml / *.yml files of `folder` (sorted by file name)."""
    if not folder.is_dir():
        raise SloDefinitionError(folder, None, "slo.folder", "not an existing folder")
    slos: list[SloDefinition] = []
    for file in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        for doc in read_slo_file(file):
            if doc is not None:
                slos += parse_slo_document(doc, file, journeys)
    seen: dict[str, str] = {}
    for s in slos:
        if s.slo_id in seen:
            raise SloDefinitionError(
                s.source_file,
                s.slo_name,
                "metadata.name",
                f"duplicate SLO id {s.slo_id!r} (also in {seen[s.slo_id]})",
            )
        seen[s.slo_id] = s.source_file
    return slos
