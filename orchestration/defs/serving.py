"""Serving: the read-only copy of the marts, published after a successful dbt build."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt import dbt_assets_definition
from orchestration.defs.settings import LoadSettings


def definitions(settings: LoadSettings) -> dg.Definitions:
    dbt_assets_definition()  # the manifest check, before the serving asset reads the dbt assets
    from orchestration.assets.serving import serving_copy

    return dg.Definitions(assets=[serving_copy])
