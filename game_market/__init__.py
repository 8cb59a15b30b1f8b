"""Game Market Pipeline: RAWG video-game market data into a Parquet lake.

Data source: RAWG Video Games Database (https://rawg.io). RAWG's terms ask every
report built on its data to credit it; ``ATTRIBUTION`` is the line we print.
"""

from __future__ import annotations

__version__ = "0.1.0"

ATTRIBUTION = "Data source: RAWG Video Games Database API (https://rawg.io)."
