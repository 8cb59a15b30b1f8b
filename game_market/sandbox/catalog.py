"""Deterministic synthetic RAWG catalog behind the sandbox server.

Per game only a handful of compact arrays are kept (what filtering and ordering need);
every JSON item is re-rendered on demand from ``(seed, game id)``, so a 100k-game catalog
costs a few MB. Reference data (genres, platforms, parents, stores, tags, ESRB) mirrors
real RAWG responses. Data shapes: RAWG (rawg.io).

Time model: real RAWG only ever shows a game's current state, so the sandbox simulates what
a pipeline collecting every day would have seen. Each game has a deterministic update
schedule inside the ``days`` window (a first update, then, for a share of games that favours
the popular ones, re-updates every 1-7 days); ``updated=lo,hi`` serves a game as of its
latest update day in the range, with counts (``added``, ``ratings_count``, ...) that only
grow over the schedule and reach the current state, the one every other route shows, on the
game's last update day.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from itertools import accumulate
from random import Random
from typing import Any, NamedTuple, TypeVar

import orjson

Json = dict[str, Any]
_T = TypeVar("_T")
# Rendered list items kept per sandbox; past this, items are rendered on every request.
ITEM_CACHE_BYTES = 256 * 1024 * 1024

# (id, name, slug, real games_count used as sampling weight) -- genres_list_2024-08.json
GENRES: tuple[tuple[int, str, str, int], ...] = (
    (4, "Action", "action", 181655),
    (51, "Indie", "indie", 68073),
    (3, "Adventure", "adventure", 141347),
    (5, "RPG", "role-playing-games-rpg", 56813),
    (10, "Strategy", "strategy", 57092),
    (2, "Shooter", "shooter", 59493),
    (40, "Casual", "casual", 55258),
    (14, "Simulation", "simulation", 70542),
    (7, "Puzzle", "puzzle", 97293),
    (11, "Arcade", "arcade", 22659),
    (83, "Platformer", "platformer", 100795),
    (1, "Racing", "racing", 24901),
    (59, "Massively Multiplayer", "massively-multiplayer", 3731),
    (15, "Sports", "sports", 21640),
    (6, "Fighting", "fighting", 11756),
    (19, "Family", "family", 5396),
    (28, "Board Games", "board-games", 8378),
    (34, "Educational", "educational", 15681),
    (17, "Card", "card", 4529),
)

# (id, name, slug, real games_count, year_start, year_end) -- platforms_list_page1_2024-08.json;
# that page holds 50 of RAWG's 51 platforms, the 51st (Web) comes from the parents list.
PLATFORMS: tuple[tuple[int, str, str, int, int | None, int | None], ...] = (
    (4, "PC", "pc", 534389, None, None),
    (187, "PlayStation 5", "playstation5", 1104, 2020, None),
    (1, "Xbox One", "xbox-one", 5638, None, None),
    (18, "PlayStation 4", "playstation4", 6825, None, None),
    (186, "Xbox Series S/X", "xbox-series-x", 970, 2020, None),
    (7, "Nintendo Switch", "nintendo-switch", 5502, None, None),
    (3, "iOS", "ios", 77351, None, None),
    (21, "Android", "android", 52373, None, None),
    (8, "Nintendo 3DS", "nintendo-3ds", 1693, None, None),
    (9, "Nintendo DS", "nintendo-ds", 2484, None, None),
    (13, "Nintendo DSi", "nintendo-dsi", 37, None, None),
    (5, "macOS", "macos", 104490, None, None),
    (6, "Linux", "linux", 77381, None, None),
    (14, "Xbox 360", "xbox360", 2804, None, None),
    (80, "Xbox", "xbox-old", 739, None, None),
    (16, "PlayStation 3", "playstation3", 3164, None, None),
    (15, "PlayStation 2", "playstation2", 2039, None, None),
    (27, "PlayStation", "playstation1", 1670, None, None),
    (19, "PS Vita", "ps-vita", 1447, None, None),
    (17, "PSP", "psp", 1370, None, None),
    (10, "Wii U", "wii-u", 1126, None, None),
    (11, "Wii", "wii", 2230, None, None),
    (105, "GameCube", "gamecube", 635, None, None),
    (83, "Nintendo 64", "nintendo-64", 363, None, None),
    (24, "Game Boy Advance", "game-boy-advance", 954, None, None),
    (43, "Game Boy Color", "game-boy-color", 419, None, None),
    (26, "Game Boy", "game-boy", 611, None, None),
    (79, "SNES", "snes", 969, None, None),
    (49, "NES", "nes", 988, None, None),
    (55, "Classic Macintosh", "macintosh", 674, None, None),
    (41, "Apple II", "apple-ii", 424, None, None),
    (166, "Commodore / Amiga", "commodore-amiga", 2080, None, None),
    (28, "Atari 7800", "atari-7800", 64, None, None),
    (31, "Atari 5200", "atari-5200", 64, None, None),
    (23, "Atari 2600", "atari-2600", 286, None, None),
    (22, "Atari Flashback", "atari-flashback", 30, None, None),
    (25, "Atari 8-bit", "atari-8-bit", 308, None, None),
    (34, "Atari ST", "atari-st", 836, None, None),
    (46, "Atari Lynx", "atari-lynx", 57, None, None),
    (50, "Atari XEGS", "atari-xegs", 22, None, None),
    (167, "Genesis", "genesis", 836, None, None),
    (107, "SEGA Saturn", "sega-saturn", 367, None, None),
    (119, "SEGA CD", "sega-cd", 162, None, None),
    (117, "SEGA 32X", "sega-32x", 46, None, None),
    (74, "SEGA Master System", "sega-master-system", 231, None, None),
    (106, "Dreamcast", "dreamcast", 362, None, None),
    (111, "3DO", "3do", 97, None, None),
    (112, "Jaguar", "jaguar", 39, None, None),
    (77, "Game Gear", "game-gear", 223, None, None),
    (12, "Neo Geo", "neogeo", 123, None, None),
    (171, "Web", "web", 260086, None, None),
)

# (id, name, slug, child platform ids) -- platforms_parents_list_2024-08.json
PARENT_PLATFORMS: tuple[tuple[int, str, str, tuple[int, ...]], ...] = (
    (1, "PC", "pc", (4,)),
    (2, "PlayStation", "playstation", (187, 18, 16, 15, 27, 19, 17)),
    (3, "Xbox", "xbox", (1, 186, 14, 80)),
    (4, "iOS", "ios", (3,)),
    (8, "Android", "android", (21,)),
    (5, "Apple Macintosh", "mac", (5, 55, 41)),
    (6, "Linux", "linux", (6,)),
    (7, "Nintendo", "nintendo", (7, 8, 9, 13, 10, 11, 105, 83, 24, 43, 26, 79, 49)),
    (9, "Atari", "atari", (28, 31, 23, 22, 25, 34, 46, 50, 112)),
    (10, "Commodore / Amiga", "commodore-amiga", (166,)),
    (11, "SEGA", "sega", (167, 107, 119, 117, 74, 106, 77)),
    (12, "3DO", "3do", (111,)),
    (13, "Neo Geo", "neo-geo", (12,)),
    (14, "Web", "web", (171,)),
)

# (id, name, slug, domain, games_count) -- the ten RAWG stores seen in the samples
STORES: tuple[tuple[int, str, str, str, int], ...] = (
    (1, "Steam", "steam", "store.steampowered.com", 123076),
    (2, "Xbox Store", "xbox-store", "microsoft.com", 4934),
    (3, "PlayStation Store", "playstation-store", "store.playstation.com", 8069),
    (4, "App Store", "apple-appstore", "apps.apple.com", 75559),
    (5, "GOG", "gog", "gog.com", 6270),
    (6, "Nintendo Store", "nintendo", "nintendo.com", 9045),
    (7, "Xbox 360 Store", "xbox360", "marketplace.xbox.com", 1915),
    (8, "Google Play", "google-play", "play.google.com", 17097),
    (9, "itch.io", "itch", "itch.io", 721843),
    (11, "Epic Games", "epic-games", "epicgames.com", 1438),
)

# Which stores sell games of a platform; a game gets a subset of its platforms' stores.
_STORES_BY_PLATFORM: dict[int, tuple[int, ...]] = {
    4: (1, 5, 11, 9),
    5: (1, 9),
    6: (1, 9),
    187: (3,),
    18: (3,),
    16: (3,),
    19: (3,),
    1: (2,),
    186: (2,),
    14: (7,),
    3: (4,),
    21: (8,),
    7: (6,),
    10: (6,),
    8: (6,),
    171: (9,),
}

# (id, name, slug, language, games_count) -- most frequent tags in the samples
TAGS: tuple[tuple[int, str, str, str, int], ...] = (
    (31, "Singleplayer", "singleplayer", "eng", 207421),
    (45, "2D", "2d", "eng", 196595),
    (122, "Pixel Graphics", "pixel-graphics", "eng", 91082),
    (571, "3D", "3d", "eng", 79260),
    (111, "Short", "short", "eng", 57778),
    (42398, "Инди", "indi-2", "rus", 44459),
    (16, "Horror", "horror", "eng", 43411),
    (25, "Space", "space", "eng", 43056),
    (74, "Retro", "retro", "eng", 40460),
    (7, "Multiplayer", "multiplayer", "eng", 35401),
    (42396, "Для одного игрока", "dlia-odnogo-igroka", "rus", 31845),
    (42417, "Экшен", "ekshen", "rus", 30736),
    (42399, "Казуальная игра", "kazualnaia-igra", "rus", 29941),
    (40847, "Steam Achievements", "steam-achievements", "eng", 29226),
    (13, "Atmospheric", "atmospheric", "eng", 29019),
    (91686, "Family Sharing", "family-sharing", "eng", 28808),
    (8, "First-Person", "first-person", "eng", 28739),
    (42392, "Приключение", "prikliuchenie", "rus", 28679),
    (88, "Cute", "cute", "eng", 28316),
    (136, "Music", "music", "eng", 25912),
    (64, "Fantasy", "fantasy", "eng", 24386),
    (4, "Funny", "funny", "eng", 22796),
    (61, "Top-Down", "top-down", "eng", 22508),
    (6, "Exploration", "exploration", "eng", 19050),
    (118, "Story Rich", "story-rich", "eng", 17943),
    (114, "Physics", "physics", "eng", 17834),
    (32, "Sci-fi", "sci-fi", "eng", 17203),
    (165, "Colorful", "colorful", "eng", 17031),
    (24, "RPG", "rpg", "eng", 16634),
    (112, "Minimalist", "minimalist", "eng", 15419),
    (42413, "Симулятор", "simuliator", "rus", 14295),
    (42421, "Стратегия", "strategiia", "rus", 14206),
    (41, "Dark", "dark", "eng", 14071),
    (117, "Mystery", "mystery", "eng", 13771),
    (40836, "Full controller support", "full-controller-support", "eng", 13734),
    (69, "Action-Adventure", "action-adventure", "eng", 13454),
    (40849, "Steam Cloud", "steam-cloud", "eng", 13431),
    (141, "Point & Click", "point-click", "eng", 13268),
    (42412, "Ролевая игра", "rolevaia-igra", "rus", 12981),
    (49, "Difficult", "difficult", "eng", 12796),
    (72, "Local Multiplayer", "local-multiplayer", "eng", 12511),
    (30, "FPS", "fps", "eng", 12472),
    (36, "Open World", "open-world", "eng", 9251),
    (18, "Co-op", "co-op", "eng", 14375),
)

# (id, name, slug, name_ru) -- ESRB ratings as RAWG serves them
ESRB_RATINGS: tuple[tuple[int, str, str, str], ...] = (
    (1, "Everyone", "everyone", "Для всех"),
    (2, "Everyone 10+", "everyone-10-plus", "С 10 лет"),
    (3, "Teen", "teen", "С 13 лет"),
    (4, "Mature", "mature", "С 17 лет"),
    (5, "Adults Only", "adults-only", "Только для взрослых"),
)

_RATING_TITLES = ((5, "exceptional"), (4, "recommended"), (3, "meh"), (1, "skip"))
_STATUSES = ("yet", "owned", "beaten", "toplay", "dropped", "playing")

# fmt: off
_ADJECTIVES = (
    "Dark", "Silent", "Lost", "Eternal", "Crimson", "Hidden", "Last", "Broken", "Golden",
    "Iron", "Wild", "Frozen", "Neon", "Ancient", "Shadow", "Hollow", "Brave", "Cosmic",
    "Tiny", "Endless", "Forgotten", "Savage", "Electric", "Sacred", "Rogue", "Quiet",
    "Burning", "Pixel", "Super", "Mega", "Velvet", "Scarlet", "Astral", "Rusty", "Lucky",
    "Fallen", "Hyper", "Lonely", "Mystic", "Radiant", "Sunken", "Twisted", "Wandering",
    "Atomic", "Clockwork", "Emerald", "Feral", "Grim", "Jade", "Lunar", "Midnight",
    "Northern", "Obsidian", "Primal", "Quantum", "Solar", "Tidal", "Untamed", "Vivid",
    "Wicked",
)
_NOUNS = (
    "Kingdom", "Legends", "Frontier", "Odyssey", "Dungeon", "Empire", "Horizon", "Chronicles",
    "Station", "Harbor", "Garden", "Protocol", "Tactics", "Racer", "Knight", "Saga", "Quest",
    "Colony", "Realm", "Arena", "Island", "Galaxy", "Citadel", "Outpost", "Tower",
    "Expedition", "Drifter", "Paradox", "Rhapsody", "Labyrinth", "Voyage", "Siege", "Echoes",
    "Hunter", "Forge", "Circuit", "Carnival", "Sanctuary", "Wasteland", "Tournament",
    "Academy", "Bazaar", "Cartel", "Dynasty", "Engine", "Fortress", "Gambit", "Heist",
    "Inferno", "Jungle", "Keeper", "Legacy", "Mirage", "Nexus", "Oracle", "Pilgrim",
    "Requiem", "Samurai", "Trials", "Uprising",
)
_PLACES = (
    "the North", "Avalon", "the Deep", "Neo Tokyo", "Atlantis", "the Void", "Eldoria",
    "the Dunes", "Mars", "Valhalla", "the Abyss", "Old Town", "the Stars", "Ravenholm",
)
# Real RAWG names carry accents, CJK, Cyrillic and emoji; slugs must survive them.
_UNICODE_WORDS = (
    "Pokémon", "東方", "Ølstrøm", "Café", "Über", "Ænigma", "ドラゴン", "Ψ-Zero", "Škoda", "Łódź",
    "Ōkami", "Москва", "Señor", "Straße", "Ça Va", "Fjörd",
)
_EMOJI = ("🚀", "🎮", "⚔️", "👾", "🌙", "★")
_SEQUELS = ("2", "3", "4", "II", "III", "IV", "2077", "Zero")
_EDITIONS = (
    "Remastered", "Definitive Edition", "Director's Cut", "Deluxe Edition", "GOTY Edition",
    "Enhanced Edition", "Complete Collection", "Anniversary Edition", "Prologue", "Demo",
)
_STUDIO_SUFFIXES = (
    "Studios", "Games", "Interactive", "Entertainment", "Software", "Works", "Lab", "Digital",
    "Productions", "Softworks", "Team", "Collective",
)
# fmt: on
_MAX_NAME_LEN = 97
_TRANSLITERATE = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ł": "l", "Ł": "l", "ß": "ss", "œ": "oe"}
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_FIRST_RELEASE_ORDINAL = date(1980, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_MEDIA = "https://media.rawg.io/media"
# Large primes: any of them is invertible modulo a realistic developer/publisher count.
_AFFINE_PRIMES = (1_000_000_007, 998_244_353, 2_147_483_647, 1_000_000_009)
# Time model: update days are stored as unsigned 16-bit offsets into the window.
_MAX_DAYS = 65_535
# Days between two updates of a re-updated game: 1 for the most added, up to this for the least.
_MAX_REFRESH_GAP = 7
# Per-game growth of the counts per day between updates (drawn within this range).
_GROWTH_PER_DAY = (0.002, 0.02)
# How far (hundredths of a star) a rating may sit from today's value, one per day back.
_MAX_RATING_DRIFT = 10


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes the sandbox; identical configs serve identical bytes."""

    games: int = 2000
    seed: int = 42
    latency_ms: float = 0
    fault_rate: float = 0
    days: int = 30
    today: date | None = None
    # share of games re-updated after their first update day (popular ones more likely)
    refresh_share: float = 0.4
    max_pages_per_query: int = 500
    valid_keys: frozenset[str] | None = None
    retry_after_s: int = 1
    slow_ms: float = 1500
    developers: int | None = None
    publishers: int | None = None

    def __post_init__(self) -> None:
        if self.today is None:
            object.__setattr__(self, "today", datetime.now(UTC).date())
        if self.games < 0 or self.days < 1 or self.max_pages_per_query < 1:
            raise ValueError("games must be >= 0, days and max_pages_per_query >= 1")
        if not 0 <= self.fault_rate <= 1:
            raise ValueError("fault_rate must be within [0, 1]")
        if not 0 <= self.refresh_share <= 1:
            raise ValueError("refresh_share must be within [0, 1]")
        if self.days > _MAX_DAYS:
            raise ValueError(f"days must be <= {_MAX_DAYS}")
        if min(self.developer_count, self.publisher_count) < 1:
            raise ValueError("developers and publishers must be >= 1")

    @property
    def current_day(self) -> date:
        assert self.today is not None  # set by __post_init__
        return self.today

    @property
    def developer_count(self) -> int:
        return self.developers if self.developers is not None else max(50, self.games // 5)

    @property
    def publisher_count(self) -> int:
        return self.publishers if self.publishers is not None else max(20, self.games // 20)


@dataclass(frozen=True)
class GameQuery:
    """A parsed `/api/games` query: filters are ANDed, values inside one filter ORed."""

    ordering: str = "id"
    descending: bool = False
    updated: tuple[date, date] | None = None
    dates: tuple[date, date] | None = None
    genres: frozenset[int] | None = None
    platforms: frozenset[int] | None = None
    search: str | None = None

    @property
    def filtered(self) -> bool:
        """RAWG answers filtered queries with a slimmer item shape."""
        return any(
            v is not None for v in (self.updated, self.dates, self.genres, self.platforms)
        ) or bool(self.search)


ORDERING_FIELDS = frozenset(
    {"name", "released", "added", "created", "updated", "rating", "metacritic", "id"}
)


class _Core(NamedTuple):
    """Per-game values drawn first from the game's RNG; also what the catalog indexes."""

    name: str
    slug: str  # before de-duplication
    released: int  # date ordinal, 0 = not released / unknown
    tba: bool
    second_of_day: int
    added: int
    rating: int  # hundredths of a star, 0 = unrated
    metacritic: int  # 0 = null
    genre_mask: int
    platform_mask: int


@dataclass(slots=True)
class _Facts:
    """Everything a list item and its detail page share, drawn once per render."""

    gid: int
    slug: str
    core: _Core
    updated: str
    background_image: str | None
    ratings: list[Json]
    ratings_count: int
    reviews_text_count: int
    added_by_status: Json | None
    playtime: int
    suggestions_count: int
    reviews_count: int
    pc_requirements: Json | None
    store_links: list[tuple[int, int]]
    tag_indexes: list[int]
    esrb: int  # index into ESRB_RATINGS, -1 = null
    screenshots: list[Json]
    score: str
    community_rating: int
    released: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.released = _iso_date(self.core.released)


def _iso_date(ordinal: int) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal else None


def _iso_timestamp(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).isoformat()


def _media_url(rng: Random, folder: str) -> str:
    digest = f"{rng.getrandbits(128):032x}"
    return f"{_MEDIA}/{folder}/{digest[:3]}/{digest}.jpg"


def _stable_media_url(key: str) -> str:
    return _media_url(Random(key), "games")


def slugify(name: str) -> str:
    """ASCII slug the way RAWG builds them; names without latin letters fall back to 'game'."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode().lower().replace("'", "").replace("’", "")
    return _NON_SLUG.sub("-", text).strip("-") or "game"


def _mix(value: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread integer hash."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


def _pick(r: Callable[[], float], options: Sequence[_T]) -> _T:
    return options[int(r() * len(options))]


def _with_slugs(words: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((word, slugify(word)) for word in words)


def _draw_name(r: Callable[[], float]) -> tuple[str, str]:
    """A game name and its base slug, built word by word (far cheaper than slugify)."""
    (adjective, adj_slug), (noun, noun_slug) = _pick(r, _ADJ_SLUGS), _pick(r, _NOUN_SLUGS)
    form = r()
    if form < 0.35:
        return _decorate_name(r, f"{adjective} {noun}", f"{adj_slug}-{noun_slug}")
    if form < 0.5:
        place, place_slug = _pick(r, _PLACE_SLUGS)
        return _decorate_name(r, f"{noun} of {place}", f"{noun_slug}-of-{place_slug}")
    if form < 0.6:
        return _decorate_name(r, f"The {adjective} {noun}", f"the-{adj_slug}-{noun_slug}")
    if form < 0.75:
        sequel = _pick(r, _SEQUELS)
        return _decorate_name(
            r, f"{adjective} {noun} {sequel}", f"{adj_slug}-{noun_slug}-{sequel.lower()}"
        )
    (second, second_slug), (third, third_slug) = _pick(r, _NOUN_SLUGS), _pick(r, _NOUN_SLUGS)
    return _decorate_name(
        r,
        f"{noun} {second}: {adjective} {third}",
        f"{noun_slug}-{second_slug}-{adj_slug}-{third_slug}",
    )


def _decorate_name(r: Callable[[], float], name: str, slug: str) -> tuple[str, str]:
    roll = r()
    if roll < 0.08:
        word, word_slug = _pick(r, _UNICODE_SLUGS)
        return f"{word} {name}", f"{word_slug}-{slug}" if word_slug else slug
    if roll < 0.10:
        return f"{name} {_pick(r, _EMOJI)}", slug
    if roll < 0.13:
        edition, edition_slug = _pick(r, _EDITION_SLUGS)
        return f"{name} - {edition}", f"{slug}-{edition_slug}"
    if roll < 0.15:
        # RAWG has plenty of near-limit names (the search sample has 97-char ones)
        extra = " ".join(f"{_pick(r, _ADJECTIVES)} {_pick(r, _NOUNS)}" for _ in range(6))
        name = f"{name}: The {extra}"[: _MAX_NAME_LEN + 1].rsplit(" ", 1)[0].rstrip(":")
        return name, slugify(name)
    return name, slug


def _draw_core(rng: Random, release_span: int) -> _Core:
    r = rng.random  # plain random() arithmetic: the catalog build draws ~2M values
    name, slug = _draw_name(r)
    if r() < 0.03:
        released, tba = 0, r() < 0.5
    else:
        # skew towards recent years, like RAWG's catalog
        released, tba = _FIRST_RELEASE_ORDINAL + int(r() ** 0.4 * release_span), False
    second_of_day = int(r() * 86400)
    added = int(10 ** (r() * 4.4)) - 1
    # RAWG ratings crowd between 3 and 4.5 stars
    rating = 100 + int(r() ** 0.5 * 401) if added > 3 and r() < 0.8 else 0
    metacritic = 20 + int(r() * 80) if r() < 0.6 else 0
    genre_mask = _pick_mask(r, _GENRE_CUM_WEIGHTS, _pick(r, _GENRES_PER_GAME))
    platform_mask = _pick_mask(r, _PLATFORM_CUM_WEIGHTS, _pick(r, _PLATFORMS_PER_GAME))
    return _Core(
        name,
        slug,
        released,
        tba,
        second_of_day,
        added,
        rating,
        metacritic,
        genre_mask,
        platform_mask,
    )


def _pick_mask(r: Callable[[], float], cum_weights: Sequence[float], k: int) -> int:
    total, mask = cum_weights[-1], 0
    for _ in range(k):
        mask |= 1 << bisect_right(cum_weights, r() * total)
    return mask


@lru_cache(maxsize=8192)  # few distinct masks, decoded for every rendered game
def _bits(mask: int) -> tuple[int, ...]:
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


_ADJ_SLUGS = _with_slugs(_ADJECTIVES)
_NOUN_SLUGS = _with_slugs(_NOUNS)
_PLACE_SLUGS = _with_slugs(_PLACES)
_UNICODE_SLUGS = _with_slugs(_UNICODE_WORDS)
_EDITION_SLUGS = _with_slugs(_EDITIONS)
# weighted choices as repeated entries: picking from them costs one random()
_GENRES_PER_GAME = (0,) * 8 + (1,) * 45 + (2,) * 32 + (3,) * 15
_PLATFORMS_PER_GAME = (1,) * 45 + (2,) * 25 + (3,) * 15 + (4,) * 10 + (6,) * 5
_GENRE_CUM_WEIGHTS = tuple(accumulate(g[3] for g in GENRES))
_PLATFORM_CUM_WEIGHTS = tuple(accumulate(p[3] ** 0.5 for p in PLATFORMS))
_PLATFORM_INDEX = {p[0]: i for i, p in enumerate(PLATFORMS)}
_GENRE_INDEX = {g[0]: i for i, g in enumerate(GENRES)}
_GENRE_BY_SLUG = {g[2]: g[0] for g in GENRES}
_PARENT_OF = {child: parent[0] for parent in PARENT_PLATFORMS for child in parent[3]}


def _sparse_ids(rng: Random, count: int) -> array:
    """Increasing ids with gaps, like a catalog where some rows were deleted."""
    gaps = rng.choices(range(1, 9), k=count)
    return array("i", accumulate(gaps, initial=rng.randrange(1, 50)))[1:]


class _Affinity:
    """Deterministic many-to-many link game -> developers (or publishers).

    Slot ``k`` maps game index ``i`` to ``(mult_k * i + off_k) mod n``; being invertible,
    the games of one entity are enumerated without storing the link table.
    """

    def __init__(self, rng: Random, entities: int, games: int, slot_weights: Sequence[int]):
        self.entities, self.games = entities, games
        self._slot_cum = tuple(accumulate(slot_weights))
        self._mults = [rng.choice(_AFFINE_PRIMES) for _ in slot_weights]
        self._inverses = [pow(m % entities, -1, entities) for m in self._mults]
        self._offsets = [rng.randrange(entities) for _ in slot_weights]
        self._salt = rng.getrandbits(32)

    def of_game(self, index: int) -> list[int]:
        roll = _mix(self._salt ^ index) % self._slot_cum[-1]
        slots = bisect_right(self._slot_cum, roll) + 1
        linked: list[int] = []
        for mult, offset in zip(self._mults[:slots], self._offsets, strict=False):
            entity = (mult * index + offset) % self.entities
            if entity not in linked:
                linked.append(entity)
        return linked

    def games_of(self, entity: int) -> list[int]:
        found: set[int] = set()
        for inverse, offset in zip(self._inverses, self._offsets, strict=True):
            first = (entity - offset) * inverse % self.entities
            found.update(i for i in range(first, self.games, self.entities))
        return sorted(i for i in found if entity in self.of_game(i))


class _LRU:
    """Tiny bounded memo for expensive query selections."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = self._items[key] = compute()
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return value


class Catalog:
    """The sandbox's games plus RAWG reference data, rendered lazily as RAWG JSON."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._seed = config.seed
        today = config.current_day
        self._release_span = (today + timedelta(days=365)).toordinal() - _FIRST_RELEASE_ORDINAL
        # update days are offsets from the window's first day: 0 .. days - 1 (yesterday)
        self._first_update_ordinal = today.toordinal() - config.days
        self._first_update_day = self._first_update_ordinal - _EPOCH_ORDINAL
        # the time model's own hash stream: drawing from `rng` would shift every studio
        self._time_salt = _mix(config.seed ^ 0x7D1E_5EED)
        self._selections = _LRU(64)
        self._orders = _LRU(24)
        # rendered items keyed by (game index, slim shape, as-of day)
        self._item_cache: dict[tuple[int, bool, int], bytes] = {}
        self._item_cache_bytes = 0
        rng = Random(config.seed)
        self._build_games(rng)
        # slot weights: most games have one developer/publisher, some two or three
        self.developers = _Studios(
            rng, "developer", config.developer_count, config.games, (6, 3, 1)
        )
        self.publishers = _Studios(rng, "publisher", config.publisher_count, config.games, (8, 2))

    # -- building -------------------------------------------------------------------------

    def _build_games(self, rng: Random) -> None:
        count, days = self.config.games, self.config.days
        self._ids = _sparse_ids(rng, count)
        first_day_of = [i % days for i in range(count)]
        rng.shuffle(first_day_of)  # every day gets games, but not in id order
        # Current state: `_updated`, `_added`, `_rating` are as of each game's last update.
        self._updated = array("q")
        self._released, self._added = array("i"), array("i")
        self._rating, self._metacritic = array("H"), array("B")
        self._genre_masks, self._platform_masks = array("I"), array("Q")
        # Update schedules, CSR-style: game i's days are _schedule_days[offsets[i]:offsets[i+1]].
        self._schedule_offsets = array("I", [0])
        self._schedule_days = array("H")
        # The per-day index: day -> indexes (ascending) of the games updated that day.
        self._day_games = [array("i") for _ in range(days)]
        names: list[str] = []
        slugs: list[str] = []
        for index, (gid, first_day) in enumerate(zip(self._ids, first_day_of, strict=True)):
            core = self._core(gid)
            names.append(core.name)
            slugs.append(core.slug)
            schedule = self._schedule(gid, first_day, core.added)
            for day in schedule:
                self._day_games[day].append(index)
            self._schedule_days.extend(schedule)
            self._schedule_offsets.append(len(self._schedule_days))
            last_day = schedule[-1]
            self._updated.append((self._first_update_day + last_day) * 86400 + core.second_of_day)
            self._released.append(core.released)
            self._added.append(core.added)
            self._rating.append(core.rating)
            self._metacritic.append(core.metacritic)
            self._genre_masks.append(core.genre_mask)
            self._platform_masks.append(core.platform_mask)
        self._name_rank = _name_ranks(names)
        self._index_slugs(slugs)

    def _index_slugs(self, slugs: list[str]) -> None:
        # RAWG de-duplicates slugs with -2, -3...; only those rare suffixes are stored.
        self._slug_suffix: dict[int, str] = {}
        used: set[str] = set()
        keys: list[int] = []
        for index, base in enumerate(slugs):
            slug, copy = base, 1
            while slug in used:
                copy += 1
                slug = f"{base}-{copy}"
            if copy > 1:
                self._slug_suffix[index] = f"-{copy}"
            used.add(slug)
            keys.append(zlib.crc32(slug.encode()) << 32 | index)
        keys.sort()
        self._slug_hashes = array("I", (k >> 32 for k in keys))
        self._slug_indexes = array("i", (k & 0xFFFFFFFF for k in keys))

    def _schedule(self, gid: int, first_day: int, added: int) -> list[int]:
        """The game's update days (window offsets): its first update, then re-updates.

        A game is re-updated with a probability that grows with its popularity (mean
        ``refresh_share``), every 1 day for the most added games up to every
        ``_MAX_REFRESH_GAP`` days for the least, until the window ends.
        """
        share = self.config.refresh_share
        # _draw_core draws log10(added + 1) uniformly in [0, 4.4): a popularity in [0, 1)
        popularity = math.log10(added + 1) / 4.4
        tilt = 2 * min(share, 1 - share)  # keeps the chance within [0, 1], its mean at share
        draw = _mix(self._time_salt ^ gid)
        if (draw >> 11) / 2**53 >= share + (popularity - 0.5) * tilt:
            return [first_day]
        cadence = 1 + round((1 - popularity) * (_MAX_REFRESH_GAP - 1))
        last_day = self.config.days - 1
        days, day = [first_day], first_day
        while True:
            draw = _mix(draw)
            day += 1 + draw % cadence
            if day > last_day:
                return days
            days.append(day)

    def _core(self, gid: int) -> _Core:
        return _draw_core(self._game_rng(gid), self._release_span)

    def _game_rng(self, gid: int) -> Random:
        return Random(self._seed * 1_000_003 + gid)

    # -- lookups --------------------------------------------------------------------------

    @property
    def game_count(self) -> int:
        return len(self._ids)

    def find_game(self, id_or_slug: str) -> int | None:
        """Index of the game with this numeric id or slug, None if unknown."""
        if id_or_slug.isdigit():
            gid = int(id_or_slug)
            index = bisect_left(self._ids, gid)
            return index if index < len(self._ids) and self._ids[index] == gid else None
        digest = zlib.crc32(id_or_slug.encode())
        lo = bisect_left(self._slug_hashes, digest)
        hi = bisect_right(self._slug_hashes, digest)
        for position in range(lo, hi):
            index = self._slug_indexes[position]
            if self.slug_of(index) == id_or_slug:
                return index
        return None

    def slug_of(self, index: int) -> str:
        return self._core(self._ids[index]).slug + self._slug_suffix.get(index, "")

    def update_days(self, index: int) -> list[date]:
        """The days game ``index`` is updated on, oldest first; the last gives its current state."""
        start, stop = self._schedule_offsets[index], self._schedule_offsets[index + 1]
        first = self._first_update_ordinal
        return [date.fromordinal(first + d) for d in self._schedule_days[start:stop]]

    def updated_on(self, day: date) -> Sequence[int]:
        """Indexes of the games updated on ``day`` (ascending): the per-day index itself."""
        offset = day.toordinal() - self._first_update_ordinal
        return self._day_games[offset] if 0 <= offset < len(self._day_games) else array("i")

    def _as_of_day(self, index: int, until: int | None) -> int:
        """The game's latest update day (window offset) <= ``until``; None means its last."""
        start, stop = self._schedule_offsets[index], self._schedule_offsets[index + 1]
        if until is None:
            return self._schedule_days[stop - 1]
        # selections only hold games with an update day <= until; max() is a guard, not a path
        position = bisect_right(self._schedule_days, until, start, stop) - 1
        return self._schedule_days[max(start, position)]

    def _as_of_timestamp(self, index: int, day: int) -> int:
        """`updated` (epoch seconds) of the game as of update ``day``: its time of day, that day."""
        return (self._first_update_day + day) * 86400 + self._updated[index] % 86400

    def _until(self, query: GameQuery) -> int | None:
        """The as-of bound of a query: the end of its `updated` range, as a window offset."""
        if query.updated is None:
            return None
        return query.updated[1].toordinal() - self._first_update_ordinal

    @staticmethod
    def genre_id(token: str) -> int | None:
        """Genre id for an id or slug token; None when RAWG would match nothing."""
        if token.isdigit():
            return int(token) if int(token) in _GENRE_INDEX else None
        return _GENRE_BY_SLUG.get(token)

    # -- selecting ------------------------------------------------------------------------

    def select(self, query: GameQuery) -> Sequence[int]:
        """Indexes of the games matching ``query`` in its ordering (memoised)."""
        return self._selections.get(query, lambda: self._select(query))

    def _select(self, query: GameQuery) -> Sequence[int]:
        if query.updated is not None:
            return self._select_updated(query, query.updated)
        order = self._order(query.ordering, query.descending)
        checks = list(self._checks(query))
        if not checks:
            return order
        matching: Iterable[int] = range(self.game_count)
        for check in checks:  # cheapest first: search renders names, so it runs last
            matching = list(filter(check, matching))
        if isinstance(order, range) and order.step == 1:
            return array("i", matching)
        keep = bytearray(self.game_count)
        for index in matching:
            keep[index] = 1
        return array("i", (i for i in order if keep[i]))

    def _select_updated(self, query: GameQuery, updated: tuple[date, date]) -> Sequence[int]:
        """Games with an update day in the range, each once, from the per-day index.

        Only the games of the range's days are touched, never the whole catalog: the
        pipeline's one-day partitions cost O(games of that day).
        """
        first, last = (d.toordinal() - self._first_update_ordinal for d in updated)
        first, last = max(first, 0), min(last, len(self._day_games) - 1)
        matching: Sequence[int]
        if first > last:
            matching = array("i")
        elif first == last:
            matching = self._day_games[first]
        else:
            matching = sorted(set().union(*self._day_games[first : last + 1]))
        for check in self._checks(query):  # cheapest first: search renders names, so it runs last
            matching = list(filter(check, matching))
        if query.ordering in ("id", "created"):
            return array("i", reversed(matching) if query.descending else matching)
        return array(
            "i", sorted(matching, key=self._subset_key(query, last), reverse=query.descending)
        )

    def _subset_key(self, query: GameQuery, until: int) -> Callable[[int], int]:
        """Sort key for an `updated` selection. `updated` orders by the as-of timestamp each
        item shows; the other fields order by the current-state arrays (as unfiltered queries
        do), which keeps a one-day query O(k log k) instead of rendering every game as of the
        day. Ties stay in index (= id) order: `matching` is ascending and sorts are stable."""
        if query.ordering == "updated":
            return lambda i: self._as_of_timestamp(i, self._as_of_day(i, until))
        keys = self._sort_keys(query.ordering)
        if query.ordering in ("released", "metacritic") and not query.descending:
            return lambda i: keys[i] or 1 << 40  # nulls last in both directions
        return keys.__getitem__

    def _checks(self, query: GameQuery) -> Iterable[Callable[[int], bool]]:
        """Per-game predicates for every filter but `updated` (served from the day index)."""
        if query.dates:
            first, last = (d.toordinal() for d in query.dates)
            released = self._released
            yield lambda i: first <= released[i] <= last  # 0 (null) never matches
        if query.genres is not None:
            wanted = sum(1 << _GENRE_INDEX[g] for g in query.genres if g in _GENRE_INDEX)
            genre_masks = self._genre_masks
            yield lambda i: bool(genre_masks[i] & wanted)
        if query.platforms is not None:
            wanted = sum(1 << _PLATFORM_INDEX[p] for p in query.platforms if p in _PLATFORM_INDEX)
            platform_masks = self._platform_masks
            yield lambda i: bool(platform_masks[i] & wanted)
        if query.search:
            needle = query.search.casefold()
            ids = self._ids
            yield lambda i: needle in self._core(ids[i]).name.casefold()

    def _order(self, ordering: str, descending: bool) -> Sequence[int]:
        if ordering in ("id", "created"):  # ids grow with creation time
            return range(self.game_count - 1, -1, -1) if descending else range(self.game_count)
        return self._orders.get((ordering, descending), lambda: self._sort(ordering, descending))

    def _sort_keys(self, ordering: str) -> Sequence[int]:
        return {
            "name": self._name_rank,
            "released": self._released,
            "added": self._added,
            "updated": self._updated,
            "rating": self._rating,
            "metacritic": self._metacritic,
        }[ordering]

    def _sort(self, ordering: str, descending: bool) -> array:
        keys = self._sort_keys(ordering)
        if ordering in ("released", "metacritic") and not descending:
            keys = [k or 1 << 40 for k in keys]  # nulls last in both directions
        # sorts are stable and index order is id order, so ties stay broken by ascending id
        return array("i", sorted(range(self.game_count), key=keys.__getitem__, reverse=descending))

    # -- rendering games ------------------------------------------------------------------

    def _facts(self, index: int, day: int | None = None) -> _Facts:
        """The game as of update ``day`` (a window offset); None is the current state."""
        facts = self._current_facts(index)
        if day is None or day == self._as_of_day(index, None):
            return facts
        return self._rewound(facts, index, day)

    def _current_facts(self, index: int) -> _Facts:
        gid = self._ids[index]
        rng = self._game_rng(gid)
        core = _draw_core(rng, self._release_span)
        rated = core.rating > 0
        ratings_count = max(1, int(core.added * rng.uniform(0.15, 0.45))) if rated else 0
        reviews_count = ratings_count + (rng.randrange(ratings_count // 50 + 2) if rated else 0)
        background = _media_url(rng, "games") if rng.random() < 0.98 else None
        return _Facts(
            gid=gid,
            slug=core.slug + self._slug_suffix.get(index, ""),
            core=core,
            updated=_iso_timestamp(self._updated[index]),
            background_image=background,
            ratings=_draw_ratings(rng, core.rating, ratings_count),
            ratings_count=ratings_count,
            reviews_text_count=rng.randrange(ratings_count // 60 + 1),
            added_by_status=_draw_statuses(rng, core.added),
            playtime=int(rng.random() ** 3 * 80) if core.added else 0,
            suggestions_count=rng.randrange(700),
            reviews_count=reviews_count,
            pc_requirements=_draw_requirements(rng) if core.platform_mask & 1 else None,
            store_links=_draw_store_links(rng, core.platform_mask),
            tag_indexes=rng.sample(range(len(TAGS)), rng.choice((0, 1, 2, 3, 5, 8, 12))),
            esrb=rng.randrange(len(ESRB_RATINGS)) if rng.random() < 0.7 else -1,
            screenshots=_draw_screenshots(rng, background),
            score=f"{rng.uniform(-2, 60):.6f}",
            community_rating=rng.choice((0, 0, 0, 1, 3)),
        )

    def _rewound(self, f: _Facts, index: int, day: int) -> _Facts:
        """``f`` (the current state) as it was on the earlier update ``day``.

        Counts are the current ones divided by the growth since ``day``, so they never
        decrease along the schedule; the rating drifts by at most a hundredth per day back
        (capped), metacritic and everything else stay as they are.
        """
        growth = self._growth_since(index, day)
        core = f.core
        added = int(core.added / growth)
        ratings_count = int(f.ratings_count / growth)
        if f.ratings_count:
            ratings_count = max(1, ratings_count)  # a rated game keeps its rating
        rating = core.rating
        if rating:
            back = self._as_of_day(index, None) - day
            drift = (2 * self._unit(f.gid, day, 1) - 1) * min(_MAX_RATING_DRIFT, back)
            rating = min(500, max(100, rating + round(drift)))
        return replace(
            f,
            core=core._replace(added=added, rating=rating),
            updated=_iso_timestamp(self._as_of_timestamp(index, day)),
            ratings=_rescale_ratings(f.ratings, f.ratings_count, ratings_count),
            ratings_count=ratings_count,
            reviews_count=max(ratings_count, int(f.reviews_count / growth)),
            reviews_text_count=int(f.reviews_text_count / growth),
            added_by_status=_rescale_statuses(f.added_by_status, core.added, added),
            playtime=int(f.playtime / math.sqrt(growth)),
        )

    def _growth_since(self, index: int, day: int) -> float:
        """How much the game's counts grew from update ``day`` to its last update (>= 1).

        Each re-update multiplies them by 1 + rate x gap x jitter; the product is taken from
        the last update backwards, so an earlier day's growth is a later day's times factors
        >= 1 and the rewound counts are non-decreasing over the schedule, rounding included.
        """
        gid = self._ids[index]
        low, high = _GROWTH_PER_DAY
        # the low 11 bits of the draw whose high 53 bits decide re-updates in _schedule
        rate = low + (high - low) * (_mix(self._time_salt ^ gid) & 0x7FF) / 0x800
        start, stop = self._schedule_offsets[index], self._schedule_offsets[index + 1]
        days = self._schedule_days[bisect_right(self._schedule_days, day, start, stop) - 1 : stop]
        growth = 1.0
        for previous, update in zip(reversed(days[:-1]), reversed(days[1:]), strict=True):
            jitter = 0.25 + 1.5 * self._unit(gid, update, 0)
            growth *= 1 + rate * (update - previous) * jitter
        return growth

    def _unit(self, gid: int, day: int, stream: int) -> float:
        """A uniform [0, 1) draw for (game, day, stream) from the time model's hash."""
        return _mix(self._time_salt ^ (gid << 20 | day << 4 | stream)) / 2**64

    def game_items(self, indexes: Iterable[int], query: GameQuery) -> list[Json]:
        """List items in RAWG's full shape, or its slim shape for filtered queries; with an
        `updated` range each game is rendered as of its latest update day in the range."""
        refs, until = self._refs, self._until(query)
        facts = (self._facts(i, self._as_of_day(i, until)) for i in indexes)
        if not query.filtered:
            return [refs.full_item(f) for f in facts]
        return [refs.slim_item(f, with_score=bool(query.search)) for f in facts]

    def game_item_bytes(self, indexes: Iterable[int], query: GameQuery) -> list[bytes]:
        """``game_items`` serialized, cached per (game, shape, as-of day) so the sandbox never
        bottlenecks a benchmark: RAWG's own servers do not slow down because a client got
        faster."""
        if query.search:
            return [orjson.dumps(item) for item in self.game_items(indexes, query)]
        cache, refs = self._item_cache, self._refs
        shape, until = query.filtered, self._until(query)
        out = []
        for index in indexes:
            day = self._as_of_day(index, until)
            body = cache.get((index, shape, day))
            if body is None:
                facts = self._facts(index, day)
                item = refs.slim_item(facts, with_score=False) if shape else refs.full_item(facts)
                body = orjson.dumps(item)
                if self._item_cache_bytes < ITEM_CACHE_BYTES:
                    cache[(index, shape, day)] = body
                    self._item_cache_bytes += len(body)
            out.append(body)
        return out

    def game_detail(self, index: int) -> Json:
        facts = self._facts(index)
        return self._refs.detail(
            facts,
            Random(f"{self._seed}:{facts.gid}:detail"),
            [self.developers.summary(d) for d in self.developers.links.of_game(index)],
            [self.publishers.summary(p) for p in self.publishers.links.of_game(index)],
        )

    def game_stub(self, index: int) -> Json:
        """The {id, slug, name, added} form used inside genre/platform/studio lists."""
        core = self._core(self._ids[index])
        return {
            "id": self._ids[index],
            "slug": core.slug + self._slug_suffix.get(index, ""),
            "name": core.name,
            "added": core.added,
        }

    # -- reference lists ------------------------------------------------------------------

    @cached_property
    def _refs(self) -> _References:
        return _References(self._seed, self._genre_counts(), self._platform_counts())

    def _genre_counts(self) -> list[int]:
        return _bit_counts(self._genre_masks, len(GENRES))

    def _platform_counts(self) -> list[int]:
        return _bit_counts(self._platform_masks, len(PLATFORMS))

    def _top_games(self, masks: Sequence[int], slots: int) -> list[list[int]]:
        """The six most-added games per mask bit, as RAWG lists them under each genre."""
        top: list[list[int]] = [[] for _ in range(slots)]
        open_slots = slots
        for index in self._order("added", True):
            for bit in _bits(masks[index]):
                if len(top[bit]) < 6:
                    top[bit].append(index)
                    if len(top[bit]) == 6:
                        open_slots -= 1
            if not open_slots:
                break
        return top

    @cached_property
    def genres(self) -> list[Json]:
        tops = self._top_games(self._genre_masks, len(GENRES))
        return [
            {**self._refs.genre_full[i], "games": [self.game_stub(t) for t in tops[i]]}
            for i in range(len(GENRES))
        ]

    @cached_property
    def platforms(self) -> list[Json]:
        tops = self._top_games(self._platform_masks, len(PLATFORMS))
        return [
            {**self._refs.platform_listing(i), "games": [self.game_stub(t) for t in tops[i]]}
            for i in range(len(PLATFORMS))
        ]

    @cached_property
    def parent_platforms(self) -> list[Json]:
        refs = self._refs
        return [
            {
                "id": pid,
                "name": name,
                "slug": slug,
                "platforms": [refs.platform_listing(_PLATFORM_INDEX[c]) for c in children],
            }
            for pid, name, slug, children in PARENT_PLATFORMS
        ]

    def studio_listing(self, studios: _Studios, start: int, stop: int) -> list[Json]:
        """Studios ``start:stop`` as `/developers` or `/publishers` list them."""
        entries = []
        for index in range(start, min(stop, studios.count)):
            top = sorted(studios.links.games_of(index), key=lambda g: -self._added[g])[:6]
            entries.append({**studios.summary(index), "games": [self.game_stub(g) for g in top]})
        return entries


def _name_ranks(names: list[str]) -> array:
    """Rank of each name in case-insensitive order; equal names share a rank."""
    keys = [n.casefold() for n in names]
    ranks = array("i", bytes(4 * len(names)))
    rank, previous = -1, None
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        if keys[index] != previous:
            rank, previous = rank + 1, keys[index]
        ranks[index] = rank
    return ranks


def _bit_counts(masks: Sequence[int], slots: int) -> list[int]:
    counts = [0] * slots
    for mask, times in Counter(masks).items():
        for bit in _bits(mask):
            counts[bit] += times
    return counts


def _draw_ratings(rng: Random, rating: int, total: int) -> list[Json]:
    if not total:
        return []
    # weight the four buckets so the mean lands near the drawn rating
    center = rating / 100
    weights = [
        max(0.02, 1.5 - abs(center - stars)) * rng.uniform(0.7, 1.3) for stars, _ in _RATING_TITLES
    ]
    scale = sum(weights)
    counts = [round(total * w / scale) for w in weights]
    buckets = [
        {"id": rid, "title": title, "count": c, "percent": round(100 * c / total, 2)}
        for (rid, title), c in zip(_RATING_TITLES, counts, strict=True)
        if c
    ]
    return sorted(buckets, key=lambda b: -b["count"])


def _rescale_ratings(ratings: list[Json], total: int, new_total: int) -> list[Json]:
    """The rating buckets of ``total`` ratings scaled to ``new_total``."""
    if not new_total:
        return []
    counts = [(b["id"], b["title"], round(b["count"] * new_total / total)) for b in ratings]
    buckets = [
        {"id": rid, "title": title, "count": c, "percent": round(100 * c / new_total, 2)}
        for rid, title, c in counts
        if c
    ]
    return sorted(buckets, key=lambda b: -b["count"])


def _rescale_statuses(statuses: Json | None, added: int, new_added: int) -> Json | None:
    """``added_by_status`` of ``added`` scaled to ``new_added`` (summing to at most it)."""
    if not statuses or not new_added:
        return None
    scaled = {s: c * new_added // added for s, c in statuses.items()}
    return {s: c for s, c in scaled.items() if c} or {"owned": new_added}


def _draw_statuses(rng: Random, added: int) -> Json | None:
    if not added:
        return None
    shares = [rng.random() ** 2 for _ in _STATUSES]
    scale = sum(shares)
    counts = {s: int(added * share / scale) for s, share in zip(_STATUSES, shares, strict=True)}
    return {s: c for s, c in counts.items() if c} or {"owned": added}


def _draw_requirements(rng: Random) -> Json | None:
    if rng.random() < 0.5:
        return None
    memory = rng.choice((2, 4, 8, 16))
    return {
        "minimum": f"Minimum:OS: Windows 10Memory: {memory} GB RAMStorage: "
        f"{rng.randrange(1, 120)} GB available space",
        "recommended": f"Recommended:OS: Windows 11Memory: {memory * 2} GB RAM",
    }


def _draw_store_links(rng: Random, platform_mask: int) -> list[tuple[int, int]]:
    offered: list[int] = []
    for bit in _bits(platform_mask):
        for store in _STORES_BY_PLATFORM.get(PLATFORMS[bit][0], ()):
            if store not in offered and rng.random() < 0.7:
                offered.append(store)
    return [(rng.randrange(1, 1_000_000), store) for store in offered]


def _draw_screenshots(rng: Random, background: str | None) -> list[Json]:
    if background is None:
        return []
    first = rng.randrange(1, 4_000_000)
    shots = [{"id": -1, "image": background}]
    shots += [
        {"id": first + n, "image": _media_url(rng, "screenshots")}
        for n in range(rng.choice((0, 2, 4, 6)))
    ]
    return shots


class _References:
    """Pre-built shared dicts for reference entities, and the game shapes that embed them."""

    def __init__(self, seed: int, genre_counts: list[int], platform_counts: list[int]) -> None:
        self.genre_full = [
            {
                "id": gid,
                "name": name,
                "slug": slug,
                "games_count": genre_counts[i],
                "image_background": _stable_media_url(f"{seed}:genre:{gid}"),
            }
            for i, (gid, name, slug, _) in enumerate(GENRES)
        ]
        self.genre_slim = [
            {"id": g["id"], "name": g["name"], "slug": g["slug"]} for g in self.genre_full
        ]
        self.platform_full = [
            {
                "id": pid,
                "name": name,
                "slug": slug,
                "image": None,
                "year_end": end,
                "year_start": start,
                "games_count": platform_counts[i],
                "image_background": _stable_media_url(f"{seed}:platform:{pid}"),
            }
            for i, (pid, name, slug, _, start, end) in enumerate(PLATFORMS)
        ]
        self.platform_slim = [
            {"platform": {"id": p["id"], "name": p["name"], "slug": p["slug"]}}
            for p in self.platform_full
        ]
        self.parent_slim = {
            pid: {"platform": {"id": pid, "name": name, "slug": slug}}
            for pid, name, slug, _ in PARENT_PLATFORMS
        }
        self.store_full = {
            sid: {
                "id": sid,
                "name": name,
                "slug": slug,
                "domain": domain,
                "games_count": count,
                "image_background": _stable_media_url(f"{seed}:store:{sid}"),
            }
            for sid, name, slug, domain, count in STORES
        }
        self.store_slim = {
            sid: {"store": {"id": sid, "name": s["name"], "slug": s["slug"]}}
            for sid, s in self.store_full.items()
        }
        self.tags = [
            {
                "id": tid,
                "name": name,
                "slug": slug,
                "language": language,
                "games_count": count,
                "image_background": _stable_media_url(f"{seed}:tag:{tid}"),
            }
            for tid, name, slug, language, count in TAGS
        ]
        self.esrb_full = [{"id": e, "name": n, "slug": s} for e, n, s, _ in ESRB_RATINGS]
        self.esrb_slim = [
            {"id": e, "name": n, "slug": s, "name_en": n, "name_ru": ru}
            for e, n, s, ru in ESRB_RATINGS
        ]

    def platform_listing(self, index: int) -> Json:
        """A platform as `/platforms` lists it (different key order than inside games)."""
        p = self.platform_full[index]
        return {
            "id": p["id"],
            "name": p["name"],
            "slug": p["slug"],
            "games_count": p["games_count"],
            "image_background": p["image_background"],
            "image": None,
            "year_start": p["year_start"],
            "year_end": p["year_end"],
        }

    def parents(self, platform_mask: int) -> list[Json]:
        parent_ids = sorted({_PARENT_OF[PLATFORMS[bit][0]] for bit in _bits(platform_mask)})
        return [self.parent_slim[pid] for pid in parent_ids]

    def full_item(self, f: _Facts) -> Json:
        core = f.core
        return {
            "id": f.gid,
            "slug": f.slug,
            "name": core.name,
            "released": f.released,
            "tba": core.tba,
            "background_image": f.background_image,
            "rating": core.rating / 100 if core.rating else 0,
            "rating_top": f.ratings[0]["id"] if f.ratings else 0,
            "ratings": f.ratings,
            "ratings_count": f.ratings_count,
            "reviews_text_count": f.reviews_text_count,
            "added": core.added,
            "added_by_status": f.added_by_status,
            "metacritic": core.metacritic or None,
            "playtime": f.playtime,
            "suggestions_count": f.suggestions_count,
            "updated": f.updated,
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "platforms": [
                {
                    "platform": self.platform_full[bit],
                    "released_at": f.released,
                    "requirements_en": f.pc_requirements if bit == 0 else None,
                    "requirements_ru": None,
                }
                for bit in _bits(core.platform_mask)
            ],
            "parent_platforms": self.parents(core.platform_mask),
            "genres": [self.genre_full[bit] for bit in _bits(core.genre_mask)],
            "stores": [{"id": link, "store": self.store_full[s]} for link, s in f.store_links],
            "clip": None,
            "tags": [self.tags[t] for t in f.tag_indexes],
            "esrb_rating": self.esrb_full[f.esrb] if f.esrb >= 0 else None,
            "short_screenshots": f.screenshots,
        }

    def slim_item(self, f: _Facts, *, with_score: bool) -> Json:
        core = f.core
        item = {
            "slug": f.slug,
            "name": core.name,
            "playtime": f.playtime,
            "platforms": [self.platform_slim[bit] for bit in _bits(core.platform_mask)],
            "stores": [self.store_slim[s] for _, s in f.store_links],
            "released": f.released,
            "tba": core.tba,
            "background_image": f.background_image,
            "rating": core.rating / 100 if core.rating else 0,
            "rating_top": f.ratings[0]["id"] if f.ratings else 0,
            "ratings": f.ratings,
            "ratings_count": f.ratings_count,
            "reviews_text_count": f.reviews_text_count,
            "added": core.added,
            "added_by_status": f.added_by_status,
            "metacritic": core.metacritic or None,
            "suggestions_count": f.suggestions_count,
            "updated": f.updated,
            "id": f.gid,
            # RAWG only computes a relevance score for searches
            "score": f.score if with_score else None,
            "clip": None,
            "tags": [self.tags[t] for t in f.tag_indexes],
            "esrb_rating": self.esrb_slim[f.esrb] if f.esrb >= 0 else None,
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "short_screenshots": f.screenshots,
            "parent_platforms": self.parents(core.platform_mask),
            "genres": [self.genre_slim[bit] for bit in _bits(core.genre_mask)],
        }
        if with_score:
            item["community_rating"] = f.community_rating
        return item

    def detail(
        self, f: _Facts, rng: Random, developers: list[Json], publishers: list[Json]
    ) -> Json:
        core = f.core
        description = _draw_description(rng, core.name, developers[0]["name"])
        platform_bits = _bits(core.platform_mask)
        return {
            "id": f.gid,
            "slug": f.slug,
            "name": core.name,
            "name_original": core.name,
            "description": "".join(f"<p>{p}</p>\n" for p in description).rstrip("\n"),
            "metacritic": core.metacritic or None,
            "metacritic_platforms": self._metacritic_platforms(rng, f, platform_bits),
            "released": f.released,
            "tba": core.tba,
            "updated": f.updated,
            "background_image": f.background_image,
            "background_image_additional": _media_url(rng, "screenshots")
            if f.background_image
            else None,
            "website": f"https://www.{f.slug[:40].strip('-')}.example.com/"
            if rng.random() < 0.6
            else "",
            "rating": core.rating / 100 if core.rating else 0,
            "rating_top": f.ratings[0]["id"] if f.ratings else 0,
            "ratings": f.ratings,
            "reactions": {
                str(r): rng.randrange(1, 40)
                for r in sorted(rng.sample(range(1, 22), rng.randrange(0, 12)))
            },
            "added": core.added,
            "added_by_status": f.added_by_status,
            "playtime": f.playtime,
            "screenshots_count": max(0, len(f.screenshots) - 1),
            "movies_count": rng.choice((0, 0, 0, 1, 2, 5)),
            "creators_count": rng.randrange(0, 12),
            "achievements_count": rng.choice((0, 0, rng.randrange(1, 600))),
            "parent_achievements_count": rng.randrange(0, 80),
            "reddit_url": "",
            "reddit_name": "",
            "reddit_description": "",
            "reddit_logo": "",
            "reddit_count": 0,
            "twitch_count": rng.randrange(0, 120),
            "youtube_count": rng.randrange(0, 1_000_001),
            "reviews_text_count": f.reviews_text_count,
            "ratings_count": f.ratings_count,
            "suggestions_count": f.suggestions_count,
            "alternative_names": _draw_alternative_names(rng, core.name),
            "metacritic_url": "",
            "parents_count": rng.choice((0, 0, 0, 1)),
            "additions_count": rng.choice((0, 0, 1, 3)),
            "game_series_count": rng.choice((0, 0, 2, 5)),
            "user_game": None,
            "reviews_count": f.reviews_count,
            "saturated_color": "0f0f0f",
            "dominant_color": "0f0f0f",
            "parent_platforms": self.parents(core.platform_mask),
            "platforms": [
                {
                    "platform": self.platform_full[bit],
                    "released_at": f.released,
                    "requirements": (f.pc_requirements or {}) if bit == 0 else {},
                }
                for bit in platform_bits
            ],
            "stores": [
                {"id": link, "url": "", "store": self.store_full[s]} for link, s in f.store_links
            ],
            "developers": developers,
            "genres": [self.genre_full[bit] for bit in _bits(core.genre_mask)],
            "tags": [self.tags[t] for t in f.tag_indexes],
            "publishers": publishers,
            "esrb_rating": self.esrb_full[f.esrb] if f.esrb >= 0 else None,
            "clip": None,
            "description_raw": "\n".join(description),
        }

    def _metacritic_platforms(self, rng: Random, f: _Facts, bits: Sequence[int]) -> list[Json]:
        if not f.core.metacritic:
            return []
        return [
            {
                "metascore": max(1, min(100, f.core.metacritic + rng.randrange(-6, 7))),
                "url": f"https://www.metacritic.com/game/{PLATFORMS[bit][2]}/{f.slug}",
                "platform": {
                    "platform": PLATFORMS[bit][0],
                    "name": PLATFORMS[bit][1],
                    "slug": PLATFORMS[bit][2],
                },
            }
            for bit in bits
            if rng.random() < 0.6
        ]


def _draw_description(rng: Random, name: str, developer: str) -> list[str]:
    genre_word = rng.choice(
        ("an adventure", "a roguelike", "a puzzle game", "a shooter", "a strategy game")
    )
    sentences = [
        f"{name} is {genre_word} by {developer}.",
        rng.choice(
            (
                "Explore a world that changes with every choice you make.",
                "Build, fight and survive together with friends or alone.",
                "A hand-crafted story told over dozens of levels.",
                "Master a deep combat system and face relentless bosses.",
            )
        ),
        rng.choice(("Key features include a dynamic soundtrack.", "Supports local co-op.", "")),
    ]
    return [s for s in sentences if s]


def _draw_alternative_names(rng: Random, name: str) -> list[str]:
    initials = "".join(w[0] for w in name.split() if w[:1].isalnum()).upper()
    return [initials] if len(initials) > 1 and rng.random() < 0.3 else []


class _Studios:
    """Developers or publishers: ids and links are fixed at build, the rest is rendered."""

    def __init__(
        self, rng: Random, kind: str, count: int, games: int, slot_weights: Sequence[int]
    ) -> None:
        self._kind = kind
        self._ids = _sparse_ids(rng, count)
        self.links = _Affinity(rng, count, games, slot_weights)
        self._salt = rng.getrandbits(32)

    @property
    def count(self) -> int:
        return len(self._ids)

    def _name(self, index: int) -> tuple[str, str]:
        rng = Random(self._salt * 1_000_003 + self._ids[index])
        if rng.random() < 0.1:
            base = rng.choice(_UNICODE_WORDS)
        else:
            base = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        name = f"{base} {rng.choice(_STUDIO_SUFFIXES)}"
        return name, slugify(name)

    def summary(self, index: int) -> Json:
        """The studio as embedded in a game detail."""
        name, slug = self._name(index)
        return {
            "id": self._ids[index],
            "name": name,
            "slug": slug,
            "games_count": len(self.links.games_of(index)),
            "image_background": _stable_media_url(f"{self._salt}:{self._kind}:{self._ids[index]}"),
        }
