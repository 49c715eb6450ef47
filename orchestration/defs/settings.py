"""What the code location reads from the config when it loads (never at import)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from reliability.config import ConfigError, ReliabilityConfig, load_config
from reliability.config.automation import AutomationSettings, automation_settings
from reliability.config.connectors import ConnectorsConfig
from reliability.review.settings import review_settings
from reliability.settings import resolve_paths


@dataclass(frozen=True)
class LoadSettings:
    """The settings that shape the definitions: which connectors exist, cron, thresholds,
    the review time zone. A run reads the config again for everything else."""

    automation: AutomationSettings = field(default_factory=AutomationSettings)
    connectors: ConnectorsConfig = field(default_factory=ConnectorsConfig)
    timezone: str = "UTC"


def read_load_settings() -> LoadSettings:
    """From RELIABILITY_CONFIG. A config that does not load at all gives the defaults (the config
    assets report that problem when they run); a bad `automation:` section raises ConfigError,
    naming the key, since no asset would report it."""
    try:
        config = load_config(resolve_paths().config)
    except ConfigError as exc:
        if exc.key == "automation" or exc.key.startswith("automation."):
            raise
        return LoadSettings()
    except OSError:
        return LoadSettings()
    return settings_from(config)


def settings_from(config: ReliabilityConfig) -> LoadSettings:
    """The load settings of a loaded config."""
    try:
        timezone = review_settings(config).timezone
    except (ConfigError, ValueError):
        timezone = "UTC"  # the review assets report a bad review: section when they run
    try:
        connectors = config.connectors
    except (ConfigError, ValueError, json.JSONDecodeError):
        connectors = ConnectorsConfig()  # as before: the connector assets are simply absent
    return LoadSettings(
        automation=automation_settings(config), connectors=connectors, timezone=timezone
    )
