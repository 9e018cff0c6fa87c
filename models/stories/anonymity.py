"""Does a story point at its person? A pure check of a text against what identifies them.

Compared are the person's given and family names, the representative's name, the phone
number, the date of birth, and the case's reference and id. Names are compared word by
word after case folding and removing diacritics on both sides ("ADÁEZE" is "Adaeze"),
part by part for names of several parts; a part shorter than ``MIN_NAME_PART`` letters is
only found together with the rest of its name, since alone it is too often an ordinary
word. A finding names what was found, never the value; a refused story is told less still
(see ``drafting``).

The check errs on the side of the person: an ordinary word that happens to be their name
("Blessing", "Hope") is found too, and the centre rephrases.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

#: Name parts shorter than this are found only as part of the whole name ("Li Na").
MIN_NAME_PART = 3
#: A number in the text that ends with (or contains) this many of the phone's last digits
#: is the phone number, however it is written.
PHONE_TAIL = 7
#: A run of this many hex digits of the case id is the id (people quote ids shortened).
CASE_ID_PREFIX = 8

MESSAGES = {
    "given_name": "contains the person's given name",
    "family_name": "contains the person's family name",
    "representative_name": "contains the representative's name",
    "phone": "contains the person's phone number",
    "date_of_birth": "contains the person's date of birth",
    "reference": "contains the case reference",
    "case_id": "contains the case id",
}


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person of a case; any of it may be unknown."""

    given_name: str | None = None
    family_name: str | None = None
    representative_name: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    reference: str | None = None
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Finding:
    #: Which identifier was found: a field of ``Identifiers``.
    fact: str
    message: str


def findings(text: str, facts: Identifiers) -> list[Finding]:
    """Every identifier of ``facts`` that ``text`` contains, in the order of ``MESSAGES``."""
    folded = fold(text)
    words = _words(folded)
    found = {
        "given_name": _has_name(words, folded, facts.given_name),
        "family_name": _has_name(words, folded, facts.family_name),
        "representative_name": _has_name(words, folded, facts.representative_name),
        "phone": _has_phone(folded, facts.phone),
        "date_of_birth": _has_date(folded, facts.date_of_birth),
        "reference": _has_reference(folded, facts.reference),
        "case_id": _has_case_id(folded, facts.case_id),
    }
    # A name whose parts are all short ("Li", "Na") is found as the whole name, in
    # either order: given name then family name, or family name first.
    if not (found["given_name"] and found["family_name"]):
        whole = _name_parts(facts.given_name), _name_parts(facts.family_name)
        if all(whole) and (
            _has_sequence(words, whole[0] + whole[1]) or _has_sequence(words, whole[1] + whole[0])
        ):
            found["given_name"] = found["family_name"] = True
    return [Finding(fact, MESSAGES[fact]) for fact, hit in found.items() if hit]


# --- Folding ------------------------------------------------------------------------------

#: Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower case, without diacritics, with every decimal digit as an ASCII digit."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isdecimal() and not char.isascii():
            char = str(unicodedata.decimal(char))
        kept.append(char)
    return "".join(kept).translate(_UNDECOMPOSED)


# --- Names --------------------------------------------------------------------------------

#: Scripts written without spaces between words: a name there is found inside a longer run.
_UNSPACED = ("THAI", "LAO", "KHMER", "MYANMAR", "CJK", "HIRAGANA", "KATAKANA")


def _words(folded: str) -> list[str]:
    """Runs of letters and their marks (Thai vowels are marks, not letters)."""
    words: list[str] = []
    current: list[str] = []
    for char in folded + " ":
        if unicodedata.category(char)[0] in "LM":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    return words


def _name_parts(name: str | None) -> list[str]:
    return _words(fold(name)) if name else []


def _unspaced(part: str) -> bool:
    return any(unicodedata.name(char, "").startswith(_UNSPACED) for char in part)


def _has_sequence(words: list[str], parts: list[str]) -> bool:
    size = len(parts)
    return any(words[start : start + size] == parts for start in range(len(words) - size + 1))


def _has_name(words: list[str], folded: str, name: str | None) -> bool:
    parts = _name_parts(name)
    if not parts:
        return False
    # A genitive or plural "s" still names the person: "Okafors butik" (Danish).
    vocabulary = set(words)
    for part in parts:
        if len(part) < MIN_NAME_PART:
            continue
        if _unspaced(part):
            if part in folded:
                return True
        elif part in vocabulary or part + "s" in vocabulary:
            return True
    # The whole name, also when each of its parts is short, or written as one word.
    return len(parts) > 1 and (_has_sequence(words, parts) or "".join(parts) in vocabulary)


# --- Phone --------------------------------------------------------------------------------

#: Digits with the separators people write phone numbers with: "+234 (0)801-234.5678".
_NUMBER = re.compile(r"\d(?:[\s().\-/]*\d)*")


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _has_phone(folded: str, phone: str | None) -> bool:
    wanted = _digits(fold(phone)) if phone else ""
    if len(wanted) < 4:
        return False
    numbers = [_digits(match) for match in _NUMBER.findall(folded)]
    if len(wanted) >= PHONE_TAIL:
        tail = wanted[-PHONE_TAIL:]
        return any(tail in number for number in numbers)
    return wanted in numbers


# --- Dates --------------------------------------------------------------------------------

