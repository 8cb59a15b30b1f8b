"""Everything the pipeline lays out, and nothing it computes.

``markdown`` holds the inert-Markdown primitives (``escape``, ``strong``, ``emphasis``,
``table``) every artifact is built with. ``ingest``, ``dbt_build``, ``checks``, ``backfill``
and ``releases`` write the Markdown of those flows' Prefect artifacts. The market report
(``game_market.report``) is rendered by ``report_text`` (the terminal), ``report_markdown``
(the market-summary artifact) and ``report_html`` (the page, from ``templates/``), with the
charts ``report_charts`` draws for the last two. Every report rendering credits RAWG.
"""
