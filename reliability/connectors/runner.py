"""Run one source all-or-nothing: fetch with its stored cursors, then write files and cursors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reliability.connectors.http import (
    ApiClient,
    ConnectorError,
    HttpSettings,
    Sleep,
    Stats,
    read_token,
)
from reliability.connectors.secrets import Secrets
from reliability.connectors.state import CursorStore, SourceResult, commit

Fetch = Callable[[dict[str, str]], SourceResult]


@dataclass
class Runtime:
    """What a run depends on besides the config: tests swap the sleep, clock and environment.

    `secrets` collects every token read (the asset also seeds it with the tokens of every
    configured connector): errors and log lines pass through `secrets.redact`."""

    landing: Path
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Sleep = time.sleep
    clock: Callable[[], float] = time.time
    secrets: Secrets = field(default_factory=Secrets)
    last_client: ApiClient | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def client(
        self, source: str, base_url: str, token_env: str | None, auth: Callable[[str], dict],
        settings: HttpSettings, headers: Mapping[str, str] | None = None,
    ) -> ApiClient:
        """An API client that sends the auth headers (carrying the token read from `token_env`)
        to `base_url`'s origin only."""
        token = read_token(source, token_env, self.environ)
        self.secrets.add(token)
        self.last_client = ApiClient(
            source=source, base_url=base_url, headers=dict(headers or {}),
            credentials=auth(token), secrets=self.secrets, token_env=token_env,
            settings=settings, sleep=self.sleep, clock=self.clock,
        )
        return self.last_client


@dataclass
class Outcome:
    """One source's run: its result (files written, cursors) or the error that stopped it."""

    source_key: str
    result: SourceResult | None = None
    error: str | None = None

    @property
    def stats(self) -> Stats:
        return self.result.stats if self.result else Stats()


def run_source(runtime: Runtime, source_key: str, fetch: Fetch) -> Outcome:
    """Fetch, then commit; a ConnectorError leaves files and cursor untouched.

    API data of a shape the mapping code does not expect (a missing key, a wrong type, an
    unparsable time) is reported the same way, naming the source and the last endpoint read."""
    store = CursorStore(runtime.landing, source_key)
    try:
        result = fetch(store.load())
    except ConnectorError as exc:
        return Outcome(source_key, error=runtime.secrets.redact(exc))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        client = runtime.last_client
        where = f" (last read: GET {client.last_endpoint})" if client and client.last_endpoint \
            else ""
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else \
            f"{type(exc).__name__}: {exc}"
        return Outcome(source_key, error=runtime.secrets.redact(
            f"{source_key}: the API returned data of an unexpected shape{where}: {detail}. "
            "Nothing was written; the cursor is unchanged."))
    commit(runtime.landing, result, runtime.now())
    return Outcome(source_key, result=result)
