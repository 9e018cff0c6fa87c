"""The reintegration score: how a month's report maps to an economic, a social and a
psychosocial score between 0 and 1, and to their composite.

The three dimensions follow IOM's Reintegration Sustainability Survey; the mapping and the
weights are the tracker's own, in one versioned data file of this package (``score_v1.json``).
This is not IOM's official RSS scoring."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from models.errors import ConfigurationError
from models.followup.tables import Housing, Livelihood, Risk

#: The file the tracker scores with now; a new mapping is a new file and a new version.
CURRENT_FILE = "score_v1.json"

DIMENSIONS = ("economic", "social", "psychosocial")

_YES_NO = frozenset({"true", "false"})

#: Each report field that may be scored, and the values a mapping may name for it.
SCORABLE: dict[str, frozenset[str]] = {
    "livelihood": frozenset(Livelihood),
    "housing": frozenset(Housing),
    "children_in_school": _YES_NO,
    "wellbeing": frozenset(str(n) for n in range(1, 6)),
    "safety_concern": _YES_NO,
    "retrafficking_risk": frozenset(Risk),
}


def key_of(value: Any) -> str | None:
    """A report field's value as the mapping names it: ``True`` → ``"true"``, ``4`` → ``"4"``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Mean of the values weighted by their weights; None when there is no value at all."""
    total = sum(weight for weight, _ in pairs)
    return sum(weight * value for weight, value in pairs) / total if pairs else None


@dataclass(frozen=True)
class Score:
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None

    def rounded(self, digits: int = 3) -> Score:
        return Score(
            *(None if v is None else round(v, digits) for v in self.as_tuple()),
        )

    def as_tuple(self) -> tuple[float | None, ...]:
        return (self.economic, self.social, self.psychosocial, self.composite)


@dataclass(frozen=True)
class Indicator:
    weight: float
    scores: Mapping[str, float]


@dataclass(frozen=True)
class Dimension:
    weight: float
    indicators: Mapping[str, Indicator]

    def score(self, values: Mapping[str, Any]) -> float | None:
        """Weighted mean of the indicators this month's report gives a scored value for;
        a value the mapping does not name (``unknown``, or no answer) is left out."""
        pairs = []
        for field, indicator in self.indicators.items():
            key = key_of(values.get(field))
            if key is not None and key in indicator.scores:
                pairs.append((indicator.weight, indicator.scores[key]))
        return _weighted_mean(pairs)


@dataclass(frozen=True)
class ScoringModel:
    version: str
    title: str
    dimensions: Mapping[str, Dimension]

    @property
    def fields(self) -> tuple[str, ...]:
        """The report fields the score reads."""
        return tuple(f for d in self.dimensions.values() for f in d.indicators)

    def score(self, values: Mapping[str, Any]) -> Score:
        """The scores of one month's report (unrounded); the composite is the weighted mean
        of the dimensions that have a score."""
        by_dimension = {name: self.dimensions[name].score(values) for name in DIMENSIONS}
        composite = _weighted_mean(
            [
                (self.dimensions[name].weight, value)
                for name, value in by_dimension.items()
                if value is not None
            ]
        )
        return Score(**by_dimension, composite=composite)


def _positive(number: Any, where: str) -> float:
    if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
        raise ConfigurationError(f"{where}: a weight must be a number above 0")
    return float(number)


def parse(document: Mapping[str, Any], *, source: str) -> ScoringModel:
    """Check a mapping document and make a model of it; anything odd stops the tracker."""
    try:
        dimensions = document["dimensions"]
        if set(dimensions) != set(DIMENSIONS):
            raise ConfigurationError(f"{source}: the dimensions must be {', '.join(DIMENSIONS)}")
        parsed: dict[str, Dimension] = {}
        for name in DIMENSIONS:
            indicators: dict[str, Indicator] = {}
            for field, spec in dimensions[name]["indicators"].items():
                where = f"{source}: {name}.{field}"
                if field not in SCORABLE:
                    raise ConfigurationError(f"{where}: not a report field that can be scored")
                scores = {str(k): v for k, v in spec["scores"].items()}
                unknown = set(scores) - SCORABLE[field]
                if unknown:
                    raise ConfigurationError(f"{where}: no such value {sorted(unknown)}")
                if not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
                    for v in scores.values()
                ):
                    raise ConfigurationError(f"{where}: each score must be between 0 and 1")
                indicators[field] = Indicator(
                    weight=_positive(spec["weight"], where),
                    scores={k: float(v) for k, v in scores.items()},
                )
            if not indicators:
                raise ConfigurationError(f"{source}: {name} needs at least one indicator")
            parsed[name] = Dimension(
                weight=_positive(dimensions[name]["weight"], f"{source}: {name}"),
                indicators=indicators,
            )
        fields = [f for d in parsed.values() for f in d.indicators]
        if len(fields) != len(set(fields)):
            raise ConfigurationError(f"{source}: a report field is scored in two dimensions")
        return ScoringModel(
            version=str(document["version"]), title=str(document["title"]), dimensions=parsed
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ConfigurationError(f"{source}: malformed score mapping ({error})") from None


@functools.cache
def load(file_name: str = CURRENT_FILE) -> ScoringModel:
    text = resources.files("models.outcomes").joinpath(file_name).read_text(encoding="utf-8")
    return parse(json.loads(text), source=file_name)


def current() -> ScoringModel:
    """The model every report is scored with now."""
    return load(CURRENT_FILE)
