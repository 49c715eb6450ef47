"""Notifications: webhooks when a decision changes, a page alert starts, the review is written."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.settings import LoadSettings


def definitions(settings: LoadSettings) -> dg.Definitions:
    from orchestration.assets.notify import notification_assets

    return dg.Definitions(assets=notification_assets)
