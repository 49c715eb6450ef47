"""Connectors: fetch deployments, changes and incidents from APIs and write landing files.

Each connector writes JSON Lines files in the input contract into <landing>/<dataset>/, so the
raw extract assets load them exactly like dropped files (upsert by key, idempotent by checksum).
"""
