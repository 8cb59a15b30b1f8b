"""The RAWG sandbox's HTTP API, driven in-process through its ASGI app: paging, keys,
routes, determinism, gzip, faults, delays and stats."""

from __future__ import annotations

import argparse
import json
from collections import Counter

import pytest

from game_market.endpoints import ENDPOINTS
from rawg_simulator import add_arguments, config_from_args
from rawg_simulator.faults import draw_delay_s
from rawg_simulator.server import ROUTES
from tests.support.sandbox import (
    GAMES,
    KEY,
    TODAY,
    InProcessClient,
    Json,
    bodies,
    classify,
    config,
    crawl,
    get,
    ok,
    reset_sandbox,
    sandbox_stats,
)

# -- paging ----------------------------------------------------------------------------------


def test_envelope_and_links_carry_every_param(base: str, client: InProcessClient) -> None:
    first = ok(client, f"{base}/games")
    assert list(first)[:4] == ["count", "next", "previous", "results"]
    assert first["count"] == GAMES and len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == f"{base}/games?key={KEY}&page=2"

    second = ok(client, f"{base}/games", page=2, ordering="-added", page_size=30)
    # DRF builds links with sorted params, the key included; page 1 has no page=
    assert second["previous"] == f"{base}/games?key={KEY}&ordering=-added&page_size=30"
    assert second["next"] == f"{base}/games?key={KEY}&ordering=-added&page=3&page_size=30"
    third = ok(client, f"{base}/games", page=3, dates="2000-01-01,2024-01-01")
    assert third["previous"] == f"{base}/games?dates=2000-01-01%2C2024-01-01&key={KEY}&page=2"


def test_crawl_by_next_reaches_every_game_once(base: str, client: InProcessClient) -> None:
    ids = [g["id"] for g in crawl(client, f"{base}/games")]
    assert len(ids) == GAMES == len(set(ids))
    assert ids == sorted(ids)
    assert max(ids) > GAMES  # ids are sparse, like a real catalog's


def test_last_page_has_no_next(base: str, client: InProcessClient) -> None:
    last = ok(client, f"{base}/games", page=67, page_size=30)
    assert last["next"] is None and len(last["results"]) == GAMES - 66 * 30


def test_page_size_is_clamped_to_40(base: str, client: InProcessClient) -> None:
    assert len(ok(client, f"{base}/games", page_size=100)["results"]) == 40
    assert len(ok(client, f"{base}/games", page_size=0)["results"]) == 20  # ignored, like DRF
    assert len(ok(client, f"{base}/developers", page_size=500)["results"]) == 40


def test_pages_past_the_end_are_invalid(base: str, client: InProcessClient) -> None:
    for url, params in [
        (f"{base}/games", {"page": GAMES // 20 + 1}),
        (f"{base}/games", {"page": 2, "updated": "2001-01-01,2001-01-02"}),
        (f"{base}/genres", {"page": 2}),
    ]:
        response = get(client, url, **params)
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}
    empty = ok(client, f"{base}/games", updated="2001-01-01,2001-01-02")
    assert empty == {"count": 0, "next": None, "previous": None, "results": []}


def test_page_window_caps_deep_pages_but_not_count() -> None:
    with InProcessClient(config(games=300, max_pages_per_query=3)) as small:
        url = small.base
        third = ok(small, f"{url}/games", page=3)
        assert third["count"] == 300
        assert third["next"] == f"{url}/games?key={KEY}&page=4"  # points past the window
        response = get(small, f"{url}/games", page=4)
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"updated": "2024-06-01"}, "updated"),
        ({"updated": "2024-06-01,yesterday"}, "updated"),
        ({"dates": "2024-02-30,2024-03-01"}, "dates"),
        ({"platforms": "pc"}, "platforms"),
    ],
)
def test_malformed_params_are_400(
    base: str, client: InProcessClient, params: Json, param: str
) -> None:
    response = get(client, f"{base}/games", **params)
    assert response.status_code == 400
    assert param in response.json()


# -- routes and keys -------------------------------------------------------------------------


def test_unknown_game_and_route_are_404(base: str, client: InProcessClient) -> None:
    for token in ("999999999", "no-such-game-anywhere"):
        response = get(client, f"{base}/games/{token}")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert get(client, f"{base}/no/such/route").status_code == 404
    assert client.get(f"{base.removesuffix('/api')}/elsewhere").status_code == 404


