"""The two payload formats: Slack-compatible (`text` + Block Kit `blocks`) and generic JSON."""

from __future__ import annotations

from typing import Any

from reliability.notify.events import Event

SOURCE = "reliability-warehouse"


def slack_escape(text: str) -> str:
    """Slack mrkdwn control characters: &, < and > (so data cannot form links or mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(event: Event) -> dict[str, Any]:
    """`text` is the notification fallback; the blocks show the title, text and facts."""
    return {
        "text": slack_escape(f"{event.title}: {event.text}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": event.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(event.text)}},
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{slack_escape(k)}*\n{slack_escape(v)}"}
                    for k, v in event.facts[:10]  # Slack allows at most 10 fields
                ],
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": slack_escape(f"{SOURCE} | {event.key}")}],
            },
        ],
    }


def json_payload(event: Event) -> dict[str, Any]:
    """A generic JSON document: the event type, its key, the text and the data."""
    return {
        "source": SOURCE,
        "event": event.type,
        "key": event.key,
        "title": event.title,
        "text": event.text,
        "data": event.data,
    }


def payload(event: Event, fmt: str) -> dict[str, Any]:
    return slack_payload(event) if fmt == "slack" else json_payload(event)
