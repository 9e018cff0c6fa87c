"""Every screen on a 360×640 phone: nothing wider than the screen, every control at least
44 px tall for a thumb, every field with its label."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.parametrize("tracker", ["sqlite"], indirect=True)

#: What the page shows a thumb: each control's size, each field's label, the page's width.
MEASURE = """() => {
  const small = [];
  const controls = document.querySelectorAll(
    "main button, main a, main input:not([type=radio]), main select, main textarea, " +
    "main label.option, nav a");
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    if (box.width && box.height < 44) small.push(`${control.tagName} ${control.textContent.trim()} ${box.height}`);
  }
  const unlabelled = [...document.querySelectorAll("main input, main select, main textarea")]
    .filter((field) => !field.labels?.length && !field.closest("label"))
    .map((field) => field.name);
  return { small, unlabelled, width: document.documentElement.scrollWidth };
}"""


def test_every_screen_fits_a_phone_and_a_thumb(phone, tracker):
    partner = tracker.worker()
    case = tracker.case(partner)
    page = phone.page
    phone.open(f"/app/#enrol={tracker.enrolment_code(partner)}")
    screens = {"choose a PIN": page.evaluate(MEASURE)}
    phone.choose_pin()
    phone.wait_for_screen("Tasks")
    phone.wait_synced()
    screens["tasks"] = page.evaluate(MEASURE)
    for title, address in [
        ("My cases", "#/cases"),
        (f"{case.given_name} {case.family_name}", f"#/case/{case.id}"),
        ("Monthly report", f"#/case/{case.id}/report?month=1"),
        ("Payment", f"#/case/{case.id}/payment"),
        ("Outbox", "#/outbox"),
        ("Settings", "#/settings"),
    ]:
        page.evaluate(f"location.hash = '{address}'")
        phone.wait_for_screen(title)
        screens[title] = page.evaluate(MEASURE)
    phone.lock()
    screens["lock"] = page.evaluate(MEASURE)

    for name, measured in screens.items():
        assert measured["width"] <= 360, name
        assert measured["small"] == [], name
        assert measured["unlabelled"] == [], name
