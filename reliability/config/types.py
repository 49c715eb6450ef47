"""The base of every config section and the value types, each saying what it expects.

Every section is a frozen pydantic model that refuses unknown keys (with a "did you mean"). A
required key that is absent is validated as null, so its error says what the key expects.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from reliability.config.errors import did_you_mean


def problem(expected: str, subkey: tuple = ()) -> PydanticCustomError:
    """The error of a value that is not what `expected` says (at `subkey` below the field)."""
    return PydanticCustomError(
        "config", "expected {expected}", {"expected": expected, "subkey": subkey}
    )


def _holds_section(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Section)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_holds_section(a) for a in typing.get_args(annotation))
    return False


class Section(BaseModel):
    """A mapping of the config file: known keys only, frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        for key in data:
            if key not in fields:
                hint = did_you_mean(str(key), list(fields))
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key",
                    {"key": str(key), "expected": f"a known key{hint} (keys here: "
                     f"{', '.join(fields)})"},
                )
        data = dict(data)
        for name, field in fields.items():
            if name not in data and field.is_required():
                data[name] = None  # validated, so the error says what is expected
            elif data.get(name, 0) is None and _holds_section(field.annotation):
                del data[name]  # `review:` with nothing under it: the defaults
        return data


def expect(expected: str, check: Callable[[Any], Any]) -> PlainValidator:
    """A validator that returns check(value), or fails saying `expected` on ValueError/TypeError."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except (ValueError, TypeError):
            raise problem(expected) from None

    return PlainValidator(validate)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError
    return value.strip()


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else check(v)


def texts_check(allow_empty: bool = True) -> Callable[[Any], tuple[str, ...]]:
    """A string or a list of non-empty strings, as a tuple."""

    def check(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError
        if not value and not allow_empty:
            raise ValueError
        return tuple(value)

    return check


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def number(expected: str, ok: Callable[[float], bool] = lambda _v: True) -> PlainValidator:
    """A finite int or float (never true/false) for which ok() holds, as a float."""

    def check(value: Any) -> float:
        if not _is_number(value) or not ok(value):
            raise ValueError
        return float(value)

    return expect(expected, check)


def whole(low: int, high: int) -> PlainValidator:
    """A whole number from `low` to `high`."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError
        return value

    return expect(f"a whole number from {low} to {high}", check)


def one_of(*choices: Any, expected: str | None = None) -> PlainValidator:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or value not in choices:
            raise ValueError
        return value

    return expect(expected or " or ".join(str(c) for c in choices), check)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _str_map(value: Any) -> dict[str, str]:
    value = value or {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError
    return dict(value)


def nonempty_list(expected: str) -> BeforeValidator:
    """A non-empty list (its items then validated by their own type)."""

    def check(value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise problem(expected)
        return value

    return BeforeValidator(check)


Text = Annotated[str, expect("a non-empty string", _text)]
OptText = Annotated[str | None, expect("a non-empty string", _optional(_text))]
Texts = Annotated[tuple[str, ...], expect("a list of strings", texts_check())]
Flag = Annotated[bool, expect("true or false", _bool)]
StrMap = Annotated[dict[str, str], expect("a mapping of strings to strings", _str_map)]
NonNegative = Annotated[float, number("a non-negative number", lambda v: v >= 0)]


# SQL LIKE route patterns (services, journeys, SLO exclusions and OpenSLO selections)
LIKE_PATTERNS = (
    "a list of SQL LIKE route patterns ('%' any characters, '_' one character, '\\' escapes "
    "the next: '\\_' is a literal underscore)"
)


def like_pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a SQL LIKE route pattern (escape character '\\'), else None."""
    if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
        return f"'{pattern}' ends with a lone '\\' (write '\\\\' for a backslash)"
    return None


def route_patterns_problem(patterns: Any) -> str | None:
    """What is expected and wrong when one of the strings `patterns` is no LIKE pattern."""
    for pattern in patterns:
        if (found := like_pattern_problem(pattern)) is not None:
            return f"{LIKE_PATTERNS}; {found}"
    return None


def _routes(value: Any) -> tuple[str, ...]:
    try:
        patterns = texts_check()(value)
    except ValueError:
        raise problem("a list of non-empty strings") from None
    if (found := route_patterns_problem(patterns)) is not None:
        raise problem(found)
    return patterns


Routes = Annotated[tuple[str, ...], PlainValidator(_routes)]
