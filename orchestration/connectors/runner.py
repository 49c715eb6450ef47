"""Run one source all-or-nothing: fetch with its stored cursors, then write files and cursors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .http import ApiClient, ConnectorError, HttpSettings, Sleep, Stats, read_token
from .state import CursorStore, SourceResult, commit

Fetch = Callable[[dict[str, str]], SourceResult]


@dataclass
class Runtime:
    """What a run depends on besides the config: tests swap the sleep, clock and environment."""

    landing: Path
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Sleep = time.sleep
    clock: Callable[[], float] = time.time

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def client(
        self, source: str, base_url: str, token_env: str | None, auth: Callable[[str], dict],
        settings: HttpSettings, headers: Mapping[str, str] | None = None,
    ) -> ApiClient:
        """An API client whose auth headers carry the token read from `token_env`."""
        token = read_token(source, token_env, self.environ)
        return ApiClient(
            source=source, base_url=base_url, headers={**(headers or {}), **auth(token)},
            token_env=token_env, settings=settings, sleep=self.sleep, clock=self.clock,
        )


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
    """Fetch, then commit; a ConnectorError leaves files and cursor untouched."""
    store = CursorStore(runtime.landing, source_key)
    try:
        result = fetch(store.load())
    except ConnectorError as exc:
        return Outcome(source_key, error=str(exc))
    commit(runtime.landing, result, runtime.now())
    return Outcome(source_key, result=result)
