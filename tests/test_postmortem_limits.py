"""Bad postmortem front matter is one reject naming the file, the key and what is expected; never a
failed run, and never unbounded memory (alias bombs, deep nesting, huge files)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_review_postmortems import GOOD

from orchestration.assets.review import review_inputs
from orchestration.resources import WarehouseResource
from reliability.review.postmortems import (
    MAX_FILE_BYTES,
    PostmortemError,
    parse_postmortem,
    read_postmortems,
)
from reliability.safe_yaml import YamlLimitError, load_all_limited, load_limited
from reliability.settings import Paths

# 1.4 KB that PyYAML's safe_load expands to 9**9 (387 million) strings: gigabytes of memory.
ALIAS_BOMB = "---\n" + "\n".join(
    ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    + [
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
) + "\n---\n"

BAD = {
    "impossible-due-date.md": (
        GOOD.replace("due_date: 2026-12-04", "due_date: 2026-13-45"),
        "action_items[1].due_date: expected a real date YYYY-MM-DD, got '2026-13-45'",
    ),
    "impossible-date.md": (
        GOOD.replace("date: 2026-11-20", "date: 2026-02-30"),
        "date: expected a real date YYYY-MM-DD, got '2026-02-30'",
    ),
    "alias-bomb.md": (ALIAS_BOMB, "front matter refused: YAML aliases (*a) are not allowed"),
    "one-alias.md": (
        GOOD.replace("owner: payments", "owner: &team payments").replace(
            "owner: sre", "owner: *team"),
        "YAML aliases (*team) are not allowed",
    ),
    "deep.md": ("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n", "nested deeper than 50 levels"),
    "huge-front-matter.md": (
        "---\n" + "summary: " + "x" * 70_000 + "\n---\n",
        "front matter is 70,009 characters, more than the limit of 65,536",
    ),
    "huge-int.md": (
        GOOD.replace("incident_id: INC-7", "incident_id: " + "9" * 5000),
        "front matter is not valid YAML: Exceeds the limit (4300 digits)",
    ),
    "tab-indent.md": ("---\nincident_id: INC-9\n\tsummary: x\n---\n", "not valid YAML"),
    "list-title.md": (GOOD.replace("title: Checkout errors", "title: [a, b]"), "key 'title'"),
    "items-not-list.md": (
        GOOD.split("action_items:")[0] + "action_items: {title: x}\n---\n",
        "'action_items': expected a list",
    ),
    "item-not-mapping.md": (
        GOOD.split("action_items:")[0] + "action_items:\n  - just text\n---\n",
        "action_items[1]: expected a mapping",
    ),
    "unhashable-key.md": ("---\n? [a, b]\n: x\n---\n", "not valid YAML"),
    "scalar.md": ("---\njust a sentence\n---\n", "must be a YAML mapping"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_front_matter_names_the_key_and_what_is_expected(name: str) -> None:
    text, reason = BAD[name]
    with pytest.raises(PostmortemError) as info:
        parse_postmortem(text)
    assert reason in str(info.value)


def test_the_alias_bomb_is_refused_at_its_first_alias() -> None:
    assert len(ALIAS_BOMB) < 1500
    with pytest.raises(PostmortemError) as info:
        parse_postmortem(ALIAS_BOMB)
    assert str(info.value) == (
        "front matter refused: YAML aliases (*a) are not allowed: write the value out (line 2)")


def test_node_budget_and_valid_dates_still_work() -> None:
    with pytest.raises(YamlLimitError, match="more than 20000 YAML nodes"):
        load_limited("[" + ", ".join(["1"] * 20_001) + "]", max_chars=10**6)
    doc = load_limited("a: 2026-11-20\nb: 2026-11-20T10:00:00Z\nc: 2026-13-45", max_chars=100)
    assert (str(doc["a"]), doc["b"].year, doc["c"]) == ("2026-11-20", 2026, "2026-13-45")
    assert load_all_limited("a: 1\n---\nb: &x 2\n", max_chars=100) == [{"a": 1}, {"b": 2}]


def test_one_bad_file_does_not_fail_the_run(paths: Paths) -> None:
    folder = paths.landing / "postmortems"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD)
    for name, (text, _) in BAD.items():
        (folder / name).write_text(text)
    (folder / "too-big.md").write_bytes(b"---\n" + b"#" * MAX_FILE_BYTES + b"\n---\n")

    loaded = read_postmortems(paths.landing)
    assert [p.name for p, _, _ in loaded.accepted] == ["good.md"]
    assert len(loaded.rejects) == len(BAD) + 1

    resource_ = WarehouseResource(
        warehouse_path=str(paths.warehouse), landing_path=str(paths.landing),
        config_path=str(paths.config))
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    result = dg.materialize([review_inputs], resources={"warehouse": resource_})
    assert result.success
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    rejects = dict(con.execute("SELECT file_name, reason FROM raw.postmortem_rejects").fetchall())
    assert con.execute("SELECT incident_id FROM raw.postmortems").fetchall() == [("INC-7",)]
    con.close()
    assert set(rejects) == {*BAD, "too-big.md"}
    for name, (_, reason) in BAD.items():
        assert reason in rejects[name], name
    assert rejects["too-big.md"].startswith(f"file is {MAX_FILE_BYTES + 9:,} bytes, more than")


def test_the_template_front_matter_is_within_the_limits() -> None:
    text = (Path(__file__).parents[1] / "docs" / "postmortem-template.md").read_text()
    assert parse_postmortem(text).incident_id == "INC-0000"
