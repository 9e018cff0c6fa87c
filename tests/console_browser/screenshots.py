"""The README's pictures of the office console, taken on a laptop's screen:

    python -m tests.console_browser.screenshots docs/

A small world is made (a case in every status, a payment waiting, an outcome report
submitted, a published story); staff of each organisation sign in through the real pages,
in English, and each page is taken as a PNG file. A page the console does not have yet is
named and left out."""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from models.organisations import OrganisationKind
from tests.browser.standalone import served_tracker
from tests.browser_support import chromium
from tests.console_browser.console import LAPTOP, Console
from tests.console_browser.world import organisation_of, seed

#: (who, file name, address; ``{name}`` is a case of the world by what it shows).
PICTURES = [
    (OrganisationKind.authority, "console-cases", "/console/cases"),
    (OrganisationKind.authority, "console-case", "/console/cases/{reintegration}"),
    (OrganisationKind.authority, "console-review", "/console/review/{submitted}"),
    (OrganisationKind.authority, "console-dashboard", "/console/dashboard"),
    (OrganisationKind.return_org, "console-approvals", "/console/approvals"),
    (OrganisationKind.centre, "console-stories", "/console/stories"),
    (OrganisationKind.partner, "console-overview", "/console/overview"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args().folder
    with served_tracker() as tracker, sync_playwright() as playwright:
        world = seed(tracker)
        browser = chromium(playwright)
        signed_in: dict[OrganisationKind, Console] = {}
        for kind, name, address in PICTURES:
            if kind not in signed_in:
                context = browser.new_context(**LAPTOP, base_url=tracker.url)
                console = Console(context.new_page(), tracker)
                console.sign_in(
                    console.staff(
                        kind,
                        coordinator=kind == OrganisationKind.partner,
                        organisation_id=organisation_of(world, kind).organisation_id,
                        name={
                            OrganisationKind.authority: "Mette Holm",
                            OrganisationKind.return_org: "Anna Berg",
                            OrganisationKind.centre: "Louise Skov",
                            OrganisationKind.partner: "Chioma Obi",
                        }[kind],
                    )
                )
                console.choose_language("en")
                signed_in[kind] = console
            console = signed_in[kind]
            answer = console.open(address.format(**world.cases))
            if answer.status != 200:
                print(f"{name}: {address} answered {answer.status}; left out")
                continue
            console.page.screenshot(path=folder / f"{name}.png")
            print(f"{name}.png: {address}")
        browser.close()


if __name__ == "__main__":
    main()
