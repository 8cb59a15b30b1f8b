"""The benchmarks' results files and the page generated from them (benchmarks/results.py,
benchmarks/page.py)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks import page, results
from benchmarks.results import Figure, Goal, Recording


def figure(benchmark: str, name: str, value: float = 1.0, **extra: object) -> dict:
    recorded = Figure(name, "s", [value] * 3)
    base = results.entry(
        benchmark,
        recorded,
        import_prefect_s=1.0,
        load=[0.5, 0.7],
        date="2026-12-01T10:00Z",
        commit="abc1234",
        source=results.MEASURED,
    )
    return {**base, **extra}


def test_merge_replaces_a_benchmarks_figures_by_name_and_keeps_the_others() -> None:
    old = [
        figure("ingest", "a", 1.0),
        figure("ingest", "b", 2.0),
        figure("load", "wall", 9.0),
        figure("demo", "wall", 5.0),
    ]
    merged = results.merge(old, [figure("ingest", "a", 1.5), figure("ingest", "c", 3.0)])

    assert [(f["benchmark"], f["name"], f["value"]) for f in merged] == [
        ("ingest", "a", 1.5),  # replaced in its place
        ("ingest", "b", 2.0),  # not rerun: kept
        ("ingest", "c", 3.0),  # new: after its benchmark's others
        ("demo", "wall", 5.0),  # benchmarks in `make bench`'s order
        ("load", "wall", 9.0),
    ]


def test_a_figure_of_the_same_name_in_another_benchmark_is_its_own() -> None:
    merged = results.merge([figure("demo", "wall", 5.0)], [figure("load", "wall", 9.0)])
    assert [f["value"] for f in merged] == [5.0, 9.0]


def test_a_figure_is_the_median_of_its_runs_with_its_verdict() -> None:
    recording = Recording("ingest", import_prefect_s=1.234)
    recording.add("cpu", [5.0, 4.0, 9.0], "ms", Goal("<=", 5.3))
    recording.add("rss", [450.0, 390.0, 420.0], "MB", Goal("<", 400))
    recording.add("ceiling", [200.0, 210.0, 190.0], "pages/s")
    recording.add("wasted", [0], "requests", Goal("==", 0), exact=True)

    entries = recording.entries("abc1234", datetime(2026, 12, 1, 10, 5, tzinfo=UTC))

    assert [(e["name"], e["value"], e["verdict"]) for e in entries] == [
        ("cpu", 5.0, "PASS"),
        ("rss", 420.0, "MISS"),
        ("ceiling", 200.0, None),
        ("wasted", 0, "PASS"),
    ]
    assert recording.missed == ["rss"]
    first = entries[0]
    assert first["runs"] == [5.0, 4.0, 9.0]
    assert first["goal"] == {"op": "<=", "limit": 5.3}
    assert first["import_prefect_s"] == 1.23
    assert len(first["load"]) == 2
    assert (first["date"], first["commit"], first["source"]) == (
        "2026-12-01T10:05Z",
        "abc1234",
        "measured",
    )


def test_a_goal_in_time_scales_with_the_machines_import_prefect() -> None:
    """A goal of 5.3 ms set where `import prefect` took 1.1 s is 10.6 ms where it takes 2.2 s
    and 4.34 ms where it takes 0.9 s: the same code, on a machine twice or 0.8x as slow."""
    assert results.machine_goal("<=", 5.3, 1.1, 2.2) == Goal("<=", 10.6)
    assert results.machine_goal("<=", 5.3, 1.1, 0.9) == Goal("<=", 4.34)
    assert results.machine_goal("<=", 45.0, 3.6, 3.6) == Goal("<=", 45.0)


def test_a_measurement_needs_three_runs_a_count_one() -> None:
    with pytest.raises(ValueError, match="a median needs 3"):
        results.entry(
            "ingest",
            Figure("cpu", "ms", [5.0, 4.0]),
            import_prefect_s=1.0,
            load=[1, 1],
            date="d",
            commit="c",
            source=results.MEASURED,
        )
    with pytest.raises(ValueError, match="is not one of the benchmarks"):
        Recording("no_such_benchmark")
    with pytest.raises(ValueError, match="goal operator"):
        Goal("~", 1)


def test_measurements_keep_four_significant_digits_and_counts_stay_whole() -> None:
    assert results.significant(13.456789) == 13.46
    assert results.significant(0.123456) == 0.1235
    assert results.significant(1399.7) == 1400
    assert isinstance(results.significant(1399.7), int)
    assert results.significant(181_528, exact=True) == 181_528


def test_only_a_run_with_the_benchmarks_own_parameters_is_standard() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)

    assert results.is_standard(parser, parser.parse_args([]))
    assert results.is_standard(parser, parser.parse_args(["--repeats", "5"]))
    assert not results.is_standard(parser, parser.parse_args(["--repeats", "1"]))
    assert not results.is_standard(parser, parser.parse_args(["--games", "100"]))


def test_write_merges_into_the_machines_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_MACHINE", "test-box")
    monkeypatch.setattr(results, "git_commit", lambda: "abc1234")
    results.write_results(
        tmp_path / "test-box.json", [figure("ingest", "cpu", 9.0), figure("demo", "wall", 5.0)]
    )
    recording = Recording("ingest", import_prefect_s=1.0)
    recording.add("cpu", [4.0, 5.0, 6.0], "ms")

    assert recording.write(standard=False, directory=tmp_path) is None
    assert results.read_results(tmp_path / "test-box.json")[0]["value"] == 9.0

    path = recording.write(directory=tmp_path)

    assert path == tmp_path / "test-box.json"
    written = json.loads(path.read_text())
    assert written["machine"] == "test-box"
    assert [(f["name"], f["value"]) for f in written["figures"]] == [("cpu", 5.0), ("wall", 5.0)]


def test_the_machine_is_bench_machine_else_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_MACHINE", raising=False)
    monkeypatch.setattr(results.os, "cpu_count", lambda: 2)
    assert results.machine_label() == "2-core"
    monkeypatch.setenv("BENCH_MACHINE", "ci-large")
    assert results.machine_label() == "ci-large"


def test_the_table_shows_each_figure_with_its_goal_and_conditions(tmp_path: Path) -> None:
    results.write_results(
        tmp_path / "2-core.json",
        [
            {**figure("ingest", "CPU per page", 4.95), "unit": "ms", "runs": [5.03, 4.95, 4.64]}
            | {"goal": {"op": "<=", "limit": 5.3}, "verdict": "PASS"},
            figure("load", "requests", 9518, unit="", runs=[9518], exact=True)
            | {"source": results.RECORDED, "import_prefect_s": [2.3, 4.4], "load": [4.0, 5.6]},
        ],
    )

    table = page.table(tmp_path)

    assert "### Machine `2-core`" in table
    assert (
        "| ingest | CPU per page | 4.95 ms | 5.03, 4.95, 4.64 | ≤ 5.3 ms | PASS | 1.00 s "
        "| 0.5 / 0.7 | 2026-12-01, `abc1234` |"
    ) in table
    assert (
        "| load | requests | 9,518 | exact |  |  | 2.30-4.40 s | 4.0 / 5.6 "
        "| 2026-12-01, `abc1234`, recorded |"
    ) in table


def test_render_replaces_only_the_text_between_the_markers() -> None:
    text = f"# Title\n\nbefore\n\n{page.START}\nold table\n{page.END}\n\nafter\n"

    rendered = page.render(text, "new table")

    assert rendered == f"# Title\n\nbefore\n\n{page.START}\n\nnew table\n\n{page.END}\n\nafter\n"
    assert page.render(rendered, "new table") == rendered
    with pytest.raises(SystemExit, match="lacks the markers"):
        page.render("# no markers\n", "new table")


def test_the_benchmarks_page_is_current_with_the_results_files() -> None:
    current = page.PAGE.read_text()
    assert page.render(current, page.table()) == current, (
        "docs/benchmarks.md differs from benchmarks/results: run `python -m benchmarks.page`"
    )


def test_every_figure_in_the_results_files_is_well_formed() -> None:
    paths = sorted(results.RESULTS_DIR.glob("*.json"))
    assert paths, "no results file in benchmarks/results"
    keys = set(figure("ingest", "x"))
    for path in paths:
        figures = results.read_results(path)
        seen = set()
        for entry in figures:
            assert set(entry) == keys, f"{path.name}: {entry['name']}"
            assert entry["benchmark"] in results.BENCHMARKS
            assert (entry["benchmark"], entry["name"]) not in seen, entry["name"]
            seen.add((entry["benchmark"], entry["name"]))
            assert entry["source"] in (results.MEASURED, results.RECORDED)
            if entry["goal"] is not None:
                goal = Goal(entry["goal"]["op"], entry["goal"]["limit"])
                assert entry["verdict"] == ("PASS" if goal.met(entry["value"]) else "MISS")
            if entry["source"] == results.MEASURED and not entry["exact"]:
                assert len(entry["runs"]) >= results.MIN_RUNS
