"""`gmp doctor`'s plain checks: their verdicts, their one sentence, and no secret shown."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import httpx
import pytest

from game_market.doctor import (
    Check,
    SettingSources,
    check_duckdb,
    check_lake,
    check_rawg_key,
    setting_values,
)
from game_market.settings import load_settings

KEY = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
SECRETS = {
    "RAWG_API_KEY": KEY,
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEID123",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-value-987",
    "SNOWFLAKE_PASSWORD": "snow-password-654",
    "ALERT_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/secret321",
}


def one_sentence(text: str) -> bool:
    return text.endswith(".") and len(re.split(r"[.!?]\s+[A-Z]", text)) == 1


def test_a_check_is_one_marked_line() -> None:
    assert Check("lake", True, "fine.").line == "✓ lake: fine."
    assert Check("lake", False, "broken: fix it.").line == "✗ lake: broken: fix it."


def test_each_setting_says_where_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "LAKE_URL=./from-dotenv\nDUCKDB_PATH=./dotenv.duckdb\nRAWG_MAX_RETRIES=5\n"
        "AWS_SECRET_ACCESS_KEY=\nAWS_ACCESS_KEY_ID=\n"
    )
    monkeypatch.setenv("duckdb_path", "./env.duckdb")  # any case, as the settings read it
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")  # the alias
    sources = SettingSources(os.environ)
    shown, hidden = setting_values(load_settings(), sources)
    by_name = {value.variable: (value.shown, value.source) for value in shown}
    assert by_name["LAKE_URL"] == ("./from-dotenv", ".env")
    assert by_name["DUCKDB_PATH"] == ("./env.duckdb", "environment")
    assert by_name["AWS_ENDPOINT_URL_S3"] == ("http://127.0.0.1:9000", "environment")
    assert by_name["RAWG_BASE_URL"] == ("https://api.rawg.io/api", "default")
    assert by_name["RAWG_API_KEY"] == ("not set", "default")
    assert "AWS_SECRET_ACCESS_KEY" not in by_name  # blank in .env: unset, at its default
    assert "RAWG_MAX_RETRIES" not in by_name  # set to its default: counted, not listed
    everything, none_hidden = setting_values(load_settings(), sources, everything=True)
    assert none_hidden == 0 and len(everything) == len(shown) + hidden


def test_secrets_are_masked_wherever_they_come_from(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items() if k != KEY))
    monkeypatch.setenv("RAWG_API_KEY", KEY)
    sources = SettingSources(os.environ)
    shown, _ = setting_values(load_settings(), sources, everything=True)
    text = "\n".join(f"{v.variable} {v.shown} {v.source}" for v in shown)
    for name, secret in SECRETS.items():
        assert secret not in text
        assert f"{name} set (hidden)" in text
    assert "SNOWFLAKE_ROLE TRANSFORMER default" in text  # what is not secret is shown


def test_a_blank_variable_in_the_environment_hides_the_dotenv_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the settings read them: a blank RAWG_API_KEY exported in the shell wins over .env."""
    Path(".env").write_text(f"RAWG_API_KEY={KEY}\n")
    monkeypatch.setenv("RAWG_API_KEY", "")
    settings = load_settings()
    shown, _ = setting_values(settings, SettingSources({"RAWG_API_KEY": ""}))
    assert shown[0].variable == "RAWG_API_KEY"
    assert shown[0].shown == "not set (blank in environment)"
    assert not check_rawg_key(settings).ok


def answering(status: int, body: object = None, text: str = "") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/genres") and request.url.params["page_size"] == "1"
        assert request.url.params["key"] == KEY
        if body is None:
            return httpx.Response(status, text=text)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_a_good_key_spends_one_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAWG_API_KEY", KEY)
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={"count": 19, "next": None, "results": [{"id": 4}]})

    check = check_rawg_key(load_settings(), httpx.MockTransport(handler))
    assert check.ok and "accepted by https://api.rawg.io/api" in check.detail
    assert len(requests) == 1


@pytest.mark.parametrize(
    ("transport", "expected"),
    [
        (answering(401, {"error": "The API key is not found"}), "RAWG rejected RAWG_API_KEY (401"),
        (answering(401, {"error": f"bad key={KEY} {KEY}"}), "key=***"),
        (answering(429, {"detail": "Request was throttled."}), "monthly quota is spent"),
        (answering(200, text="<html>not RAWG</html>"), "answered 200, not like the RAWG API"),
        (answering(502, text="Bad gateway"), "answered 502"),
    ],
)
def test_a_refused_key_is_one_sentence_without_the_key(
    monkeypatch: pytest.MonkeyPatch, transport: httpx.MockTransport, expected: str
) -> None:
    monkeypatch.setenv("RAWG_API_KEY", KEY)
    check = check_rawg_key(load_settings(), transport)
    assert not check.ok and expected in check.detail
    assert KEY not in check.detail and one_sentence(check.detail)


def test_rawg_out_of_reach_names_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAWG_API_KEY", KEY)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    check = check_rawg_key(load_settings(), httpx.MockTransport(refuse))
    assert not check.ok and KEY not in check.detail and one_sentence(check.detail)
    assert "did not answer at https://api.rawg.io/api (ConnectError)" in check.detail


def test_a_missing_key_says_where_to_get_one() -> None:
    check = check_rawg_key(load_settings())
    assert not check.ok and "https://rawg.io/apidocs" in check.detail


def test_a_lake_not_created_yet_passes_and_is_left_uncreated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAKE_URL", str(tmp_path / "data" / "lake"))
    check = check_lake(load_settings())
    assert check.ok and "not created yet" in check.detail
    assert list(tmp_path.iterdir()) == []


def test_a_lake_is_written_then_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "raw" / "games" / "dt=2026-01-02").mkdir(parents=True)
    (lake / "raw" / "games" / "dt=2026-01-03").mkdir(parents=True)
    monkeypatch.setenv("LAKE_URL", str(lake))
    check = check_lake(load_settings())
    assert check.ok and "games for 2 days, 2026-01-02 to 2026-01-03" in check.detail
    assert list((lake / "_probe").iterdir()) == []  # the probe is deleted


def test_a_lake_that_cannot_be_written_names_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("LAKE_URL", str(tmp_path / "a-file" / "lake"))
    check = check_lake(load_settings())
    assert not check.ok and one_sentence(check.detail)
    assert check.detail.startswith("Cannot write to the lake") and "check LAKE_URL" in check.detail


def test_a_warehouse_not_created_yet_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    check = check_duckdb(load_settings())
    assert check.ok
    assert check.detail == (
        "./data/warehouse/game_market.duckdb not created yet: `gmp daily` or a backfill creates it."
    )
    assert not Path("data").exists()


def test_a_warehouse_is_opened_read_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("create table fct_x as select 1 as x")
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    check = check_duckdb(load_settings())
    assert check.ok and check.detail.endswith("opens read-only (tables and views: 1).")


@pytest.mark.parametrize("kind", ["not a database", "under a file"])
def test_a_warehouse_that_cannot_be_used_names_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    (tmp_path / "a-file").write_text("not a database")
    path = tmp_path / "a-file" if kind == "not a database" else tmp_path / "a-file" / "w.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", str(path))
    check = check_duckdb(load_settings())
    assert not check.ok and "DUCKDB_PATH" in check.detail and one_sentence(check.detail)