#: Month names (folded) of the languages stories are likely written or quoted in.
_MONTH_NAMES = {
    1: "january jan januar janvier janeiro enero gennaio",
    2: "february feb februar fevrier fevereiro febrero febbraio",
    3: "march mar marts mars marz marco marzo",
    4: "april apr avril abril aprile",
    5: "may maj mai maio mayo maggio",
    6: "june jun juni juin junho junio giugno",
    7: "july jul juli juillet julho julio luglio",
    8: "august aug aout agosto",
    9: "september sep sept septembre setembro septiembre setiembre settembre",
    10: "october oct oktober okt octobre outubro octubre ottobre",
    11: "november nov novembre novembro noviembre",
    12: "december dec dezember decembre dezembro diciembre dicembre",
}
_MONTHS = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_DAY = r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th|er|e|o|\.)?"
_YEAR = r"'?(?P<year>\d{4}|\d{2})(?!\d)"
_SEP = r"\s*[-./]\s*"

_WRITTEN_DATES = [
    # 2 April 1999, 2nd of April 1999, 2. april 1999, 2 de abril de 1999, 02-Apr-99
    re.compile(
        _DAY + r"\s*(?:of\s+|de\s+|[-/]\s*)?" + _MONTH + r"\s*(?:de\s+|del\s+|[,./-]\s*)?" + _YEAR
    ),
    # April 2, 1999; Apr 2nd 1999
    re.compile(r"(?<![^\W\d_])" + _MONTH + r"\s*" + _DAY + r"\s*,?\s*" + _YEAR),
    # 1999 April 2
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*,?\s*" + _MONTH + r"\s*(?P<day>\d{1,2})(?!\d)"),
    # 1999年4月2日
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"),
]
#: Three numbers with separators, read in every order people write dates in. Matched at
#: every position (lookahead) so that a date is found inside a longer chain of numbers.
_NUMERIC_DATE = re.compile(
    r"(?=(?<!\d)(\d{1,4})" + _SEP + r"(\d{1,2})" + _SEP + r"(\d{1,4})(?!\d))"
)
_DIGIT_RUN = re.compile(r"\d+")


def _year_is(written: str, year: int) -> bool:
    if len(written) == 4:
        return int(written) == year
    return len(written) == 2 and int(written) == year % 100


def _numeric_readings(first: str, second: str, third: str) -> Iterator[tuple[str, int, int]]:
    """(year, month, day) for each way the three numbers can be read as a date."""
    if len(first) == 4:
        yield first, int(second), int(third)
    if len(third) in (2, 4):
        yield third, int(second), int(first)  # day first: 02/04/1999
        yield third, int(first), int(second)  # month first: 04/02/1999


def _compact_forms(born: date) -> tuple[set[str], set[str]]:
    """Dates written without separators: eight digits, and six (a Danish CPR number
    starts with the date of birth as DDMMYY)."""
    y, m, d, yy = born.year, born.month, born.day, born.year % 100
    eight = {f"{y:04}{m:02}{d:02}", f"{d:02}{m:02}{y:04}", f"{m:02}{d:02}{y:04}"}
    six = {f"{d:02}{m:02}{yy:02}", f"{m:02}{d:02}{yy:02}", f"{yy:02}{m:02}{d:02}"}
    return eight, six


def _has_date(folded: str, born: date | None) -> bool:
    if born is None:
        return False
    for pattern in _WRITTEN_DATES:
        for match in pattern.finditer(folded):
            month = match["month"]
            month_number = int(month) if month.isdigit() else _MONTHS[month]
            if (
                _year_is(match["year"], born.year)
                and month_number == born.month
                and int(match["day"]) == born.day
            ):
                return True
    for match in _NUMERIC_DATE.finditer(folded):
        for year, month, day in _numeric_readings(*match.groups()):
            if _year_is(year, born.year) and (month, day) == (born.month, born.day):
                return True
    eight, six = _compact_forms(born)
    for run in _DIGIT_RUN.findall(folded):
        if (len(run) == 8 and run in eight) or (len(run) in (6, 10) and run[:6] in six):
            return True
    return False


# --- The case's own identifiers -------------------------------------------------------------

_REFERENCE = re.compile(r"^(?P<prefix>[a-z]+)-(?P<year>\d{4})-(?P<number>\d+)$")


def _has_reference(folded: str, reference: str | None) -> bool:
    if not reference:
        return False
    parts = _REFERENCE.match(fold(reference))
    if parts is None:
        return re.sub(r"[\W_]", "", fold(reference)) in re.sub(r"[\W_]", "", folded)
    prefix, year, number = parts["prefix"], parts["year"], parts["number"]
    gap = r"[\s\-/.]*"
    with_prefix = rf"(?<![^\W_]){prefix}{gap}{year}{gap}0*{int(number)}(?!\d)"
    # Without its prefix, only as written: "2026-0042" (a bare "2026 42" is too common).
    without = rf"(?<!\d){year}\s*[-/.]\s*{number}(?!\d)"
    return re.search(with_prefix, folded) is not None or re.search(without, folded) is not None


_HEX_RUN = re.compile(r"(?<![0-9a-z])[0-9a-f]+(?:-[0-9a-f]+)*(?![0-9a-z])")


def _has_case_id(folded: str, case_id: uuid.UUID | None) -> bool:
    if case_id is None:
        return False
    whole = case_id.hex
    for run in _HEX_RUN.findall(folded):
        digits = run.replace("-", "")
        if len(digits) >= CASE_ID_PREFIX and (digits in whole or whole in digits):
            return True
    return False
