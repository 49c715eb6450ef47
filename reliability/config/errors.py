"""ConfigError, and pydantic's ValidationError turned into it (file, key path, what is expected)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError


class ConfigError(ValueError):
    """A configuration problem, naming the file, the key and what is expected."""

    def __init__(
        self, path: Path | str, key: str, expected: str, got: Any = None, *, more: str = ""
    ) -> None:
        got_text = "" if got is None else f" (got {got!r})"
        super().__init__(f"{path}: key '{key}': expected {expected}{got_text}{more}")
        self.path = str(path)
        self.key = key
        self.expected, self.got = expected, got


class KeyProblem(Exception):  # noqa: N818 - not a ValueError on purpose: pydantic lets it through
    """Raised inside a model validator for a problem at a known key path (cross-field checks);
    load_config turns it into a ConfigError with the file name."""

    def __init__(self, key: str, expected: str, got: Any = None) -> None:
        super().__init__(key, expected, got)
        self.key, self.expected, self.got = key, expected, got


def did_you_mean(name: str, known: list[str] | tuple[str, ...] | set[str]) -> str:
    """'; did you mean 'x'?' when `name` is close to one of `known`, else ''."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def key_path(loc: tuple[Any, ...]) -> str:
    """('services', 0, 'team') -> 'services[0].team'."""
    if len(loc) == 1 and isinstance(loc[0], str) and ("." in loc[0] or "[" in loc[0]):
        return loc[0]  # already a key path
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


# pydantic's own error types, in today's wording of what is expected
_EXPECTED = {
    "missing": "a value (the key is required)",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "literal_error": "one of {expected}",
    "extra_forbidden": "no such key",
}


def _describe(error: Any) -> tuple[tuple[Any, ...], str, Any]:
    """(loc, expected, got) of one pydantic error dict."""
    loc, kind, ctx = tuple(error["loc"]), error["type"], error.get("ctx") or {}
    got = error.get("input")
    if isinstance(ctx.get("error"), ConfigError):  # raised by a section's own validator
        inner = ctx["error"]
        return (inner.key,), inner.expected, inner.got
    if kind == "config":
        subkey = tuple(ctx.get("subkey") or ())
        for part in subkey:  # a model's check of one of its keys: the value of that key
            got = got.get(part) if isinstance(got, dict) else None
        return loc + subkey, ctx["expected"], got
    if kind == "unknown_key":
        return loc + (ctx["key"],), ctx["expected"], None
    if kind in _EXPECTED:
        expected = _EXPECTED[kind].format(**ctx)
        return loc, expected, None if kind in ("missing", "extra_forbidden") else got
    return loc, error["msg"][0].lower() + error["msg"][1:], got


def from_validation_error(
    path: Path | str, exc: ValidationError, prefix: tuple = ()
) -> ConfigError:
    """The first error as the ConfigError (its key and message), the others one per line after."""
    described = [_describe(e) for e in exc.errors(include_url=False)]
    lines = [str(ConfigError(path, key_path(prefix + loc), e, got)) for loc, e, got in described]
    loc, expected, got = described[0]
    more = "".join(f"\n{line}" for line in lines[1:])
    return ConfigError(path, key_path(prefix + loc), expected, got, more=more)
