"""The review page's one list of input tables is the dbt exposure `weekly_review`, and it is exactly
what the page's queries read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.dbt_project import DBT_PROJECT
from reliability.review import data, retention
from reliability.review.inputs import ManifestMissing, page_inputs


def _exposure_depends_on() -> set[str]:
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    (exposure,) = [e for e in manifest["exposures"].values() if e["name"] == "weekly_review"]
    return set(exposure["depends_on"]["nodes"])


def test_page_inputs_are_the_exposure_depends_on() -> None:
    inputs = page_inputs()
    nodes = _exposure_depends_on()
    assert {f"model.reliability.{m}" for m in inputs.marts} | {
        f"source.reliability.review_raw.{t}" for t in inputs.raw
    } == nodes


def test_page_inputs_are_what_the_page_queries_read() -> None:
    sql_text = Path(data.__file__).read_text() + Path(retention.__file__).read_text()
    read = set(re.findall(r"\b(marts|raw)\.([a-z_]+)\b", sql_text))
    inputs = page_inputs()
    assert read == {("marts", m) for m in inputs.marts} | {("raw", t) for t in inputs.raw}


def test_page_asset_depends_on_the_page_inputs() -> None:
    from orchestration.assets.review import weekly_review_page

    deps = {k.to_user_string() for k in weekly_review_page.asset_deps[weekly_review_page.key]}
    inputs = page_inputs()
    assert deps == {f"marts/{m}" for m in inputs.marts} | {f"raw/{t}" for t in inputs.raw}


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestMissing, match="reliability prepare"):
        page_inputs(tmp_path / "manifest.json")
