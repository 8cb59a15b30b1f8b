"""Names, slugs and media URLs: the text a synthetic catalog is made of.

Game names are built word by word from ``reference``'s word lists, each word with its slug
precomputed, which costs far less than slugifying every name. Data shapes: RAWG (rawg.io).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from random import Random
from typing import TypeVar

from rawg_simulator.distributions import NAME_FORM_CUTS, UNICODE_NAME_SHARE
from rawg_simulator.reference import (
    ADJECTIVES,
    EDITIONS,
    EMOJI,
    NOUNS,
    PLACES,
    SEQUELS,
    STUDIO_SUFFIXES,
    UNICODE_WORDS,
)

_T = TypeVar("_T")
MEDIA = "https://media.rawg.io/media"
MAX_NAME_LEN = 97  # RAWG has plenty of near-limit names (the search sample has 97-char ones)
_TRANSLITERATE = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ł": "l", "Ł": "l", "ß": "ss", "œ": "oe"}
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ASCII slug the way RAWG builds them; names without latin letters fall back to 'game'."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode().lower().replace("'", "").replace("’", "")
    return _NON_SLUG.sub("-", text).strip("-") or "game"


def with_slugs(words: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Each word with its slug."""
    return tuple((word, slugify(word)) for word in words)


ADJECTIVE_SLUGS = with_slugs(ADJECTIVES)
NOUN_SLUGS = with_slugs(NOUNS)
PLACE_SLUGS = with_slugs(PLACES)
SEQUEL_SLUGS = with_slugs(SEQUELS)
UNICODE_SLUGS = with_slugs(UNICODE_WORDS)
EDITION_SLUGS = with_slugs(EDITIONS)


def pick(r: Callable[[], float], options: Sequence[_T]) -> _T:
    """One of ``options`` for one uniform draw."""
    return options[int(r() * len(options))]


def draw_name(r: Callable[[], float]) -> tuple[str, str]:
    """A game name and its base slug, in one of the forms of ``NAME_FORM_CUTS``."""
    (adjective, adj_slug), (noun, noun_slug) = pick(r, ADJECTIVE_SLUGS), pick(r, NOUN_SLUGS)
    form = r()
    plain, of_place, with_the, sequel = NAME_FORM_CUTS
    if form < plain:
        return _decorate_name(r, f"{adjective} {noun}", f"{adj_slug}-{noun_slug}")
    if form < of_place:
        place, place_slug = pick(r, PLACE_SLUGS)
        return _decorate_name(r, f"{noun} of {place}", f"{noun_slug}-of-{place_slug}")
    if form < with_the:
        return _decorate_name(r, f"The {adjective} {noun}", f"the-{adj_slug}-{noun_slug}")
    if form < sequel:
        number, number_slug = pick(r, SEQUEL_SLUGS)
        return _decorate_name(
            r, f"{adjective} {noun} {number}", f"{adj_slug}-{noun_slug}-{number_slug}"
        )
    (second, second_slug), (third, third_slug) = pick(r, NOUN_SLUGS), pick(r, NOUN_SLUGS)
    return _decorate_name(
        r,
        f"{noun} {second}: {adjective} {third}",
        f"{noun_slug}-{second_slug}-{adj_slug}-{third_slug}",
    )


def _decorate_name(r: Callable[[], float], name: str, slug: str) -> tuple[str, str]:
    """Rare shapes real names have: a non-ASCII word, an emoji, an edition, near-limit length."""
    roll = r()
    if roll < UNICODE_NAME_SHARE:
        word, word_slug = pick(r, UNICODE_SLUGS)
        return f"{word} {name}", f"{word_slug}-{slug}" if word_slug else slug
    if roll < 0.10:
        return f"{name} {pick(r, EMOJI)}", slug
    if roll < 0.13:
        edition, edition_slug = pick(r, EDITION_SLUGS)
        return f"{name} - {edition}", f"{slug}-{edition_slug}"
    if roll < 0.15:
        extra = " ".join(f"{pick(r, ADJECTIVES)} {pick(r, NOUNS)}" for _ in range(6))
        name = f"{name}: The {extra}"[: MAX_NAME_LEN + 1].rsplit(" ", 1)[0].rstrip(":")
        return name, slugify(name)
    return name, slug


def studio_name(rng: Random) -> tuple[str, str]:
    """A developer's or publisher's name and slug."""
    if rng.random() < 0.1:
        base = rng.choice(UNICODE_WORDS)
    else:
        base = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    name = f"{base} {rng.choice(STUDIO_SUFFIXES)}"
    return name, slugify(name)


def media_url(rng: Random, folder: str) -> str:
    """A media URL shaped like RAWG's (a 32-character digest) drawn from ``rng``."""
    digest = f"{rng.getrandbits(128):032x}"
    return f"{MEDIA}/{folder}/{digest[:3]}/{digest}.jpg"


def stable_media_url(key: str) -> str:
    """The image of a reference entity, the same for the same ``key``."""
    return media_url(Random(key), "games")
