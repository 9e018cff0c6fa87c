"""Every text the field app shows comes from a catalogue, one JSON file a language; a key
missing in any language, or an answer of the API without its words, fails here."""

from __future__ import annotations

import json
import re
from enum import StrEnum

import pytest

from api.field_app import PACKAGE_FILES
from models.cases.tables import Status, SupportCategory
from models.followup.tables import (
    Contact,
    Housing,
    Livelihood,
    Method,
    PaymentStatus,
    Recipient,
    Risk,
)

CATALOGUES = PACKAGE_FILES / "i18n"
LANGUAGES = json.loads((CATALOGUES / "languages.json").read_text())
ENGLISH = json.loads((CATALOGUES / "en.json").read_text())
SOURCES = sorted((PACKAGE_FILES / "js").rglob("*.js"))

#: The API's answers the app offers and shows, by the name of their catalogue keys.
ANSWERS: dict[str, type[StrEnum]] = {
    "contact": Contact,
    "housing": Housing,
    "livelihood": Livelihood,
    "retrafficking_risk": Risk,
    "recipient": Recipient,
    "method": Method,
    "category": SupportCategory,
    "payment_status": PaymentStatus,
    "case_status": Status,
}
#: Kinds of task the tracker sends: each needs its own words.
TASK_KINDS = ["monthly_report", "outcome_correction"]
#: A string literal in the code that names a catalogue key.
NAMESPACES = "|".join(sorted({key.split(".")[0] for key in ENGLISH}))
KEY = re.compile(rf"""["'`]((?:{NAMESPACES})\.[a-z0-9_.]+)["'`]""")


def catalogue(language: str) -> dict:
    return json.loads((CATALOGUES / f"{language}.json").read_text())


def placeholders(text: str | dict) -> set[str]:
    texts = text.values() if isinstance(text, dict) else [text]
    return {name for value in texts for name in re.findall(r"\{(\w+)\}", value)}


def test_english_french_and_thai_at_least():
    assert {"en", "fr", "th"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_language_has_every_text_with_the_same_placeholders(language):
    texts = catalogue(language)
    assert sorted(set(ENGLISH) - set(texts)) == [], f"missing in {language}"
    assert sorted(set(texts) - set(ENGLISH)) == [], f"unknown in {language}"
    for key, english in ENGLISH.items():
        assert placeholders(texts[key]) == placeholders(english), key
        if isinstance(texts[key], dict):
            assert "other" in texts[key], f"{key} in {language} needs its 'other' plural form"


def test_every_key_the_code_names_is_in_the_catalogue():
    named = {key for source in SOURCES for key in KEY.findall(source.read_text())}
    assert named, "no key found: the pattern no longer matches the code"
    assert sorted(named - set(ENGLISH)) == []


def test_every_answer_of_the_api_is_offered_and_has_its_words():
    choices = (PACKAGE_FILES / "js" / "choices.js").read_text()
    for name, answers in ANSWERS.items():
        offered = re.search(rf"{name}: \[([^\]]*)\]", choices)
        assert offered, f"choices.js does not offer {name}"
        assert re.findall(r'"(\w+)"', offered.group(1)) == [a.value for a in answers]
        for answer in answers:
            assert f"answer.{name}.{answer.value}" in ENGLISH
    for wellbeing in range(1, 6):
        assert f"answer.wellbeing.{wellbeing}" in ENGLISH
    for kind in TASK_KINDS:
        assert f"task.kind.{kind}" in ENGLISH


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_people_followed_are_returnees_never_victims(language):
    words = json.dumps(catalogue(language), ensure_ascii=False).lower()
    for victim in ("victim", "victime", "เหยื่อ"):
        assert victim not in words
