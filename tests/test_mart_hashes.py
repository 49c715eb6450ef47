"""Every mart of the demo warehouse keeps its content: a golden file of order-free table hashes.

A restructuring (models moved, macros merged, Python modules renamed) must leave every published
number as it was. When a change is meant to change numbers, regenerate the file and say why in the
commit: `RELIABILITY_UPDATE_HASHES=1 python -m uv run pytest tests/test_mart_hashes.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from table_hashes import table_hashes

GOLDEN = Path(__file__).parent / "fixtures" / "demo_mart_hashes.tsv"


def read_golden() -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for line in GOLDEN.read_text().splitlines():
        name, rows, digest = line.split("\t")
        out[name] = (int(rows), digest)
    return out


def test_every_mart_matches_the_golden_hashes(demo_paths) -> None:
    actual = table_hashes(demo_paths.warehouse, ("marts",), strip=str(demo_paths.landing))
    if os.environ.get("RELIABILITY_UPDATE_HASHES"):
        GOLDEN.write_text("".join(f"{n}\t{r}\t{d}\n" for n, (r, d) in actual.items()))
    golden = read_golden()
    changed = {
        name: (golden.get(name), actual.get(name))
        for name in sorted(golden.keys() | actual.keys())
        if golden.get(name) != actual.get(name)
    }
    assert not changed, (
        "marts differ from tests/fixtures/demo_mart_hashes.tsv (golden, actual): "
        f"{changed}. If the change is meant to change numbers, regenerate with "
        "RELIABILITY_UPDATE_HASHES=1 and say why in the commit."
    )
