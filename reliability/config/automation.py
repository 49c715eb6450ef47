"""The config's `automation:` section: the refresh cron, the reject-rate threshold, freshness
windows of the raw datasets and the first week of the review page's partitions (docs/dagster.md).

```yaml
automation:
  refresh_cron: "0 * * * *"     # the `refresh` schedule (default hourly)
  connectors_cron: "15 * * * *" # the `connectors` schedule, when connectors are enabled
  max_reject_rate: 0.10         # a load rejecting more than this share of its rows fails its check
  freshness_hours: {requests: 2, deployments: 24}
  review_first_week: 2024-W01   # first partition of reports/weekly_review
```
"""

from __future__ import annotations

from datetime import date

from dagster._utils.schedules import is_valid_cron_schedule  # the check ScheduleDefinition runs
from pydantic import BaseModel, ConfigDict, Field, field_validator

from reliability.config import ReliabilityConfig
from reliability.review.weeks import parse_week

SECTION = "automation"


class FreshnessHours(BaseModel):
    """Hours after which a raw dataset without a new materialization is overdue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: float = Field(default=2.0, gt=0)
    deployments: float = Field(default=24.0, gt=0)


class AutomationSettings(BaseModel):
    """The `automation:` section, every key optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    refresh_cron: str = "0 * * * *"
    connectors_cron: str = "15 * * * *"
    max_reject_rate: float = Field(default=0.10, ge=0, le=1)
    freshness_hours: FreshnessHours = FreshnessHours()
    review_first_week: str = "2024-W01"

    @field_validator("refresh_cron", "connectors_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not is_valid_cron_schedule(value):
            raise ValueError("a cron expression of 5 fields like '0 * * * *'")
        return value

    @field_validator("review_first_week")
    @classmethod
    def _valid_week(cls, value: str) -> str:
        parse_week(value)  # ValueError names the expected form
        return value

    @property
    def review_start(self) -> date:
        """The Monday of `review_first_week`."""
        return parse_week(self.review_first_week)


def automation_settings(config: ReliabilityConfig) -> AutomationSettings:
    """The `automation:` section, validated when the config was loaded (the root model's
    SECTIONS: errors there name the file and key); defaults when absent."""
    return config.section(SECTION) or AutomationSettings()
