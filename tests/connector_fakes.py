"""Helpers for connector tests: recorded payloads served by pytest-httpserver with the APIs'
pagination headers, a recorded sleep, and a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "connectors"
NOW = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


def fixture(*parts: str) -> Any:
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))


class Sleeps(list):
    """A sleep function that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def clock(at: datetime = NOW) -> Callable[[], float]:
    return lambda: at.timestamp()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type="application/json")


def _next_url(server: HTTPServer, request: Request, page: int) -> str:
    args = {k: v for k, v in request.args.items(multi=True) if k != "page"}
    return server.url_for(request.path) + "?" + urlencode({**args, "page": page})


def serve_pages(
    server: HTTPServer, path: str, pages: list[Any], *, style: str = "github",
    method: str = "GET",
) -> None:
    """Serve `pages` at `path` (`?page=N`), with GitHub `Link` or GitLab `X-*-Page` headers."""

    def handler(request: Request) -> Response:
        page = int(request.args.get("page", "1"))
        body = pages[page - 1] if page <= len(pages) else []
        headers: dict[str, str] = {}
        links = []
        if page < len(pages):
            links.append(f'<{_next_url(server, request, page + 1)}>; rel="next"')
        links.append(f'<{_next_url(server, request, len(pages))}>; rel="last"')
        headers["Link"] = ", ".join(links)
        if style == "gitlab":
            headers.update({
                "X-Page": str(page), "X-Per-Page": request.args.get("per_page", "20"),
                "X-Next-Page": str(page + 1) if page < len(pages) else "",
                "X-Prev-Page": str(page - 1) if page > 1 else "",
                "X-Total-Pages": str(len(pages)),
                "X-Total": str(sum(len(p) for p in pages)),
            })
            headers.pop("Link")
        return json_response(body, headers=headers)

    server.expect_request(path, method=method).respond_with_handler(handler)


def requested_paths(server: HTTPServer) -> list[str]:
    return [req.path for req, _ in server.log]


def landing_rows(landing: Path, dataset: str) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((landing / dataset).glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows
