"""The modules that share a fixture go to one xdist worker, as one unit of work,
handed out by their seconds together; a module that uses such a fixture unlisted is refused."""

from __future__ import annotations

import json

import pytest

from tests.support import scheduling
from tests.support.scheduling import SHARED_FIXTURES, SharedFixtureScheduling

pytest_plugins = ["pytester"]


def test_the_modules_of_a_shared_fixture_are_one_unit_and_the_others_their_own(
    pytester: pytest.Pytester,
) -> None:
    config = pytester.parseconfig("--dist", "loadfile", "--tx", "popen", "--tx", "popen")
    scheduler = SharedFixtureScheduling(config)
    for fixture, modules in SHARED_FIXTURES.items():
        for module in modules:
            assert scheduler._split_scope(f"{module}::test_x[a-b]") == fixture
    lone = "tests/integration/test_lake.py"
    assert scheduler._split_scope(f"{lone}::test_x") == lone


CONFTEST = """
from pathlib import Path

import pytest

from tests.support import durations, scheduling

@pytest.fixture(scope="session")
def shared_thing():
    return 1

def pytest_collection_modifyitems(config, items):
    scheduling.check_shared_fixtures(items)
    committed = Path(__file__).parent / "durations.json"
    durations.slowest_first(items, durations.read_committed(committed))
"""


@pytest.fixture
def shared_thing_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table the pytester runs (in this process) read: one shared fixture of two modules."""
    monkeypatch.setattr(scheduling, "SHARED_FIXTURES", {"shared_thing": ("test_a.py", "test_c.py")})


def collected_modules(pytester: pytest.Pytester) -> list[str]:
    result = pytester.runpytest("-n", "0", "-p", "no:cacheprovider", "--collect-only", "-q")
    modules = [line.split("::")[0] for line in result.stdout.lines if "::" in line]
    return list(dict.fromkeys(modules))


@pytest.mark.usefixtures("shared_thing_modules")
def test_a_shared_unit_is_handed_out_by_its_modules_seconds_together(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_a="def test_x(shared_thing):\n    pass\n",
        test_b="def test_x():\n    pass\n",
        test_c="def test_x(shared_thing):\n    pass\n",
    )
    seconds = {"test_a.py": 30.0, "test_b.py": 40.0, "test_c.py": 15.0}
    (pytester.path / "durations.json").write_text(json.dumps(seconds))
    # Alone, b would go first; a and c together (45 s) go before it, side by side.
    assert collected_modules(pytester) == ["test_a.py", "test_c.py", "test_b.py"]


@pytest.mark.usefixtures("shared_thing_modules")
def test_a_module_using_a_shared_fixture_unlisted_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_d="def test_x(shared_thing):\n    pass\n")
    result = pytester.runpytest("-n", "0", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*test_d.py uses the shared fixture shared_thing: add it to SHARED_FIXTURES*"]
    )
