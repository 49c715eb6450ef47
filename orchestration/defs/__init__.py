"""The code location by domain: each module gives one domain's assets, checks, jobs, schedules
and sensors from the settings read at load (`LoadSettings`); orchestration/definitions.py merges
them. Nothing here reads a file or checks the dbt manifest when imported."""
