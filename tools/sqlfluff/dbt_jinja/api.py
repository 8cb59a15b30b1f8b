"""`api` for sqlfluff: `api.Column.translate_type` leaves DuckDB types as they are."""

from __future__ import annotations


class Column:
    @staticmethod
    def translate_type(dtype: str) -> str:
        return dtype
