"""Webhook notifications: SLO decision changes, page burn alerts and the weekly review page."""
