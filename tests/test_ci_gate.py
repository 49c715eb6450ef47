"""The CI examples (docs/examples/*-gate.yml) run `reliability gate` against the serving copy:
the gate command each file runs is extracted and run against the demo warehouse's serving copy,
with the exit codes of the gate (0 ship/caution, 1 freeze, 2 missing or stale)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from reliability.serving import SERVING_FILE
from reliability.settings import PROJECT_ROOT, SERVING_VAR, Paths

EXAMPLES = PROJECT_ROOT / "docs" / "examples"
RELIABILITY = Path(sys.executable).parent / "reliability"


def _github_gate(doc: dict) -> tuple[str, dict[str, str]]:
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            for line in str(step.get("run", "")).splitlines():
                if line.strip().startswith("reliability gate"):
                    return line.strip(), {**job.get("env", {}), **step.get("env", {})}
    raise AssertionError("no `reliability gate` step")


def _gitlab_gate(doc: dict) -> tuple[str, dict[str, str]]:
    for job in doc.values():
        if not isinstance(job, dict):
            continue
        for line in job.get("script", []):
            if line.strip().startswith("reliability gate"):
                return line.strip(), dict(job.get("variables", {}))
    raise AssertionError("no `reliability gate` script line")


GATES = {
    "github-actions-gate.yml": _github_gate,
    "gitlab-ci-gate.yml": _gitlab_gate,
}


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[:2] == ["reliability", "gate"]
    return subprocess.run(
        [str(RELIABILITY), *argv[1:]],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("example", sorted(GATES))
def test_example_gate_command_on_the_serving_copy(example: str, demo_paths: Paths) -> None:
    command, env = GATES[example](yaml.safe_load((EXAMPLES / example).read_text()))
    assert "--serving" in command.split() and SERVING_VAR in env  # reads the serving copy
    serving = demo_paths.serving
    env = {**env, SERVING_VAR: str(serving)}  # the demo's serving copy instead of /srv/...
    argv = shlex.split(command)
    slos = [a for a in argv[2:] if not a.startswith("-") and not a.replace(".", "").isdigit()]
    with duckdb.connect(str(serving / SERVING_FILE), read_only=True) as con:
        rows = dict(
            con.execute(
                "select slo_id, decision from error_budget_status where slo_id in "
                f"({', '.join('?' for _ in slos)})",
                slos,
            ).fetchall()
        )
        latest = con.execute("select max(latest_data_at) from error_budget_status").fetchone()[0]
    assert sorted(rows) == sorted(slos)

    # As written: the demo data ended on 2026-11-23, far more than --max-age hours ago: exit 2.
    stale = _run(command, env)
    assert stale.returncode == 2, stale.stderr
    assert "stale" in stale.stderr and "--max-age" in stale.stderr

    # At the time of the latest data: the decisions of the named SLOs decide.
    fresh = _run(f"{command} --now {latest.isoformat()}", env)
    expected = 1 if "freeze" in rows.values() else 0
    assert fresh.returncode == expected, fresh.stdout + fresh.stderr
    for slo, decision in rows.items():
        assert slo in fresh.stdout and f"-> {decision.upper()}" in fresh.stdout
    assert ("FREEZE: error budget exhausted" in fresh.stdout) == (expected == 1)


def test_gate_without_a_serving_copy_exits_2(tmp_path: Path) -> None:
    command, env = _github_gate(
        yaml.safe_load((EXAMPLES / "github-actions-gate.yml").read_text())
    )
    missing = _run(command, {**env, SERVING_VAR: str(tmp_path)})
    assert missing.returncode == 2
    assert f"warehouse not found: {tmp_path / SERVING_FILE}" in missing.stderr
