"""The config's `notifications:` section (pydantic v2; every key optional, no webhooks by default).

notifications:
  webhooks:
    - name: ops-slack
      url_env: RELIABILITY_SLACK_WEBHOOK   # the URL is read from this variable at send time
      format: slack                        # slack (text + blocks) or json
      events: [decision_changed, burn_alert_started, review_written]
  timeout_seconds: 5
  retries: 3
  backoff_seconds: 1
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reliability.config import ReliabilityConfig

EventType = Literal["decision_changed", "burn_alert_started", "review_written"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
SECTION = "notifications"


class WebhookSettings(BaseModel):
    """One webhook: where (the environment variable holding its URL), how, and which events."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    format: Literal["slack", "json"] = "slack"
    events: tuple[EventType, ...] = Field(default=EVENT_TYPES, min_length=1)  # type: ignore[assignment]


class NotificationSettings(BaseModel):
    """Webhooks and how hard to try: each POST times out after `timeout_seconds`, and is retried
    `retries` times with exponential backoff starting at `backoff_seconds`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhooks: tuple[WebhookSettings, ...] = ()
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: float = Field(default=1.0, ge=0, le=60)

    @model_validator(mode="after")
    def _unique_names(self) -> NotificationSettings:
        names = [w.name for w in self.webhooks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"unique webhook names (repeated: {', '.join(dupes)})")
        return self


def notification_settings(cfg: ReliabilityConfig) -> NotificationSettings:
    """The `notifications:` section, validated when the config was loaded (the root model's
    SECTIONS: errors there name the file and key); defaults when absent."""
    return cfg.section(SECTION) or NotificationSettings()
