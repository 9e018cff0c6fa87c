"""Every word of the pages comes from a catalogue: Babel ``.po`` files, one folder a
language and one file an area of the console (``locales/da/common.po``), keys named by
where the text appears (``sign_in.title``), read once at start (no compile step when the
package is installed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("da", "en")
DEFAULT = "da"

Translate = Callable[..., str]


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of the language, from all its files; a key in two files is a mistake."""
    texts: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.po")):
        with path.open("rb") as source:
            for message in read_po(source, locale=language):
                if not (message.id and message.string):
                    continue
                if message.id in texts:
                    raise ValueError(f"{path.name}: {message.id} is already in another file")
                texts[message.id] = message.string
    return texts


def translator(language: str) -> Translate:
    """``t(key, **values)``: the text of ``key`` in the language, with ``{name}`` filled in.
    A missing key shows itself, so that it is noticed (and a test finds it)."""
    texts = catalogue(language)

    def t(key: str, **values: object) -> str:
        text = texts.get(key, key)
        return text.format(**values) if values else text

    return t


def from_accept_language(header: str) -> str | None:
    """The first of our languages the browser asks for (in the order it gives), if any."""
    for part in header.split(","):
        primary = part.split(";")[0].strip().split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return None
