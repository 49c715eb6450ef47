"""The shared API client: token from the environment, retries, rate limits, pagination, counters.

httpx does the HTTP; tenacity retries with exponential backoff on 5xx, timeouts and connection
errors, and waits as the server asks on rate limits (429 + Retry-After, or GitHub's 403/429 with
`X-RateLimit-Remaining: 0` + `X-RateLimit-Reset`), up to `max_rate_limit_wait` seconds, after which
the source fails with a clear message.

Tokens are only ever placed in request headers, and only on requests to the origin of the configured
`base_url`: a redirect (or a pagination link) to any other origin is sent without any credential
header (httpx itself strips only `Authorization`, so GitLab's `PRIVATE-TOKEN` used to follow). Every
error message the client raises is passed through `Secrets.redact`, so an API error body that echoes
the token shows `[REDACTED]`.

Every page must have the shape the connector expects (a JSON list of objects, or an object holding
such a list, each object with the keys the connector reads); anything else is a ConnectorError that
names the source, the endpoint, the page and what was expected.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import tenacity

from reliability.connectors.secrets import CREDENTIAL_HEADERS, Secrets, same_origin

Sleep = Callable[[float], None]
Clock = Callable[[], float]
NextUrl = Callable[[httpx.Response], str | None]


class ConnectorError(Exception):
    """A source failed; the message names the source and what to do. Nothing was written."""


class AuthError(ConnectorError):
    """The token is missing, expired, revoked or invalid (HTTP 401)."""


class RateLimitExceeded(ConnectorError):
    """The API asked us to wait longer than the configured maximum."""


class _Retryable(Exception):
    """A transient failure: retried with backoff, or after `wait` seconds when the server says."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass
class Stats:
    """Counters a materialization reports."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    rate_limit_wait_seconds: float = 0.0

    def add(self, other: Stats) -> None:
        self.requests += other.requests
        self.retries += other.retries
        self.pages += other.pages
        self.rate_limit_wait_seconds += other.rate_limit_wait_seconds


@dataclass(frozen=True)
class HttpSettings:
    """Client behaviour, from the `connectors:` config (shared) or a source's own keys."""

    timeout_seconds: float = 30.0
    max_attempts: int = 5
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    max_rate_limit_wait_seconds: float = 900.0


