"""SLOs: the OpenSLO definitions and budget policy written into raw.slo_*."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.slo import slo_definitions
from orchestration.defs.settings import LoadSettings


def definitions(settings: LoadSettings) -> dg.Definitions:
    return dg.Definitions(assets=[slo_definitions])
