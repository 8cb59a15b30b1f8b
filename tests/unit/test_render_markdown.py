"""The Markdown helpers every artifact uses: data made inert, tables aligned."""

from __future__ import annotations

import pytest

from game_market.render.markdown import Markdown, emphasis, escape, strong, table


def test_data_is_shown_as_text_not_markup() -> None:
    assert escape("Pipe | *Bold* [link](x) `code` ~x~ _i_") == (
        r"Pipe \| \*Bold\* \[link\](x) \`code\` \~x\~ \_i\_"
    )
    assert escape("<script>&</script>") == "&lt;script&gt;&amp;&lt;/script&gt;"
    assert escape("two\nlines,   spaced") == "two lines, spaced"
    assert escape(1234) == "1234"


def test_markup_the_caller_wrote_is_kept() -> None:
    assert escape(Markdown("**done**")) == "**done**"
    assert strong("a*b") == r"**a\*b**"
    assert emphasis("note") == "_note_"


def test_a_table_escapes_cells_keeps_markup_and_aligns_columns() -> None:
    rendered = table(
        ["endpoint", "status", "rows"],
        [["games", strong("failed"), "1,024"], ["a|b", "ok", "7"]],
        align="llr",
    )

    assert rendered.splitlines() == [
        "| endpoint | status | rows |",
        "|---|---|---:|",
        "| games | **failed** | 1,024 |",
        r"| a\|b | ok | 7 |",
    ]


def test_columns_default_to_left_aligned() -> None:
    assert table(["a", "b"], []).splitlines()[1] == "|---|---|"


@pytest.mark.parametrize(
    ("headers", "rows", "align"),
    [(["a", "b"], [], "l"), (["a", "b"], [], "lx"), (["a", "b"], [["1"]], None)],
    ids=["align-too-short", "align-unknown", "row-too-short"],
)
def test_a_table_that_does_not_fit_its_headers_is_refused(
    headers: list[str], rows: list[list[str]], align: str | None
) -> None:
    with pytest.raises(ValueError):
        table(headers, rows, align=align)
