"""The RELIABILITY_CONFIG file as one set of pydantic models (docs/configuration.md).

root.py holds the whole file (ReliabilityFile), load_config and ReliabilityConfig; each section has
its module (core, slo, review, connectors); types.py the base Section and value types; errors.py
ConfigError. A new top-level section is one line in root.SECTIONS.
"""

from reliability.config.core import Journey, Service
from reliability.config.errors import ConfigError
from reliability.config.root import SECTIONS, ReliabilityConfig, ReliabilityFile, load_config
from reliability.config.types import (
    LIKE_PATTERNS,
    Section,
    like_pattern_problem,
    route_patterns_problem,
)

__all__ = [
    "LIKE_PATTERNS",
    "SECTIONS",
    "ConfigError",
    "Journey",
    "ReliabilityConfig",
    "ReliabilityFile",
    "Section",
    "Service",
    "like_pattern_problem",
    "load_config",
    "route_patterns_problem",
]
