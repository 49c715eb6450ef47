"""YAML from files a user drops in (postmortem front matter, OpenSLO documents), parsed with limits.

PyYAML's SafeLoader builds no Python objects, but it expands aliases: a 1.4 KB "billion laughs"
document (`a: &a [x, x, ...]`, `b: &b [*a, *a, ...]`, ...) grows to gigabytes. `LimitedLoader`
refuses aliases outright (anchors alone are harmless), caps the nesting depth and the number of
nodes, and keeps an impossible timestamp (`2026-13-45`) as text so the caller's own check names the
key, instead of Python's bare `month must be in 1..12`. `load_limited` also caps the text size and
turns every parser failure into one `YamlLimitError` with a one-line reason.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent

MAX_DEPTH = 50
MAX_NODES = 20_000


class YamlLimitError(ValueError):
    """The text is not YAML, or goes beyond a limit; the message says which."""


class _Refused(yaml.composer.ComposerError):
    """Valid YAML that goes beyond a limit (an alias, too deep, too many nodes)."""


class LimitedLoader(yaml.SafeLoader):
    """SafeLoader without aliases, with a depth and node budget, and lenient timestamps."""

    max_depth = MAX_DEPTH
    max_nodes = MAX_NODES

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _Refused(
                None, None,
                f"YAML aliases (*{event.anchor}) are not allowed: write the value out",
                event.start_mark,
            )
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise _Refused(
                None, None, f"more than {self.max_nodes} YAML nodes", self.peek_event().start_mark
            )
        nested = self.check_event(CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > self.max_depth:
                raise _Refused(
                    None, None, f"nested deeper than {self.max_depth} levels",
                    self.peek_event().start_mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # type: ignore[override]
        """A valid timestamp as date/datetime, an impossible one (month 13) as its text."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


LimitedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", LimitedLoader.construct_yaml_timestamp
)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        where = exc.problem_mark or exc.context_mark
        line = f" (line {where.line + 1})" if where is not None else ""
        return f"{exc.problem or exc.context or 'invalid YAML'}{line}"
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return first[:200]


def load_limited(text: str, *, max_chars: int, what: str = "YAML") -> Any:
    """The one YAML document in `text`; raises YamlLimitError naming the problem."""
    docs = load_all_limited(text, max_chars=max_chars, what=what)
    if len(docs) > 1:
        raise YamlLimitError(f"{what} holds {len(docs)} YAML documents; expected one")
    return docs[0] if docs else None


def load_all_limited(text: str, *, max_chars: int, what: str = "YAML") -> list[Any]:
    """Every document in `text` (a `---` separated stream), within the same limits."""
    if len(text) > max_chars:
        raise YamlLimitError(
            f"{what} is {len(text):,} characters, more than the limit of {max_chars:,}"
        )
    loader = None
    try:
        loader = LimitedLoader(text)  # the reader refuses control characters here already
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    except _Refused as exc:
        raise YamlLimitError(f"{what} refused: {_reason(exc)}") from None
    except yaml.YAMLError as exc:
        raise YamlLimitError(f"{what} is not valid YAML: {_reason(exc)}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. an integer of more than 4300 digits, which Python refuses to convert
        raise YamlLimitError(f"{what} is not valid YAML: {_reason(exc)}") from None
    finally:
        if loader is not None:
            loader.dispose()
