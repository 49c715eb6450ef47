"""The `ingest` config section: the plausible range of every timestamp a landing file may hold.

    ingest:
      earliest: 2000-01-01          # a timestamp before this day (UTC) is a reject
      future_tolerance_hours: 24    # a timestamp later than the load's time plus this is a reject
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reliability.config import ConfigError
from reliability.config.types import problem


class IngestSettings(BaseModel):
    """Bounds of the timestamps the loader accepts, for every dataset and timestamp column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    earliest: date = date(2000, 1, 1)
    future_tolerance_hours: float = Field(default=24.0, ge=0, allow_inf_nan=False)

    @field_validator("earliest", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise problem("a date (YYYY-MM-DD)")

    @field_validator("future_tolerance_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise problem("a finite number of hours (0 or more)")
        if not math.isfinite(value) or value < 0:
            raise problem("a finite number of hours (0 or more)")
        return value

    def time_range(self, now: datetime | None = None) -> TimeRange:
        """The accepted range for a load started at `now` (default: the current time), in UTC."""
        now = now or datetime.now(UTC)
        if now.tzinfo is not None:
            now = now.astimezone(UTC).replace(tzinfo=None)
        latest = now.replace(microsecond=0) + timedelta(hours=self.future_tolerance_hours)
        return TimeRange(datetime.combine(self.earliest, datetime.min.time()), latest)


@dataclass(frozen=True)
class TimeRange:
    """Accepted timestamps: from `earliest` to `latest` inclusive (naive UTC)."""

    earliest: datetime
    latest: datetime

    def describe(self) -> str:
        return (
            f"{self.earliest:%Y-%m-%d %H:%M:%S} .. {self.latest:%Y-%m-%d %H:%M:%S} UTC "
            "(ingest.earliest .. load time + ingest.future_tolerance_hours)"
        )


def ingest_settings(raw: dict[str, Any], path: Path | str) -> IngestSettings:
    """The `ingest` section of a loaded config's raw dict (`ReliabilityConfig.raw`).

    Raises ConfigError naming the key (e.g. `ingest.earliest`) and what is expected.
    """
    section = raw.get("ingest")
    if section is None:
        return IngestSettings()
    if not isinstance(section, dict):
        raise ConfigError(path, "ingest", "a mapping (earliest, future_tolerance_hours)", section)
    if isinstance(section.get("future_tolerance_hours"), bool):
        raise ConfigError(
            path, "ingest.future_tolerance_hours", "a number of hours (0 or more)",
            section["future_tolerance_hours"],
        )
    try:
        return IngestSettings.model_validate(section)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = "ingest." + ".".join(str(p) for p in err["loc"])
        expected = {
            "earliest": "a date (YYYY-MM-DD)",
            "future_tolerance_hours": "a finite number of hours (0 or more)",
        }.get(str(err["loc"][0]) if err["loc"] else "", "")
        if err["type"] == "extra_forbidden":
            expected = "one of earliest, future_tolerance_hours (unknown key)"
        raise ConfigError(path, key, expected or err["msg"], err.get("input")) from exc
