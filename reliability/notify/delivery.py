"""POSTing a payload: bounded timeouts, retries with exponential backoff (tenacity), and error
messages that never contain the webhook URL or any part of it that may be a token."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

REDACTED = "***"
MAX_BACKOFF_SECONDS = 30.0
HTTP_LOGGERS = ("httpx", "httpcore")


class DeliveryError(Exception):
    """A payload not delivered; the message is already redacted."""


class TransientError(DeliveryError):
    """Worth retrying: a timeout, a connection error, HTTP 429 or 5xx."""


def _token_like(text: str) -> bool:
    """A path segment that may be a token: long, or with a digit (Slack: T0123ABCD/B0123/...)."""
    return len(text) >= 12 or (len(text) >= 4 and any(c.isdigit() for c in text))


class Redactor:
    """Replaces the URL, its path segments, query values and credentials with ***."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        secrets = {url, url.rstrip("/"), parts.path, parts.query, parts.netloc}
        secrets |= {seg for seg in parts.path.split("/") if _token_like(seg)}
        secrets |= {v for _, v in parse_qsl(parts.query) if len(v) >= 4}
        secrets |= {p for p in (parts.username, parts.password) if p}
        secrets.discard("")
        secrets.discard("/")
        self._secrets = sorted(secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


@contextmanager
def quiet_http_logs() -> Iterator[None]:
    """httpx logs every request's URL at INFO: silence it (and httpcore) while sending."""
    loggers = [logging.getLogger(name) for name in HTTP_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


class WebhookClient:
    """One webhook's HTTP client: `post` tries 1 + `retries` times, then raises DeliveryError."""

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float,
        retries: int,
        backoff_seconds: float,
        on_retry: Callable[[int, str, float], None] | None = None,
    ) -> None:
        self._url = url
        self.redact = Redactor(url)
        self._client = httpx.Client(timeout=timeout_seconds, follow_redirects=False)
        self._timeout = timeout_seconds
        self._retrying = Retrying(
            stop=stop_after_attempt(retries + 1),
            wait=wait_exponential(multiplier=backoff_seconds, max=MAX_BACKOFF_SECONDS),
            retry=retry_if_exception_type(TransientError),
            reraise=True,
            before_sleep=self._before_sleep if on_retry else None,
        )
        self._on_retry = on_retry

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        sleep = state.next_action.sleep if state.next_action else 0.0
        if self._on_retry:
            self._on_retry(state.attempt_number, str(exc), sleep)

    def _post_once(self, payload: dict[str, Any]) -> None:
        try:
            response = self._client.post(self._url, json=payload)
        except httpx.TimeoutException:
            raise TransientError(f"timed out after {self._timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise TransientError(self.redact(f"{type(exc).__name__}: {exc}")) from None
        except (httpx.InvalidURL, ValueError) as exc:  # not worth retrying
            raise DeliveryError(self.redact(f"invalid URL ({type(exc).__name__})")) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}")
        if response.status_code >= 300:
            body = self.redact(response.text[:200].strip())
            raise DeliveryError(f"HTTP {response.status_code}" + (f": {body}" if body else ""))

    def post(self, payload: dict[str, Any]) -> None:
        with quiet_http_logs():
            self._retrying(self._post_once, payload)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
