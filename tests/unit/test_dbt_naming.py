"""Every dbt model is named as its layer's convention says (docs/development.md, "Conventions"):
staging `stg_rawg__<entity>s`, intermediate `int_<entity>s_<verb>ed`, marts `dim_`, `fct_`,
`agg_` or `mart_`. Read from the model files, so a new or renamed model cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

MODELS = Path(__file__).resolve().parents[2] / "transforms" / "models"
PATTERNS = {
    "staging": re.compile(r"stg_rawg__[a-z0-9_]+s"),
    "intermediate": re.compile(r"int_[a-z0-9_]+s_[a-z]+ed"),
    "marts": re.compile(r"(dim|fct|agg|mart)_[a-z0-9_]+"),
}


def model_names(layer: str) -> list[str]:
    return sorted(path.stem for path in (MODELS / layer).glob("*.sql"))


def test_the_models_live_in_the_three_layers_only() -> None:
    folders = {path.name for path in MODELS.iterdir() if path.is_dir()}
    assert folders == set(PATTERNS)
    loose = [path.name for path in MODELS.rglob("*.sql") if path.parent.name not in PATTERNS]
    assert loose == []


@pytest.mark.parametrize("layer", sorted(PATTERNS))
def test_every_model_is_named_as_its_layer_says(layer: str) -> None:
    names = model_names(layer)
    assert names, f"no models found in {MODELS / layer}"
    off = [name for name in names if not PATTERNS[layer].fullmatch(name)]
    assert off == [], f"{layer} models off the pattern {PATTERNS[layer].pattern}: {off}"


@pytest.mark.parametrize("layer", sorted(PATTERNS))
def test_every_documented_model_has_its_file_in_the_same_layer(layer: str) -> None:
    # A rename that leaves its yml behind documents and tests a model that is not built.
    documented = {
        model["name"]
        for path in (MODELS / layer).glob("*.yml")
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", [])
    }
    assert documented, f"no models documented in {MODELS / layer}"
    assert sorted(documented - set(model_names(layer))) == []


@pytest.mark.parametrize(
    ("layer", "name"),
    [
        ("staging", "stg_games"),
        ("staging", "stg_rawg__game"),
        ("intermediate", "int_games__latest"),
        ("intermediate", "int_report__chart_months"),
        ("marts", "bridge_game_genres"),
        ("marts", "report_releases"),
    ],
)
def test_the_patterns_refuse_the_names_off_the_convention(layer: str, name: str) -> None:
    assert not PATTERNS[layer].fullmatch(name)
