"""Notifications: webhooks when a decision changes, a page alert starts, the review is written."""

from __future__ import annotations

import dagster as dg

from .settings import LoadSettings


def definitions(settings: LoadSettings) -> dg.Definitions:
    from ..notify.defs import notification_assets

    return dg.Definitions(assets=notification_assets)
