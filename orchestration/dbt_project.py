"""The dbt project as dagster-dbt sees it, and how its manifest is prepared."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from reliability.settings import PROJECT_ROOT, WAREHOUSE_VAR, resolve_paths

DBT_PROJECT = DbtProject(
    project_dir=PROJECT_ROOT,
    profiles_dir=PROJECT_ROOT / "dbt_project",
    target_path=Path("dbt_project") / "target",
)

# The dbt installed next to this Python (the project's venv), even when the venv is not on PATH.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else (shutil.which("dbt") or "dbt")
# The launcher that makes dbt die with the process that started it (orchestration/dbt_child.py,
# installed by `uv sync` as the `reliability-dbt` script); plain dbt where it is not installed.
_LAUNCHER = Path(sys.executable).with_name("reliability-dbt")


def dbt_resource() -> DbtCliResource:
    executable = str(_LAUNCHER) if _LAUNCHER.exists() else DBT_EXECUTABLE
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=executable)


def prepare_manifest() -> Path:
    """Run `dbt parse` to (re)write the manifest: by the CLI, tests and builds, never at import."""
    # profiles.yml names the warehouse through this variable; parsing needs it set, not opened.
    os.environ.setdefault(WAREHOUSE_VAR, str(resolve_paths().warehouse))
    dbt_resource().cli(["--quiet", "parse"], target_path=DBT_PROJECT.target_path).wait()
    return DBT_PROJECT.manifest_path
