"""The `connectors:` config section and the cursor helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from reliability.config import ConfigError, load_config
from reliability.connectors.state import held_cursor, since_for
from reliability.settings import CONFIG_VAR, DEFAULTS


def _cfg(tmp_path: Path, connectors: dict) -> Path:
    raw = yaml.safe_load(DEFAULTS[CONFIG_VAR].read_text())
    raw["connectors"] = connectors
    path = tmp_path / "reliability.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_sections_enable_connectors_with_shared_settings(tmp_path: Path) -> None:
    path = _cfg(tmp_path, {
        "overlap_minutes": 5, "max_rate_limit_wait_seconds": 30,
        "github": {"repositories": [{"repo": "acme/checkout", "service": "checkout-api"}],
                   "max_attempts": 2},
        "gitlab": {"enabled": False, "projects": []},
    })
    cfg = load_config(path).connectors
    assert cfg.enabled() == ["github"]
    gh = cfg.github
    assert gh.token_env == "GITHUB_TOKEN" and gh.common.overlap_minutes == 5
    assert gh.common.http.max_rate_limit_wait_seconds == 30 and gh.common.http.max_attempts == 2


@pytest.mark.parametrize(("section", "key"), [
    ({"github": {"repositories": [{"repo": "checkout", "service": "checkout-api"}]}},
     "connectors.github.repositories[0].repo"),
    ({"github": {"repositories": [{"repo": "a/b", "service": "nope"}]}},
     "connectors.github.repositories[0].service"),
    ({"github": {"repositories": [{"repo": "a/b", "service": "checkout-api",
                                   "deployments_from": "workflow_runs"}]}},
     "connectors.github.repositories[0].workflow_name"),
    ({"pagerduty": {"services": {"P1": "nope"}}}, "connectors.pagerduty.services"),
])
def test_bad_sections_name_the_key(tmp_path: Path, section: dict, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_cfg(tmp_path, section))
    assert err.value.key == key


def test_cursor_helpers() -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    assert since_for("2026-03-01T10:00:00Z", 15, None) == "2026-03-01T09:45:00Z"
    assert since_for(None, 15, "2026-01-01T00:00:00Z") == "2026-01-01T00:00:00Z"
    # An open item created recently holds the cursor; a very old one does not; nothing new keeps it.
    assert held_cursor("2026-03-09T00:00:00Z", ["2026-03-08T00:00:00Z"], None, now, 14) \
        == "2026-03-08T00:00:00Z"
    assert held_cursor("2026-03-09T00:00:00Z", ["2026-01-01T00:00:00Z"], None, now, 14) \
        == "2026-03-09T00:00:00Z"
    assert held_cursor(None, [], "2026-03-01T00:00:00Z", now, 14) == "2026-03-01T00:00:00Z"
