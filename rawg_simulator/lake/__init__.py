"""Generated lakes: a year of RAWG data written as the ingest would have landed it, without
the API, for the transform benchmark. The sandbox's twin: the same reference data and
distributions, drawn column-wise with polars.
"""

from __future__ import annotations

from rawg_simulator.lake.spec import LakeSpec
from rawg_simulator.lake.writer import GeneratedLake, cached_lake, generate

__all__ = ["GeneratedLake", "LakeSpec", "cached_lake", "generate"]