def test_routes_are_the_declared_endpoints_paths() -> None:
    assert {str(endpoint): spec.path for endpoint, spec in ENDPOINTS.items()} == ROUTES
    assert ROUTES["game_details"] == "/games/{id}"


def test_an_endpoint_without_data_answers_an_empty_page() -> None:
    declared = {**ROUTES, "achievements": "/games/{id}/achievements"}
    with InProcessClient(config(games=50), declared) as sandbox:
        game = ok(sandbox, f"{sandbox.base}/games")["results"][0]
        empty = ok(sandbox, f"{sandbox.base}/games/{game['id']}/achievements")
        assert empty == {"count": 0, "next": None, "previous": None, "results": []}
        assert sandbox_stats(sandbox.base, sandbox)["by_endpoint"]["achievements"] == 1


def test_missing_key_is_401(base: str, client: InProcessClient) -> None:
    for params in ({}, {"key": ""}):
        response = client.get(f"{base}/games", params=params)
        assert response.status_code == 401
        assert response.json() == {"error": "The key parameter is not provided"}


def test_only_valid_keys_pass_when_configured() -> None:
    with InProcessClient(config(games=50, valid_keys=frozenset({"good", "also-good"}))) as keyed:
        response = keyed.get(f"{keyed.base}/games", params={"key": "bad"})
        assert response.status_code == 401
        assert response.json() == {"error": "The API key is not found"}
        assert keyed.get(f"{keyed.base}/games", params={"key": "also-good"}).status_code == 200


def test_only_get_is_allowed(base: str, client: InProcessClient) -> None:
    response = client.post(f"{base}/games?key={KEY}")
    assert response.status_code == 405


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_serves_identical_bytes(base: str, client: InProcessClient) -> None:
    with InProcessClient(config()) as twin:
        assert bodies(twin, twin.base) == bodies(client, base)
    with InProcessClient(config(seed=43)) as other:
        assert all(
            a != b for a, b in zip(bodies(other, other.base), bodies(client, base), strict=True)
        )


# -- gzip ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip, deflate", True),  # what httpx sends
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("identity", False),
        ("gzip;q=0", False),
        ("deflate, br", False),
    ],
)
def test_answers_are_gzipped_when_the_client_accepts_gzip(
    base: str, client: InProcessClient, accept_encoding: str, gzipped: bool
) -> None:
    reset_sandbox(base, client)
    headers = {"Accept-Encoding": accept_encoding}
    response = get(client, f"{base}/games", headers=headers, page_size=40)
    assert len(response.json()["results"]) == 40  # httpx decodes what it was sent
    on_the_wire = int(response.headers["content-length"])
    if gzipped:
        assert response.headers["content-encoding"] == "gzip"
        assert on_the_wire < len(response.content) / 4
    else:
        assert "content-encoding" not in response.headers
        assert on_the_wire == len(response.content)
    assert sandbox_stats(base, client)["gzipped"] == int(gzipped)


def test_a_truncated_answer_is_cut_on_the_wire_inside_its_gzip_stream() -> None:
    with InProcessClient(config(games=400, fault_rate=1.0, slow_ms=1)) as faulty:
        answers = [get(faulty, f"{faulty.base}/games", page=p, page_size=5) for p in range(1, 81)]
        truncated = [a for a in answers if classify(a) == "truncated"]
        assert len(truncated) == sandbox_stats(faulty.base, faulty)["faults"]["truncated"] > 0
        assert all(a.headers["content-encoding"] == "gzip" for a in truncated)


# -- faults ----------------------------------------------------------------------------------


def test_every_fault_kind_at_rate_one() -> None:
    with InProcessClient(config(games=400, fault_rate=1.0, slow_ms=20, retry_after_s=7)) as faulty:
        url = faulty.base
        seen: Counter[str] = Counter()
        for page in range(1, 21):
            for _ in range(3):  # each retry of one request draws afresh
                response = get(faulty, f"{url}/games", page=page)
                kind = classify(response)
                seen[kind] += 1
                if kind == "429":
                    assert response.headers["retry-after"] == "7"
                    assert response.json() == {"detail": "Request was throttled."}
        assert set(seen) == {"429", "500", "502", "503", "slow", "truncated", "malformed"}
        assert sandbox_stats(url, faulty)["faults"] == dict(seen)


