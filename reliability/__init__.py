"""The reliability warehouse: ingest, connectors, config, SLO definitions, the review page, the
engines, the demo data and the CLI. The Dagster code that runs them is in `orchestration/`."""
