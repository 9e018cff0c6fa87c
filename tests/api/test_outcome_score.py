"""The reintegration score: the mapping file shipped in the package, and the formula."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from models.errors import ConfigurationError
from models.outcomes import scoring
from tests.api.test_outcomes import BAD, GOOD, MIDDLING, UNKNOWN


def shipped() -> dict:
    text = resources.files("models.outcomes").joinpath(scoring.CURRENT_FILE).read_text()
    return json.loads(text)


def test_the_shipped_mapping_is_version_1_over_three_dimensions():
    model = scoring.current()
    assert model.version == "1"
    assert tuple(model.dimensions) == ("economic", "social", "psychosocial")
    assert set(model.fields) == set(scoring.SCORABLE)
    assert "not IOM's official RSS" in shipped()["about"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (GOOD, (1.0, 1.0, 1.0, 1.0)),
        (MIDDLING, (0.5, 0.333, 0.625, 0.486)),
        (BAD, (0.0, 0.0, 0.0, 0.0)),
        (UNKNOWN, (None, None, None, None)),
        # only some answers: the dimensions without one are left out of the composite
        (
            {"livelihood": "own_business", "housing": "unknown", "wellbeing": 4},
            (1.0, None, 0.75, 0.875),
        ),
        # social from housing alone when there are no children: (2·0.5)/2
        ({"housing": "temporary", "children_in_school": None}, (None, 0.5, None, 0.5)),
    ],
)
def test_the_score_of_a_month_by_hand(answers, expected):
    assert scoring.current().score(answers).rounded().as_tuple() == expected


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["dimensions"].pop("social"), "dimensions"),
        (
            lambda d: d["dimensions"]["economic"]["indicators"]["livelihood"]["scores"].update(
                rich=1
            ),
            "no such value",
        ),
        (
            lambda d: d["dimensions"]["social"]["indicators"]["housing"]["scores"].update(stable=2),
            "between 0 and 1",
        ),
        (lambda d: d["dimensions"]["social"].update(weight=0), "weight"),
        (
            lambda d: d["dimensions"]["social"]["indicators"].update(
                needs={"weight": 1, "scores": {}}
            ),
            "not a report field",
        ),
        (
            lambda d: d["dimensions"]["economic"]["indicators"].update(
                housing={"weight": 1, "scores": {"stable": 1}}
            ),
            "two dimensions",
        ),
        (lambda d: d.pop("version"), "malformed"),
    ],
)
def test_a_broken_mapping_stops_the_tracker(change, complaint):
    document = copy.deepcopy(shipped())
    change(document)
    with pytest.raises(ConfigurationError, match=complaint):
        scoring.parse(document, source="score_test.json")
