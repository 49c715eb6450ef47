"""Tokens go to the configured API's origin only (two local servers = two origins), and an API
answer that echoes the token is redacted in every message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from connector_apis import APIS, Api, echoes
from connector_fakes import json_response
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reliability.connectors.secrets import REDACTED, Secrets
from reliability.connectors.state import CursorStore

ANY = re.compile(r".*")
CREDENTIALS = ("authorization", "private-token")


@pytest.fixture
def other_origin() -> Iterator[HTTPServer]:
    """A second local server: same host, another port, so another origin."""
    server = HTTPServer(host="localhost")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def serve_empty(server: HTTPServer, api: Api) -> None:
    server.expect_request(ANY).respond_with_json(api.empty_page())


def credential_headers(server: HTTPServer) -> list[dict[str, str]]:
    return [{k.lower(): v for k, v in req.headers.items() if k.lower() in CREDENTIALS}
            for req, _ in server.log]


def leaked(server: HTTPServer, token: str) -> bool:
    return any(token in str(req.headers) or token in req.url for req, _ in server.log)


@pytest.mark.parametrize("kind", sorted(APIS))
def test_no_credential_follows_a_redirect_to_another_origin(
    kind: str, httpserver: HTTPServer, other_origin: HTTPServer, tmp_path: Path
) -> None:
    api = APIS[kind]
    first = f"{api.prefix.rstrip('/')}/{api.first}"
    httpserver.expect_oneshot_request(first).respond_with_response(Response(
        status=302, headers={"Location": other_origin.url_for("/elsewhere")}))
    serve_empty(httpserver, api)
    serve_empty(other_origin, api)

    outcome = api.run(httpserver, tmp_path)

    assert outcome.error is None, outcome.error
    assert [r.path for r, _ in other_origin.log] == ["/elsewhere"]
    assert credential_headers(other_origin) == [{}]  # no Authorization, no PRIVATE-TOKEN
    assert not leaked(other_origin, api.token)
    # every request to the configured origin did carry the token
    assert all(h.get(api.header.lower(), "").endswith(api.token)
               for h in credential_headers(httpserver))


@pytest.mark.parametrize("kind", sorted(APIS))
def test_a_same_origin_redirect_keeps_the_token(
    kind: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = APIS[kind]
    first = f"{api.prefix.rstrip('/')}/{api.first}"
    httpserver.expect_oneshot_request(first).respond_with_response(Response(
        status=301, headers={"Location": httpserver.url_for("/moved")}))
    serve_empty(httpserver, api)

    outcome = api.run(httpserver, tmp_path)

    assert outcome.error is None, outcome.error
    moved = [h for (req, _), h in zip(httpserver.log, credential_headers(httpserver),
                                      strict=True) if req.path == "/moved"]
    assert moved and moved[0][api.header.lower()].endswith(api.token)


def test_a_pagination_link_to_another_origin_gets_no_token(
    httpserver: HTTPServer, other_origin: HTTPServer, tmp_path: Path
) -> None:
    api = APIS["github"]
    httpserver.expect_oneshot_request("/repos/acme/checkout/issues").respond_with_response(
        json_response([], headers={"Link": f'<{other_origin.url_for("/page2")}>; rel="next"'}))
    serve_empty(httpserver, api)
    serve_empty(other_origin, api)

    outcome = api.run(httpserver, tmp_path)

    assert outcome.error is None, outcome.error
    assert credential_headers(other_origin) == [{}]


def echo_handler(api: Api, status: int):
    def handler(_: Request) -> Response:
        text = echoes(api.token)
        return json_response({"message": text, "error": {"message": text}}, status=status)
    return handler


@pytest.mark.parametrize("kind", sorted(APIS))
@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_an_error_body_that_echoes_the_token_is_redacted(
    kind: str, status: int, httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = APIS[kind]
    httpserver.expect_request(ANY).respond_with_handler(echo_handler(api, status))

    outcome = api.run(httpserver, tmp_path)

    assert outcome.error is not None and f"returned {status}" in outcome.error
    assert REDACTED in outcome.error  # the API's message is still shown, without the token
    assert "SECRET" not in outcome.error  # no part of it either (not even cut at 200 chars)
    assert not list(tmp_path.rglob("*.jsonl"))
    key = {"github": "github-acme/checkout", "gitlab": "gitlab-acme/checkout-web",
           "pagerduty": "pagerduty"}[kind]
    assert not CursorStore(tmp_path, key).path.exists()


def test_a_token_cut_by_the_message_limit_is_still_redacted(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = APIS["gitlab"]
    body = "x" * 190 + api.token  # a 200-character limit would keep the first 10 characters
    httpserver.expect_request(ANY).respond_with_data(body, status=404, content_type="text/plain")
    outcome = api.run(httpserver, tmp_path)
    assert outcome.error is not None and "x" * 100 in outcome.error
    assert api.token[:8] not in outcome.error


def test_redact_covers_encoded_forms_and_many_tokens() -> None:
    secrets = Secrets(["a/b+c=d secret", "other-token-123"])
    text = ("a/b+c=d secret a%2Fb%2Bc%3Dd%20secret a%2Fb%2Bc%3Dd+secret other-token-123 "
            "a\\/b+c=d secret")
    assert secrets.redact(text) == " ".join([REDACTED] * 5)
    assert Secrets([None, "", "  "]).redact("nothing to hide") == "nothing to hide"  # type: ignore[list-item]


def test_a_redirect_loop_is_a_clear_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    api = APIS["gitlab"]
    httpserver.expect_request(ANY).respond_with_response(Response(
        status=302, headers={"Location": httpserver.url_for("/api/v4/loop")}))
    outcome = api.run(httpserver, tmp_path)
    assert outcome.error == (
        "gitlab-acme/checkout-web: GET /projects/acme%2Fcheckout-web/deployments failed "
        "(TooManyRedirects). Nothing was written; the cursor is unchanged.")
