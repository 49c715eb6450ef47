"""The three API connectors (GitHub, GitLab, PagerDuty) described once for the secrets tests:
a config pointing at a local server, the endpoints a run reads first, the header that carries the
token, and a distinctive fake token that an honest run must never write anywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from connector_fakes import Sleeps, clock
from pytest_httpserver import HTTPServer

from reliability.config.connectors import (
    Common,
    GitHubConfig,
    GitHubRepo,
    GitLabConfig,
    GitLabProject,
    PagerDutyConfig,
)
from reliability.connectors import github, gitlab, pagerduty
from reliability.connectors.http import HttpSettings
from reliability.connectors.runner import Runtime

FAST = HttpSettings(backoff_initial_seconds=0.01, backoff_max_seconds=0.02, max_attempts=2)


@dataclass(frozen=True)
class Api:
    kind: str
    token: str
    token_env: str
    header: str  # the request header that carries the token
    prefix: str  # the path under the server of base_url
    first: str  # the endpoint a run reads first (relative to prefix)
    items_key: str | None  # PagerDuty wraps its lists in an object

    def config(self, server: HTTPServer) -> Any:
        base = server.url_for(self.prefix)
        if self.kind == "github":
            return GitHubConfig(
                repositories=(GitHubRepo("acme/checkout", "checkout-api",
                                         incident_label="incident"),),
                token_env=self.token_env, base_url=base, common=Common(http=FAST))
        if self.kind == "gitlab":
            return GitLabConfig(
                projects=(GitLabProject("acme/checkout-web", "checkout-api"),),
                token_env=self.token_env, base_url=base, common=Common(http=FAST))
        return PagerDutyConfig(token_env=self.token_env, base_url=base, common=Common(http=FAST))

    def yaml_section(self, server: HTTPServer) -> dict[str, Any]:
        """The same connector as a `connectors.<kind>` section of the config file."""
        section: dict[str, Any] = {"token_env": self.token_env,
                                   "base_url": server.url_for(self.prefix)}
        if self.kind == "github":
            section["repositories"] = [{"repo": "acme/checkout", "service": "checkout-api",
                                        "incident_label": "incident"}]
        elif self.kind == "gitlab":
            section["projects"] = [{"project": "acme/checkout-web", "service": "checkout-api"}]
        return section

    def runtime(self, landing: Any) -> Runtime:
        return Runtime(landing=landing, environ={self.token_env: self.token}, sleep=Sleeps(),
                       clock=clock())

    def run(self, server: HTTPServer, landing: Any) -> Any:
        runner = {"github": github.run, "gitlab": gitlab.run, "pagerduty": pagerduty.run}
        [outcome] = runner[self.kind](self.config(server), self.runtime(landing))
        return outcome

    def empty_page(self) -> Any:
        return {self.items_key: [], "more": False} if self.items_key else []


APIS = {
    "github": Api("github", "ghp_CANARYgh0000SECRET7f3a9c1e5b2d", "RW_TEST_GITHUB_TOKEN",
                  "Authorization", "/", "repos/acme/checkout/deployments", None),
    "gitlab": Api("gitlab", "glpat-CANARYgl0000SECRET4b8e2d6a1c", "RW_TEST_GITLAB_TOKEN",
                  "PRIVATE-TOKEN", "/api/v4", "projects/acme/checkout-web/deployments", None),
    "pagerduty": Api("pagerduty", "u+CANARYpd0000SECRET/9c3e7a=", "RW_TEST_PAGERDUTY_TOKEN",
                     "Authorization", "/", "incidents", "incidents"),
}


def echoes(token: str) -> str:
    """Text that repeats the token the ways an API error page might: plain, URL-encoded, inside
    JSON, in a header dump."""
    return (f"invalid token {token}; request was /api?private_token={quote(token, safe='')} "
            f"headers={json.dumps({'Authorization': 'Bearer ' + token})} "
            f"PRIVATE-TOKEN: {token}")
