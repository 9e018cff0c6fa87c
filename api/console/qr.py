"""QR codes on pages: inline SVG from segno, the library that draws the terminal's too."""

from __future__ import annotations

import segno
from markupsafe import Markup


def svg(text: str, *, title: str) -> Markup:
    """An inline SVG a phone camera reads; ``title`` names it for screen readers."""
    drawn = segno.make(text, error="m").svg_inline(scale=5, border=4, title=title)
    return Markup(drawn)  # noqa: S704 - segno's own SVG; the title is escaped by segno
