"""How a synthetic RAWG catalog is shaped: the distributions both generators draw from.

The sandbox draws each game from a seeded ``random.Random`` (``rawg_simulator.games``), the
lake generator draws whole columns from hashes (``rawg_simulator.lake``); both read the
numbers here, so a generated lake and a sandbox catalog look alike. ``u`` below is a uniform
draw in [0, 1).
"""

from __future__ import annotations

from datetime import date

from rawg_simulator.reference import GENRES, PLATFORMS

# Release day = FIRST_RELEASE + u ** RELEASE_SKEW x span (span ends a year after "today"):
# skewed towards recent years, like RAWG's catalog.
FIRST_RELEASE = date(1980, 1, 1)
RELEASE_SKEW = 0.4
UNRELEASED_SHARE = 0.03  # no release date...
TBA_SHARE = 0.5  # ...and of those, "to be announced"

# added = 10 ** (u x ADDED_DECADES) - 1: 0 .. ~25,000, most games added a handful of times.
ADDED_DECADES = 4.4
RATED_MIN_ADDED = 3  # games added more often than this...
RATED_SHARE = 0.8  # ...are rated with this chance; RAWG ratings crowd between 3 and 4.5 stars
RATING_SKEW = 0.5  # rating = 1 + u ** RATING_SKEW x 4 stars
RATINGS_SHARE = (0.15, 0.45)  # ratings_count / added, drawn within this range
METACRITIC_SHARE = 0.6
METACRITIC_RANGE = (20, 100)  # [low, high)
ESRB_SHARE = 0.7
MAX_PLAYTIME = 80  # hours = u ** 3 x MAX_PLAYTIME
MAX_SUGGESTIONS = 700
STORE_OFFER_SHARE = 0.7  # chance a store of one of the game's platforms sells it

# Weighted choices as repeated entries: picking one costs one draw. Genres are drawn by their
# real games_count, platforms by its square root (PC would otherwise take nearly every game).
GENRES_PER_GAME = (0,) * 8 + (1,) * 45 + (2,) * 32 + (3,) * 15
GENRE_WEIGHTS = tuple(g[3] for g in GENRES)
PLATFORM_WEIGHTS = tuple(p[3] ** 0.5 for p in PLATFORMS)

# The sandbox's games look like RAWG's list samples (/work/shared/rawg_samples: popular games,
# 13-53 tags, 2-13 platforms, 7 screenshots, 6-16 KB an item), so a client is measured on
# pages the size a user gets; tests/unit/test_sandbox_items.py compares the two. Platforms
# are drawn with repeats, so a game ends up with a few fewer than drawn.
SANDBOX_PLATFORMS_PER_GAME = (1, 2, 3, 3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 12)
SANDBOX_TAGS_PER_GAME = tuple(range(24, 45, 2))
SANDBOX_EXTRA_SCREENSHOTS = (5,) + (6,) * 23  # besides the background image
# The transform benchmark's lake keeps the compact games its figures were measured on: far
# fewer tags and platforms make its game-element facts (`fct_game_tags`, ...) and `_raw` several
# times smaller.
LAKE_PLATFORMS_PER_GAME = (1,) * 45 + (2,) * 25 + (3,) * 15 + (4,) * 10 + (6,) * 5
LAKE_TAGS_PER_GAME = (0, 1, 2, 3, 5, 8, 12)

# A name's form is picked by one draw against these cuts, in order: "Adjective Noun",
# "Noun of Place", "The Adjective Noun", "Adjective Noun Sequel", else "Noun Noun: Adjective
# Noun". Then UNICODE_NAME_SHARE of the names get a non-ASCII word in front.
NAME_FORM_CUTS = (0.35, 0.5, 0.6, 0.75)
UNICODE_NAME_SHARE = 0.08

# The time model: a re-updated game comes back every 1 day (the most added) up to every
# MAX_REFRESH_GAP days (the least added), its counts growing by a per-game rate per day.
MAX_REFRESH_GAP = 7
GROWTH_PER_DAY = (0.002, 0.02)
