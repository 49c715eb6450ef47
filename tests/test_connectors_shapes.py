"""API answers, Four Keys exports and SLO files of the wrong shape: a clear error naming the
source (connector + endpoint and page, or the file and line) and what was expected; never a bare
TypeError / KeyError / UnicodeDecodeError, and nothing written."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from connector_apis import APIS
from connector_fakes import FIXTURES
from pytest_httpserver import HTTPServer

from reliability.config.connectors import FourKeysConfig
from reliability.connectors import fourkeys
from reliability.slo.openslo import SloDefinitionError, load_slo_folder

ANY = re.compile(r".*")
ENDPOINT = {
    "github": "github-acme/checkout: GET /repos/acme/checkout/deployments page 1",
    # endpoints are named relative to base_url (here .../api/v4)
    "gitlab": "gitlab-acme/checkout-web: GET /projects/acme%2Fcheckout-web/deployments page 1",
    "pagerduty": "pagerduty: GET /incidents (offset 0)",
}
REQUIRED = {
    "github": "expected objects with id, created_at",
    "gitlab": "expected objects with id, updated_at",
    "pagerduty": "expected objects with id, created_at",
}


def body_cases(kind: str) -> dict[str, tuple[object, str]]:
    wrapped = APIS[kind].items_key is not None
    shape = ("expected a JSON object with a list 'incidents'" if wrapped
             else "expected a JSON list of objects")

    def page(items: list) -> object:
        return {"incidents": items, "more": False} if wrapped else items

    return {
        "object-for-list": ({"message": "hello"} if not wrapped else [{"id": "P1"}],
                            f"{shape}, got " + ("a list of 1" if wrapped
                                                else "an object with keys [message]")),
        "scalar": ("just a string", f"{shape}, got a string"),
        "items-not-objects": (page([1, 2]), "item 1: expected an object, got a number"),
        "missing-keys": (page([{"name": "x"}]), "item 1 has no 'id'"),
    }


CASES = [(kind, case) for kind in sorted(APIS) for case in body_cases(kind)]


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_wrong_shape_names_connector_endpoint_and_expectation(
    kind: str, case: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    api = APIS[kind]
    body, expected = body_cases(kind)[case]
    httpserver.expect_request(ANY).respond_with_json(body)

    outcome = api.run(httpserver, tmp_path)

    assert outcome.error is not None
    assert outcome.error.startswith(ENDPOINT[kind] + ": "), outcome.error
    assert expected in outcome.error
    if case == "missing-keys":
        assert REQUIRED[kind] in outcome.error
    assert not list(tmp_path.rglob("*.jsonl"))


@pytest.mark.parametrize("kind", sorted(APIS))
def test_a_page_that_is_not_json_names_the_endpoint(
    kind: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(ANY).respond_with_data(
        "<html>Sign in</html>", content_type="text/html")
    outcome = APIS[kind].run(httpserver, tmp_path)
    assert outcome.error is not None
    assert outcome.error.startswith(ENDPOINT[kind].split(" page")[0].split(" (")[0])
    assert "expected JSON, got 20 bytes of text/html that are not JSON" in outcome.error


def test_a_value_of_the_wrong_type_names_the_source_and_last_endpoint(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request(ANY).respond_with_json(
        [{"id": 7, "iid": 7, "updated_at": ["not", "a", "time"], "status": "success"}])
    outcome = APIS["gitlab"].run(httpserver, tmp_path)
    assert outcome.error is not None
    assert outcome.error.startswith(
        "gitlab-acme/checkout-web: the API returned data of an unexpected shape (last read: GET "
        "/projects/acme%2Fcheckout-web/deployments): ValueError: Invalid isoformat string")
    assert "Nothing was written" in outcome.error and not list(tmp_path.rglob("*.jsonl"))


def _fourkeys(path: Path, landing: Path) -> str | None:
    cfg = FourKeysConfig(paths=(path,), repositories={"acme/checkout": "checkout-api"})
    [outcome] = fourkeys.run(cfg, APIS["github"].runtime(landing))
    assert not list(landing.rglob("*.jsonl"))
    return outcome.error


GOOD_LINE = (FIXTURES / "fourkeys" / "events_raw.jsonl").read_text().splitlines()[0]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("list.jsonl", b"[1, 2]\n", "list.jsonl line 1: expected a JSON object (one events_raw row), "
                               "got a list of 2"),
    ("bad.jsonl", GOOD_LINE.encode() + b"\n{not json\n", "bad.jsonl line 2: not JSON"),
    ("latin1.jsonl", GOOD_LINE.encode() + b'\n{"id": "caf\xe9"}\n',
     "latin1.jsonl line 2: not UTF-8 text (byte 0xe9)"),
    ("meta.jsonl", b'{"event_type": "push", "id": "e1", "metadata": "[1]", '
                   b'"time_created": "2026-03-01", "source": "github"}\n',
     "meta.jsonl row 1 (id 'e1'): 'metadata': expected a JSON object, got a list of 1"),
    ("nometa.jsonl", b'{"event_type": "push", "id": "e1", "metadata": "{oops", '
                     b'"time_created": "2026-03-01", "source": "github"}\n',
     "nometa.jsonl row 1 (id 'e1'): 'metadata' is not JSON"),
    ("noid.jsonl", b'{"event_type": "push", "id": null, "metadata": "{}", '
                   b'"time_created": "2026-03-01", "source": "github"}\n',
     "noid.jsonl row 1 (id None): 'id' is missing or not text"),
    ("cut.jsonl.gz", gzip.compress(GOOD_LINE.encode())[:40], "cut.jsonl.gz: not a complete gzip"),
])
def test_fourkeys_bad_exports_name_the_file_and_line(
    name: str, content: bytes, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / "export" / name
    path.parent.mkdir()
    path.write_bytes(content)
    error = _fourkeys(path, tmp_path / "landing")
    assert error is not None and error.startswith("fourkeys: ") and expected in error, error
    assert str(path) in error


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0x89 on line 1): expected an "
                                              "OpenSLO YAML file"),
    (b"apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: caf\xe9\n",
     "not UTF-8 text (byte 0xe9 on line 4)"),
    (b"apiVersion: openslo/v1\x00\n", "the file is not valid YAML"),
    (b"a: &a [x, x]\nb: [*a, *a]\n", "the file refused: YAML aliases (*a) are not allowed"),
    (b"metadata:\n  annotations:\n    x: 2026-13-45\n", "field 'apiVersion'"),
])
def test_a_bad_slo_file_names_the_file_and_what_is_expected(
    content: bytes, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "b-bad.yaml").write_bytes(content)
    with pytest.raises(SloDefinitionError) as info:
        load_slo_folder(tmp_path, {})
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'b-bad.yaml'}: "), message
    assert expected in message