def read_token(source: str, env_var: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The token from the environment variable named in the config (never from the file)."""
    env = os.environ if environ is None else environ
    if not env_var:
        raise AuthError(f"{source}: no `token_env` configured: name the environment variable "
                        "that holds the API token")
    token = env.get(env_var, "").strip()
    if not token:
        raise AuthError(f"{source}: the environment variable {env_var} is not set or empty; "
                        "it must hold the API token. Nothing was written.")
    return token


def _header_number(resp: httpx.Response, *names: str) -> float | None:
    for name in names:
        value = resp.headers.get(name)
        if value is None:
            continue
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _retry_after(resp: httpx.Response, now: float) -> float | None:
    value = resp.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def rate_limit_wait(resp: httpx.Response, now: float) -> float | None:
    """Seconds to wait when `resp` is a rate-limit refusal, else None.

    429 or 403 with Retry-After: that many seconds. 403/429 with `X-RateLimit-Remaining: 0` (or
    GitLab's `RateLimit-Remaining`): until `X-RateLimit-Reset` (epoch seconds) plus one second.
    A 429 without either header returns 0.0 meaning "use the exponential backoff".
    """
    if resp.status_code not in (403, 429):
        return None
    after = _retry_after(resp, now)
    if after is not None:
        return after
    remaining = _header_number(resp, "X-RateLimit-Remaining", "RateLimit-Remaining")
    reset = _header_number(resp, "X-RateLimit-Reset", "RateLimit-Reset")
    if remaining == 0 and reset is not None:
        return max(0.0, reset - now) + 1.0
    return 0.0 if resp.status_code == 429 else None


def _api_message(resp: httpx.Response, secrets: Secrets, limit: int = 200) -> str:
    """The API's own error text (GitHub/GitLab `message`, PagerDuty `error.message`) on one line,
    redacted before it is shortened (so no part of a token survives the cut)."""
    try:
        body = resp.json()
    except ValueError:
        text = resp.text
    else:
        text = ""
        if isinstance(body, dict):
            err = body.get("error")
            text = str(err.get("message", "")) if isinstance(err, dict) else \
                str(body.get("message") or err or "")
    return " ".join(secrets.redact(text).split())[:limit]


def describe(value: Any) -> str:
    """What a JSON value is, without its content (which may echo anything)."""
    if isinstance(value, dict):
        keys = ", ".join(sorted(map(str, value))[:8])
        return f"an object with keys [{keys}{', ...' if len(value) > 8 else ''}]"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return {bool: "true/false", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def page_items(
    body: Any, where: str, items_key: str | None = None, required: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The objects of one page, checked: a list (or `body[items_key]`) of objects with every
    `required` key. Raises ConnectorError naming `where` and what was expected."""
    expected = (f"a JSON object with a list '{items_key}'" if items_key
                else "a JSON list of objects")
    items = body
    if items_key is not None:
        if not isinstance(body, dict) or not isinstance(body.get(items_key), list):
            raise ConnectorError(f"{where}: expected {expected}, got {describe(body)}")
        items = body[items_key]
    if not isinstance(items, list):
        raise ConnectorError(f"{where}: expected {expected}, got {describe(body)}")
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ConnectorError(f"{where}: item {n}: expected an object, got {describe(item)}")
        missing = [k for k in required if item.get(k) is None]
        if missing:
            raise ConnectorError(
                f"{where}: item {n} has no {', '.join(repr(k) for k in missing)} "
                f"(expected objects with {', '.join(required)})"
            )
    return items


def link_next(resp: httpx.Response) -> str | None:
    """The `Link: <...>; rel="next"` URL (GitHub, GitLab keyset), or None on the last page."""
    return resp.links.get("next", {}).get("url")


def gitlab_next(resp: httpx.Response) -> str | None:
    """GitLab: the `X-Next-Page` header (empty on the last page), else the Link header."""
    page = resp.headers.get("X-Next-Page", "").strip()
    if page:
        return str(resp.request.url.copy_set_param("page", page))
    return link_next(resp)


@dataclass
class ApiClient:
    """A GET-only JSON API client for one source, counting requests, retries and pages."""

    source: str
    base_url: str
    headers: dict[str, str]
    token_env: str | None = None
    settings: HttpSettings = field(default_factory=HttpSettings)
    sleep: Sleep = time.sleep
    clock: Clock = time.time
    stats: Stats = field(default_factory=Stats)
    credentials: dict[str, str] = field(default_factory=dict)
    secrets: Secrets = field(default_factory=Secrets)
    last_endpoint: str | None = None

    def __post_init__(self) -> None:
        for name in [h for h in self.headers if h.lower() in CREDENTIAL_HEADERS]:
            self.credentials[name] = self.headers.pop(name)  # sent by _authorize only
        for value in self.credentials.values():
            self.secrets.add(value)
            self.secrets.add(value.split(" ")[-1].removeprefix("token="))  # the bare token
        self._origin = httpx.URL(self.base_url.rstrip("/") + "/")
        self._http = httpx.Client(
            base_url=self._origin,
            headers=self.headers,
            timeout=self.settings.timeout_seconds,
            follow_redirects=True,
            event_hooks={"request": [self._authorize]},
        )

    def _authorize(self, request: httpx.Request) -> None:
        """Every request, redirects included: the credentials go to the configured origin only;
        a request to any other origin carries no credential header at all."""
        for name in (*CREDENTIAL_HEADERS, *self.credentials):
            request.headers.pop(name, None)
        if same_origin(request.url, self._origin):
            request.headers.update(self.credentials)

    def _error(self, message: str, kind: type[ConnectorError] = ConnectorError) -> ConnectorError:
        return kind(self.secrets.redact(message))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _what(self, url: str) -> str:
        return httpx.URL(url).path if "://" in url else "/" + url.lstrip("/")

    def _attempt(self, url: str, params: Mapping[str, Any] | None) -> httpx.Response:
        self.stats.requests += 1
        what = self._what(url)
        self.last_endpoint = what
        try:
            resp = self._http.get(url.lstrip("/") if "://" not in url else url, params=params)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timeout on GET {what}") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error on GET {what} ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:  # e.g. TooManyRedirects: not worth a retry
            raise self._error(
                f"{self.source}: GET {what} failed ({type(exc).__name__}). Nothing was written; "
                "the cursor is unchanged."
            ) from None
        status = resp.status_code
        if status < 400:
            return resp
        if status == 401:
            raise self._error(
                f"{self.source}: the API refused the token from ${self.token_env} (401 "
                f"Unauthorized on GET {what}): it is expired, revoked or invalid. Set "
                f"{self.token_env} to a valid token. Nothing was written; the cursor is unchanged.",
                AuthError,
            )
        wait = rate_limit_wait(resp, self.clock())
        if wait is not None:
            limit = self.settings.max_rate_limit_wait_seconds
            if wait > limit:
                raise self._error(
                    f"{self.source}: rate limit reached on GET {what}; the API asks to wait "
                    f"{wait:.0f} s, more than max_rate_limit_wait_seconds={limit:.0f}. Run again "
                    "later or raise the limit. Nothing was written; the cursor is unchanged.",
                    RateLimitExceeded,
                )
            self.stats.rate_limit_wait_seconds += wait
            raise _Retryable(f"rate limited ({status}) on GET {what}", wait or None)
        if status >= 500:
            raise _Retryable(f"server error {status} on GET {what}")
        hint = {
            403: f"the token from ${self.token_env} lacks permission",
            404: "not found: check the repository/project/service name and base_url (a private "
                 "resource the token cannot see also answers 404)",
        }.get(status, "request refused")
        raise self._error(
            f"{self.source}: GET {what} returned {status}: {hint}. API message: "
            f"{_api_message(resp, self.secrets) or '-'}"
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return exc.wait
        backoff = tenacity.wait_exponential(
            multiplier=self.settings.backoff_initial_seconds,
            max=self.settings.backoff_max_seconds,
        )
        return backoff(state)

    def _count_retry(self, _state: tenacity.RetryCallState) -> None:
        self.stats.retries += 1

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """GET with retries; raises ConnectorError (or AuthError / RateLimitExceeded)."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            before_sleep=self._count_retry,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, url, params)
        except _Retryable as exc:
            raise self._error(
                f"{self.source}: {exc}; gave up after {self.settings.max_attempts} attempts. "
                "Nothing was written; the cursor is unchanged."
            ) from exc

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        resp = self.get(url, params)
        return self._json(resp, f"{self.source}: GET {self._what(url)}")

    def _json(self, resp: httpx.Response, where: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            kind = resp.headers.get("content-type", "no content type").split(";")[0]
            raise self._error(
                f"{where}: expected JSON, got {len(resp.content)} bytes of {kind} that are not "
                "JSON (check base_url: is it the API's address?). Nothing was written; the "
                "cursor is unchanged."
            ) from None

    def pages(
        self, url: str, params: Mapping[str, Any] | None = None, next_url: NextUrl = link_next,
        *, items_key: str | None = None, required: tuple[str, ...] = (),
    ) -> Iterator[list[dict[str, Any]]]:
        """The checked objects of each page (see `page_items`), following `next_url` to the end
        (lazily: stop early by leaving the loop)."""
        seen: set[str] = set()
        current: str | None = url
        current_params = params
        number = 0
        while current:
            resp = self.get(current, current_params)
            self.stats.pages += 1
            number += 1
            where = f"{self.source}: GET {self._what(url)} page {number}"
            try:
                items = page_items(self._json(resp, where), where, items_key, required)
            except ConnectorError as exc:
                raise self._error(str(exc)) from None
            yield items
            seen.add(str(resp.request.url))
            current, current_params = next_url(resp), None
            if current in seen:
                raise self._error(f"{self.source}: pagination of {self._what(url)} loops")

    def offset_pages(
        self, url: str, params: Mapping[str, Any], items_key: str, limit: int = 100,
        required: tuple[str, ...] = (),
    ) -> Iterator[list[dict[str, Any]]]:
        """PagerDuty classic pagination: `offset`/`limit` until `more` is false; each page is an
        object with the list `items_key` of objects with the `required` keys."""
        offset = 0
        while True:
            body = self.get_json(url, {**params, "offset": offset, "limit": limit})
            self.stats.pages += 1
            where = f"{self.source}: GET {self._what(url)} (offset {offset})"
            try:
                items = page_items(body, where, items_key, required)
            except ConnectorError as exc:
                raise self._error(str(exc)) from None
            yield items
            if not body.get("more") or not items:
                return
            offset += len(items)
