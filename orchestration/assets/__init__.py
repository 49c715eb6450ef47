"""Dagster assets: extract (raw), configuration tables, and the dbt models."""
