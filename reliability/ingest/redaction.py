"""SQL expressions that take personal data out of a rejected record's raw text.

A rejected record keeps its text in `raw.rejects.raw_text` so that it can be fixed and delivered
again, but not the personal data an accepted record never stores in clear:

* the user key is replaced by the salted hash an accepted record stores (`sha256(salt || key)`),
  where the format says which part of the text it is (a CSV field, a JSON Lines `user_key`, a
  Parquet column, an access log's remote user);
* an access log's client address is replaced by the `client_hash` an accepted line keeps;
* anywhere in the text, IPv4 addresses are masked and URL query strings are removed (routes are
  stored without their query string).

Each function returns a SQL expression over a text expression `text`; they run for rejected
records only.
"""

from __future__ import annotations

from reliability.ingest.parsing import quote

IPV4 = r"\b[0-9]{1,3}(\.[0-9]{1,3}){3}\b"
# A query string: '?' after a path-like part, up to white space, a quote, a comma or a '#'.
QUERY = r"(/[^\s?\"',#]*)\?[^\s\"',#]*"
MASK = "<masked>"


def mask_common(text: str) -> str:
    """IPv4 addresses masked and query strings removed, anywhere in the text."""
    no_ip = f"regexp_replace({text}, {quote(IPV4)}, {quote(MASK)}, 'g')"
    return f"regexp_replace({no_ip}, {quote(QUERY)}, '\\1', 'g')"


def _hash(value: str, salt: str) -> str:
    """The stored form of a user key given as text (NULL when blank, like an accepted row)."""
    return f"sha256({quote(salt)} || nullif(trim({value}), ''))"


def _rebuild(text: str, pattern: str, value: str, salt: str) -> str:
    """`text` with the value matched by group 2 of `pattern` (group 1: what precedes it)
    replaced by its hash; `value` turns the matched text into the key (e.g. unquotes it)."""
    pre = f"regexp_extract({text}, {quote(pattern)}, 1)"
    got = f"regexp_extract({text}, {quote(pattern)}, 2)"
    hashed = f"coalesce({_hash(value.format(v=got), salt)}, {got})"
    return (
        f"CASE WHEN regexp_matches({text}, {quote(pattern)}) THEN {pre} || {hashed} || "
        f"substring({text}, length({pre}) + length({got}) + 1) ELSE {text} END"
    )


CSV_FIELD = r'(?:"(?:[^"]|"")*"|[^,"\r\n]*)'


def csv_redact(text: str, user_key_index: int | None, salt: str) -> str:
    """A CSV line: the user key field (0-based position `user_key_index`) hashed."""
    if user_key_index is None:
        return mask_common(text)
    pattern = f"^((?:{CSV_FIELD},){{{user_key_index}}})({CSV_FIELD})"
    unquoted = (
        "CASE WHEN starts_with({v}, '\"') "
        "THEN replace(substring({v}, 2, length({v}) - 2), '\"\"', '\"') ELSE {v} END"
    )
    return mask_common(_rebuild(text, pattern, unquoted, salt))


JSON_USER_KEY = r'^(.*?"user_key"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)'


def jsonl_redact(text: str, salt: str) -> str:
    """A JSON Lines line: the value of its first `user_key` key hashed (as a JSON string)."""
    unquoted = (
        "CASE WHEN starts_with({v}, '\"') THEN substring({v}, 2, length({v}) - 2) ELSE {v} END"
    )
    pre = f"regexp_extract({text}, {quote(JSON_USER_KEY)}, 1)"
    got = f"regexp_extract({text}, {quote(JSON_USER_KEY)}, 2)"
    hashed = f"coalesce('\"' || {_hash(unquoted.format(v=got), salt)} || '\"', {got})"
    rebuilt = (
        f"CASE WHEN regexp_matches({text}, {quote(JSON_USER_KEY)}) THEN {pre} || {hashed} || "
        f"substring({text}, length({pre}) + length({got}) + 1) ELSE {text} END"
    )
    return mask_common(rebuilt)


LOG_HEAD = r"^(\S+) (\S+) (\S+)( \[|$)"  # client, ident, remote user, then the time


def accesslog_redact(text: str, salt: str) -> str:
    """An access log line: its client (first field) and remote user (third) hashed, when the
    line starts as a combined-format line does (else only the common masking applies)."""
    c, i, u = (f"regexp_extract({text}, {quote(LOG_HEAD)}, {n})" for n in (1, 2, 3))
    user = f"CASE WHEN {u} = '-' THEN '-' ELSE sha256({quote(salt)} || {u}) END"
    rebuilt = (
        f"CASE WHEN regexp_matches({text}, {quote(LOG_HEAD)}) "
        f"THEN sha256({quote(salt)} || {c}) || ' ' || {i} || ' ' || {user} || "
        f"substring({text}, length({c}) + length({i}) + length({u}) + 3) ELSE {text} END"
    )
    return mask_common(rebuilt)
