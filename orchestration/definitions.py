"""The Dagster code location: the definitions of every domain (orchestration/defs/), merged.

`defs` is a `@dg.definitions` function: Dagster calls it when the code location loads, so
importing this module reads no config and checks no manifest. Tests and the CLI call
`build_definitions(warehouse)` with a resource pointing into their own folders.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs import automation, connectors, dbt, ingest, notify, review, serving, slo
from orchestration.defs.settings import LoadSettings, read_load_settings
from orchestration.resources import WarehouseResource

DOMAINS = (ingest, connectors, slo, dbt, review, serving, notify, automation)


def build_definitions(
    warehouse: WarehouseResource | None = None, settings: LoadSettings | None = None
) -> dg.Definitions:
    """Every domain's definitions with the warehouse resource (from the environment unless
    given) and the settings read from RELIABILITY_CONFIG (unless given)."""
    settings = settings or read_load_settings()
    return dg.Definitions.merge(
        *(domain.definitions(settings) for domain in DOMAINS),
        dg.Definitions(resources={"warehouse": warehouse or WarehouseResource.from_env()}),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location `dagster dev -m orchestration.definitions` loads."""
    return build_definitions()
