"""The Dagster group of each dbt node: its domain folder (dora, slo, business, review)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster_dbt import DagsterDbtTranslator

DOMAINS = ("dora", "slo", "business", "review")


def dbt_group(fqn: list[str]) -> str:
    """`[project, layer, domain, ..., name]` -> the domain; staging models and other nodes
    without a domain folder -> their layer (`staging`), else `dbt`."""
    folders = fqn[1:-1]
    for folder in folders:
        if folder in DOMAINS:
            return folder
    return folders[0] if folders else "dbt"


class DomainTranslator(DagsterDbtTranslator):
    """Groups dbt assets by their domain folder instead of `default`."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_group(list(dbt_resource_props.get("fqn") or []))
