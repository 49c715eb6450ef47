"""The tables the review page reads: the dbt exposure `weekly_review` (models/exposures.yml), read
from the prepared dbt manifest (never by parsing the project). One list for the page asset's deps,
the engine copy (engine_marts) and the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reliability.settings import DBT_MANIFEST

EXPOSURE = "weekly_review"


class ManifestMissing(FileNotFoundError):
    """The dbt manifest has not been prepared."""


@dataclass(frozen=True)
class PageInputs:
    """The marts (dbt models, schema marts) and raw tables (dbt sources) the page reads."""

    marts: tuple[str, ...]
    raw: tuple[str, ...]


@cache
def page_inputs(manifest_path: Path | None = None) -> PageInputs:
    """The `weekly_review` exposure's depends_on, from the manifest at `manifest_path` (default:
    the project's prepared manifest)."""
    path = manifest_path or DBT_MANIFEST
    if not path.exists():
        raise ManifestMissing(
            f"dbt manifest not found at {path}: prepare it first with `reliability prepare`."
        )
    manifest = json.loads(path.read_text())
    exposures = [e for e in manifest["exposures"].values() if e["name"] == EXPOSURE]
    if len(exposures) != 1:
        raise LookupError(
            f"{path}: expected one exposure named {EXPOSURE!r}, found {len(exposures)}"
        )
    nodes = exposures[0]["depends_on"]["nodes"]
    marts = []
    for unique_id in nodes:
        if unique_id.startswith("model."):
            node = manifest["nodes"][unique_id]
            if node["schema"] != "marts":
                raise ValueError(f"{path}: exposure {EXPOSURE} depends on {node['name']}, "
                                 f"not a mart (schema {node['schema']})")
            marts.append(node["name"])
    raw = [manifest["sources"][u]["name"] for u in nodes if u.startswith("source.")]
    return PageInputs(marts=tuple(sorted(marts)), raw=tuple(sorted(raw)))
