"""The anonymity check of story texts: a pure function, tested on a table of tricky texts."""

import uuid
from datetime import date

import pytest

from models.stories.anonymity import MESSAGES, Identifiers, findings

CASE_ID = uuid.UUID("3f2a9c1b-7d4e-4a8b-9c0d-1e2f3a4b5c6d")

PERSON = Identifiers(
    given_name="Adaeze Blessing",
    family_name="Okafor-Eze",
    representative_name="Margrethe Sørensen",
    phone="+234 801 234 5678",
    date_of_birth=date(1999, 4, 2),
    reference="DK-2026-0042",
    case_id=CASE_ID,
)


def found(text: str, person: Identifiers = PERSON) -> list[str]:
    return [finding.fact for finding in findings(text, person)]


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # Names: case, diacritics on either side, each part of a multi-part name, whole words.
        ("ADÁEZE opened a tailoring shop.", ["given_name"]),
        ("Adáeze opened a tailoring shop.", ["given_name"]),
        ("adaeze opened a tailoring shop.", ["given_name"]),
        ("She was known as Blessing at school.", ["given_name"]),
        ("The Okafor family took her in.", ["family_name"]),
        ("Mrs. EZE sells uniforms.", ["family_name"]),
        ("OkaforEze is written as one word here.", ["family_name"]),
        ("Adaeze's shop is busy.", ["given_name"]),
        ("Okafors butik går godt.", ["family_name"]),  # Danish genitive
        ("Her custodian, margrethe sorensen, visited.", ["representative_name"]),
        ("Sørensen helped with the papers.", ["representative_name"]),
        ("Adaeze Okafor-Eze, born 2 April 1999", ["given_name", "family_name", "date_of_birth"]),
        # Whole words only: a name inside a longer word is not the name.
        ("The eczema cleared up; the ezekiel bakery hired her.", []),
        ("Blessings flow", ["given_name"]),  # plural or genitive s: still the name
        # Phone: digits only, any formatting, and the last seven digits.
        ("Call +234 801 234 5678 for details.", ["phone"]),
        ("Call 0801-234-5678.", ["phone"]),
        ("Call (0)801.234.5678.", ["phone"]),
        ("WhatsApp: 2345678", ["phone"]),
        ("+2348012345678", ["phone"]),
        ("She saved 234 567 naira.", []),
        # Date of birth, in the forms people write it.
        ("Born 1999-04-02 in Benin City.", ["date_of_birth"]),
        ("Born 02/04/1999.", ["date_of_birth"]),
        ("Born 04/02/1999.", ["date_of_birth"]),  # month first
        ("Born 2.4.1999.", ["date_of_birth"]),
        ("Born 02-04-99.", ["date_of_birth"]),
        ("Born 2 April 1999.", ["date_of_birth"]),
        ("Born April 2, 1999.", ["date_of_birth"]),
        ("Born on the 2nd of April 1999.", ["date_of_birth"]),
        ("Født 2. april 1999.", ["date_of_birth"]),
        ("Née le 2 avril 1999.", ["date_of_birth"]),
        ("Born 2 Apr '99.", ["date_of_birth"]),
        ("CPR 020499-1234", ["date_of_birth"]),
        ("Born 19990402.", ["date_of_birth"]),
        ("1999年4月2日生まれ", ["date_of_birth"]),
        ("Born 3 April 1999.", []),
        ("She was born in 1999 and returned in April.", []),
        ("The shop opened on 2 April 2024.", []),
        # The case's reference and id.
        ("See case DK-2026-0042.", ["reference"]),
        ("See case dk 2026 42.", ["reference"]),
        ("See case 2026-0042.", ["reference"]),
        ("See case DK-2026-0043.", []),
        (f"Case {CASE_ID}.", ["case_id"]),
        (f"Case {CASE_ID.hex.upper()}.", ["case_id"]),
        ("Case 3f2a9c1b.", ["case_id"]),
        ("Case 3f2a9c.", []),  # too short to be the id
        # A clean story.
        (
            "After she came home she opened a tailoring shop with support for rent and "
            "school fees. In 2026 she hired two apprentices.",
            [],
        ),
    ],
)
def test_the_check_finds_what_identifies_the_person(text: str, facts: list[str]):
    assert found(text) == facts


def test_short_name_parts_are_found_only_with_the_whole_name():
    person = Identifiers(given_name="Li", family_name="Na")
    assert found("Li went home; Na is a common syllable.", person) == []
    assert found("Li Na went home.", person) == ["given_name", "family_name"]
    assert found("NA LI went home.", person) == ["given_name", "family_name"]


def test_a_short_part_of_a_longer_name_is_not_matched_alone():
    person = Identifiers(family_name="N'Diaye")
    assert found("N is a letter.", person) == []
    assert found("Mr. Ndiaye and Mrs. Diaye", person) == ["family_name"]


def test_names_in_a_script_without_spaces_are_found_inside_words():
    person = Identifiers(given_name="สมศรี")
    assert found("วันนี้สมศรีเปิดร้าน", person) == ["given_name"]


def test_digits_of_other_scripts_count_as_digits():
    person = Identifiers(phone="+66 81 234 5678")
    assert found("โทร ๐๘๑ ๒๓๔ ๕๖๗๘", person) == ["phone"]


def test_unknown_facts_are_not_looked_for():
    assert found("Adaeze Okafor, 2 April 1999, 0801 234 5678", Identifiers()) == []


def test_a_phone_of_few_digits_must_appear_whole():
    person = Identifiers(phone="4567")
    assert found("Room 4567", person) == ["phone"]
    assert found("Room 45678", person) == []


def test_findings_name_the_identifier_never_its_value():
    messages = [finding.message for finding in findings("Adaeze Okafor 2345678", PERSON)]
    assert messages == [MESSAGES["given_name"], MESSAGES["family_name"], MESSAGES["phone"]]
    assert all("adaeze" not in m.lower() and "okafor" not in m.lower() for m in messages)
