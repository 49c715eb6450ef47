"""Send each webhook the events it has not been sent yet, and record them.

Nothing here raises for a delivery problem: a missing URL variable, a timeout or an HTTP error is
logged (without the URL), counted, and the event stays unrecorded so a later run sends it. After
one event fails every retry, the webhook's remaining events wait for the next run (deferred), so
a dead endpoint costs at most one event's retries per run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

import duckdb

from reliability.notify import state
from reliability.notify.delivery import DeliveryError, WebhookClient
from reliability.notify.events import (
    BURN_ALERT,
    DECISION,
    REVIEW,
    Event,
    PageInfo,
    alert_events,
    decision_events,
    review_events,
)
from reliability.notify.payloads import payload
from reliability.notify.settings import NotificationSettings, WebhookSettings


class Log(Protocol):
    def info(self, msg: str) -> None: ...
    def warning(self, msg: str) -> None: ...


@dataclass
class WebhookOutcome:
    """What happened for one webhook in one run."""

    webhook: str
    status: str  # delivered | failed | url_missing | url_invalid
    first_run: bool = False
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    baseline: int = 0
    already_sent: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _events(
    con: duckdb.DuckDBPyConnection, hook: WebhookSettings, first_run: bool, page: PageInfo | None
) -> list[Event]:
    events: list[Event] = []
    if DECISION in hook.events:
        events += decision_events(con, state.last_decisions(con, hook.name))
    if BURN_ALERT in hook.events:
        events += alert_events(con, first_run)
    if REVIEW in hook.events:
        events += review_events(con, page, first_run)
    return events


def notify_webhook(
    con: duckdb.DuckDBPyConnection,
    hook: WebhookSettings,
    settings: NotificationSettings,
    page: PageInfo | None,
    log: Log,
    environ: Mapping[str, str],
) -> WebhookOutcome:
    """Compute, send and record one webhook's new events."""
    url = environ.get(hook.url_env, "").strip()
    if not url:
        log.warning(
            f"Webhook {hook.name}: environment variable {hook.url_env} is not set; nothing sent "
            "(the events wait for a run where it is set)"
        )
        return WebhookOutcome(hook.name, "url_missing")
    if not url.lower().startswith(("http://", "https://")):
        log.warning(f"Webhook {hook.name}: {hook.url_env} is not an http(s) URL; nothing sent")
        return WebhookOutcome(hook.name, "url_invalid")
    recorded = state.recorded_keys(con, hook.name)
    first_run = not recorded
    events = _events(con, hook, first_run, page)
    outcome = WebhookOutcome(hook.name, "delivered", first_run=first_run)
    outcome.already_sent = sum(1 for e in events if e.key in recorded)
    pending = [e for e in events if e.key not in recorded]
    for event in (e for e in pending if e.baseline):
        state.record(con, hook.name, event, state.BASELINE)
        outcome.baseline += 1

    def on_retry(attempt: int, error: str, sleep: float) -> None:
        log.info(f"Webhook {hook.name}: attempt {attempt} failed ({error}); retry in {sleep:.1f} s")

    with WebhookClient(
        url,
        timeout_seconds=settings.timeout_seconds,
        retries=settings.retries,
        backoff_seconds=settings.backoff_seconds,
        on_retry=on_retry,
    ) as client:
        for event in (e for e in pending if not e.baseline):
            if outcome.status == "failed":
                outcome.deferred += 1
                continue
            try:
                client.post(payload(event, hook.format))
            except DeliveryError as exc:
                outcome.status = "failed"
                outcome.failed += 1
                log.warning(
                    f"Webhook {hook.name}: {event.key} not delivered after "
                    f"{settings.retries + 1} attempt(s): {client.redact(str(exc))}; it and the "
                    "webhook's remaining events are retried on the next run"
                )
                continue
            state.record(con, hook.name, event, state.SENT)
            outcome.sent += 1
            log.info(f"Webhook {hook.name}: sent {event.key}")
    return outcome


def notify_all(
    con: duckdb.DuckDBPyConnection,
    settings: NotificationSettings,
    page: PageInfo | None,
    log: Log,
    environ: Mapping[str, str] | None = None,
) -> list[WebhookOutcome]:
    """Every configured webhook, one after the other."""
    env = os.environ if environ is None else environ
    if not settings.webhooks:
        return []
    state.ensure_table(con)
    return [notify_webhook(con, hook, settings, page, log, env) for hook in settings.webhooks]
