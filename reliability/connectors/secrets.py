"""Keeping API tokens out of everything but the request headers to the configured API.

`Secrets` holds the token values a run was configured with and replaces each of them (and its
URL-encoded and JSON-escaped forms, which is how an API error body echoes it) with `[REDACTED]`
in any text: connector error messages, log lines, the failure a Dagster run records.

`CREDENTIAL_HEADERS` are the headers that carry a token in any connector or in common APIs; the
API client sends them only to the origin (scheme, host, port) of the configured `base_url`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

import httpx

REDACTED = "[REDACTED]"
CREDENTIAL_HEADERS = (
    "authorization", "proxy-authorization", "private-token", "job-token", "cookie",
    "x-api-key", "x-auth-token",
)


def _forms(value: str) -> set[str]:
    """The token as sent and as an echo may spell it (URL-encoded, JSON-escaped)."""
    return {value, quote(value, safe=""), quote_plus(value, safe=""), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1].replace("/", "\\/")} - {""}


class Secrets:
    """Known secret values and the one function that removes them from text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        for value in values:
            self.add(value)

    def add(self, value: str | None) -> None:
        if value and value.strip():
            self._forms |= _forms(value) | _forms(value.strip())

    def __len__(self) -> int:
        return len(self._forms)

    def redact(self, text: object) -> str:
        """`text` (made a string) with every known secret replaced by [REDACTED]."""
        out = str(text)
        for form in sorted(self._forms, key=len, reverse=True):  # longest first
            out = out.replace(form, REDACTED)
        return out


def configured_secrets(token_envs: Iterable[str | None],
                       environ: Mapping[str, str] | None = None) -> Secrets:
    """The values of the given token environment variables (the ones that are set)."""
    env = os.environ if environ is None else environ
    return Secrets(env.get(name, "") for name in token_envs if name)


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Same scheme, host and port (the port defaulted from the scheme)."""
    return (a.scheme, a.host, a.port or _default_port(a)) == (
        b.scheme, b.host, b.port or _default_port(b))


def _default_port(url: httpx.URL) -> int | None:
    return {"http": 80, "https": 443}.get(url.scheme)