def fault_outcomes(
    client: InProcessClient, url: str, requests: list[Json], key: str = KEY
) -> dict[str, list[str]]:
    """Outcome of each occurrence of each request."""
    outcomes: dict[str, list[str]] = {}
    for params in requests:
        response = client.get(f"{url}/games", params={"key": key, **params})
        outcomes.setdefault(json.dumps(params, sort_keys=True), []).append(classify(response))
    return outcomes


def test_faults_are_deterministic_per_request_and_occurrence() -> None:
    with InProcessClient(config(games=400, fault_rate=0.3, slow_ms=10)) as faulty:
        url = faulty.base
        requests = [{"page": p, "page_size": 10} for p in range(1, 31)] * 2
        forward = fault_outcomes(faulty, url, requests)
        reset_sandbox(url, faulty)
        backward = fault_outcomes(faulty, url, requests[::-1])
        assert forward == backward  # order does not matter, only (request, occurrence)
        faults = sum(sandbox_stats(url, faulty)["faults"].values())
        assert 0.15 < faults / len(requests) < 0.45
        reset_sandbox(url, faulty)
        assert fault_outcomes(faulty, url, requests, key="another-key") == forward


# -- delays ----------------------------------------------------------------------------------


def test_delays_jitter_within_their_bound_deterministically() -> None:
    signatures = [f"games?page={n}" for n in range(400)]

    def delays(seed: int, occurrence: int) -> list[float]:
        return [draw_delay_s(seed, 150, 50, s, occurrence) for s in signatures]

    first = delays(1, 0)
    assert 0.100 <= min(first) < 0.110 and 0.190 < max(first) <= 0.200
    assert 0.140 < sum(first) / len(first) < 0.160
    assert delays(1, 0) == first  # the same seed, request and occurrence: the same delay
    assert delays(1, 1) != first and delays(2, 0) != first  # a retry or another seed: fresh
    assert draw_delay_s(1, 150, 0, signatures[0], 0) == 0.150


def test_the_server_waits_the_drawn_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)

    jittery = config(games=100, latency_ms=150, latency_jitter_ms=50)
    with InProcessClient(jittery) as sandbox:
        monkeypatch.setattr("rawg_simulator.server.asyncio.sleep", record)
        for page in (1, 2, 1):
            get(sandbox, f"{sandbox.base}/games", page=page)
    signatures = ["games?page=1", "games?page=2", "games?page=1"]
    assert waited == [
        draw_delay_s(jittery.seed, 150, 50, signature, occurrence)
        for signature, occurrence in zip(signatures, (0, 0, 1), strict=True)
    ]


def test_jitter_beyond_the_latency_is_one_sentence() -> None:
    with pytest.raises(ValueError, match="latency_jitter_ms must be within"):
        config(latency_ms=10, latency_jitter_ms=20)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--latency-ms", "10", "--latency-jitter-ms", "20"])
    with pytest.raises(SystemExit, match=r"^error: latency_jitter_ms must be within \[0, "):
        config_from_args(args)


# -- stats -----------------------------------------------------------------------------------


def test_stats_count_api_requests_and_reset(base: str, client: InProcessClient) -> None:
    reset_sandbox(base, client)
    get(client, f"{base}/games")
    get(client, f"{base}/games/{ok(client, f'{base}/games')['results'][0]['id']}")
    get(client, f"{base}/genres")
    get(client, f"{base}/games", page=9999)
    client.get(f"{base}/games")
    snapshot = sandbox_stats(base, client)
    assert snapshot["requests"] == 6
    assert snapshot["by_endpoint"] == {
        "games": 4, "game_details": 1, "genres": 1, "platforms": 0, "parent_platforms": 0,
        "developers": 0, "publishers": 0,
    }  # fmt: skip
    assert snapshot["by_status"] == {"200": 4, "401": 1, "404": 1}
    assert snapshot["config"]["today"] == str(TODAY) and snapshot["config"]["games"] == GAMES
    assert sandbox_stats(base, client)["requests"] == 6  # stats calls are not counted
    reset_sandbox(base, client)
    assert sandbox_stats(base, client)["requests"] == 0
