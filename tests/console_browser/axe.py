"""axe-core, the accessibility checker, run inside the page. A copy from npm lives beside
the tests (``vendor/``, with its licence), so no network is needed when they run:

    npm pack axe-core@4 && tar xzf axe-core-*.tgz
    cp package/axe.min.js vendor/axe-<version>.min.js   # and LICENSE, LICENSE-3RD-PARTY.txt
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
#: WCAG 2.1 at levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _source() -> str:
    return AXE.read_text()


def violations(page: Page) -> list[str]:
    """What axe finds on the page as it is now, one line a rule and element."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=_source())
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} at {' '.join(node['target'])}"
        for rule in results["violations"]
        for node in rule["nodes"]
    ]
