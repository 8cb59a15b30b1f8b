"""A model that blocks for a minute, as one waiting on a lock or a stalled read does, then
ends by itself (a dbt-duckdb Python model, run in dbt's worker thread)."""

import time


def model(dbt, session):
    dbt.config(materialized="table")
    time.sleep(60)
    return session.sql("select 1 as done")
