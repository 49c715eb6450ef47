"""SLOs and error budgets: OpenSLO v1 definitions, the `slo:` config section, the policy."""

from reliability.slo.openslo import (
    SloDefinition,
    SloDefinitionError,
    load_slo_folder,
    parse_slo_document,
)
from reliability.slo.policy import SloSettings, burn_factor, burn_rate, decide, load_slo_settings

__all__ = [
    "SloDefinition",
    "SloDefinitionError",
    "SloSettings",
    "burn_factor",
    "burn_rate",
    "decide",
    "load_slo_folder",
    "load_slo_settings",
    "parse_slo_document",
]
