"""The outcome report as a printable HTML page: plain tables, print CSS, no script.
Every value is escaped, those typed by people (the closure note, the review's notes and
comments) above all. Its words are English unless the caller gives its own (the console
gives its catalogue's), so that one page serves the API and the console."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from msgspec import UnsetType

from models.outcomes.report import MonthOutcome, PaymentTotal, Shown

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1rem;
       color: #111; line-height: 1.35; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .4rem; }
p.version { margin: 0 0 1rem; color: #444; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0 0 .5rem; }
th, td { border: 1px solid #999; padding: .25rem .45rem; text-align: left; vertical-align: top; }
thead th, table.facts th { background: #eee; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td { white-space: nowrap; }
table.facts td { white-space: normal; max-width: 40rem; }
tr.missing td { color: #666; font-style: italic; }
footer { margin-top: 1.5rem; font-size: .85rem; color: #444; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  .scroll { overflow: visible; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  th, thead th, table.facts th { background: none; }
}
"""

#: The page's words in English, by key. A value shown in words has the key
#: ``value.<kind>.<value>``; in English it is the value itself, spaces for _.
ENGLISH = {
    "title": "Outcome report {reference}",
    "current": "Current report, as the records stand now.",
    "frozen": "Frozen version {version} ({reason}).",
    "reference": "Reference",
    "status": "Status",
    "origin_country": "Origin country",
    "exploitation": "Exploitation",
    "arrived_on": "Arrived on",
    "support_ends_on": "Support ends on",
    "reports_received": "Reports received",
    "reports_of": "{received} of {expected}",
    "outcome": "Outcome",
    "closed_on": "Closed on",
    "closure_note": "Closure note",
    "months": "Month by month",
    "month": "Month",
    "due_on": "Due on",
    "visited_on": "Visited on",
    "contact": "Contact",
    "housing": "Housing",
    "livelihood": "Livelihood",
    "children_in_school": "Children in school",
    "wellbeing": "Wellbeing (1–5)",
    "safety_concern": "Safety concern",
    "retrafficking_risk": "Re-trafficking risk",
    "no_report": "no report",
    "scores": "Reintegration score (version {version}, 0 to 1)",
    "economic": "Economic",
    "social": "Social",
    "psychosocial": "Psychosocial",
    "composite": "Composite",
    "disbursed": "Payments disbursed",
    "pending": "Payments waiting for approval (not counted above)",
    "category": "Category",
    "currency": "Currency",
    "payments": "Payments",
    "total": "Total",
    "budget_heading": "Plan budget and disbursed",
    "budget": "Budget",
    "disbursed_column": "Disbursed",
    "none": "none",
    "versions": "Versions",
    "no_versions": "No frozen version yet: a report is frozen when its case is closed.",
    "version_item": "Version {version}: {reason}, {at}",
    "review": "Review",
    "review_version": ", version {version}",
    "when": "When",
    "step": "Step",
    "version": "Version",
    "comment": "Note or comment",
    "yes": "yes",
    "no": "no",
    "score_note": (
        "Reintegration score, version {version}: economic, social and psychosocial scores "
        "from 0 to 1 and their composite, from each month's latest report. Its dimensions "
        "follow IOM's Reintegration Sustainability Survey; the mapping is the tracker's own "
        "(score_v{version}.json), not IOM's official RSS scoring."
    ),
}

#: ``words(key, **values)``: a text of the page, ``{name}`` filled in.
Words = Callable[..., str]


def english(key: str, **values: Any) -> str:
    if key.startswith("value."):
        return key.rsplit(".", 1)[1].replace("_", " ")
    return ENGLISH[key].format(**values) if values else ENGLISH[key]


#: Report fields shown month by month, and the kind of value each shows in words.
INDICATORS = (
    ("visited_on", None),
    ("contact", "contact"),
    ("housing", "housing"),
    ("livelihood", "livelihood"),
    ("children_in_school", None),
    ("wellbeing", None),
    ("safety_concern", None),
    ("retrafficking_risk", "risk"),
)
SCORES = ("economic", "social", "psychosocial", "composite")


def _text(value: Any, words: Words = english, kind: str | None = None) -> str:
    """A value as escaped text: words for booleans and for values of a ``kind``, a dash
    for nothing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return escape(words("yes" if value else "no"))
    if isinstance(value, float):
        return f"{value:.3f}"
    if kind is not None:
        return escape(words(f"value.{kind}.{value}"))
    return escape(str(value))


def _row(cells: list[str], *, number_from: int | None = None, css: str = "") -> str:
    tds = "".join(
        f'<td class="number">{cell}</td>'
        if number_from is not None and n >= number_from
        else f"<td>{cell}</td>"
        for n, cell in enumerate(cells)
    )
    return f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>"


def _table(headings: list[str], rows: list[str], words: Words, *, caption: str = "") -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = "".join(rows) or _row(
        [escape(words("none"))] + [""] * (len(headings) - 1), css="missing"
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _facts(shown: Shown, words: Words) -> str:
    report = shown.report
    received = words(
        "reports_of", received=report.reports_received, expected=report.reports_expected
    )
    facts: list[tuple[str, str]] = [
        ("reference", _text(report.reference)),
        ("status", _text(report.status, words, "case_status")),
        ("origin_country", _text(report.origin_country)),
        (
            "exploitation",
            ", ".join(_text(f, words, "exploitation") for f in report.exploitation),
        ),
        ("arrived_on", _text(report.arrived_on)),
        ("support_ends_on", _text(report.support_ends_on)),
        ("reports_received", escape(received)),
        ("outcome", _text(report.outcome, words, "outcome")),
        ("closed_on", _text(report.closed_on)),
    ]
    if isinstance(report.closure_note, str):
        facts.append(("closure_note", _text(report.closure_note)))
    rows = "".join(
        f'<tr><th scope="row">{escape(words(k))}</th><td>{v}</td></tr>' for k, v in facts
    )
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _month_row(month: MonthOutcome, words: Words) -> str:
    due = _text(month.due_on)
    if not month.reported:
        cells = [str(month.month), due, escape(words("no_report"))]
        return _row(cells + ["—"] * (len(INDICATORS) - 1), css="missing")
    indicators = [_text(getattr(month, name), words, kind) for name, kind in INDICATORS]
    return _row([str(month.month), due, *indicators])


def _score_row(month: MonthOutcome, words: Words) -> str:
    if month.score is None:
        cells = [str(month.month), escape(words("no_report"))]
        return _row(cells + ["—"] * (len(SCORES) - 1), css="missing")
    scores = [_text(getattr(month.score, name)) for name in SCORES]
    return _row([str(month.month), *scores], number_from=1)


def _payments(totals: list[PaymentTotal], words: Words) -> str:
    rows = [
        _row(
            [
                _text(t.category, words, "category"),
                escape(t.currency),
                str(t.count),
                escape(t.total),
            ],
            number_from=2,
        )
        for t in totals
    ]
    return _table([words(k) for k in ("category", "currency", "payments", "total")], rows, words)


def _versions(shown: Shown, words: Words) -> str:
    if not shown.versions:
        return f"<p>{escape(words('no_versions'))}</p>"
    items = "".join(
        "<li>"
        + escape(
            words(
                "version_item",
                version=v.version,
                reason=words(f"value.version_reason.{v.reason}"),
                at=v.created_at.isoformat(),
            )
        )
        + "</li>"
        for v in shown.versions
    )
    return f"<ul>{items}</ul>"


def _review(shown: Shown, words: Words) -> str:
    review = shown.review
    version = words("review_version", version=review.version) if review.version is not None else ""
    rows = [
        _row(
            [
                escape(step.at.isoformat(timespec="minutes")),
                _text(step.action, words, "action"),
                str(step.version),
                "" if isinstance(step.comment, UnsetType) else _text(step.comment),
            ]
        )
        for step in review.history
    ]
    headings = [words(k) for k in ("when", "step", "version", "comment")]
    steps = _table(headings, rows, words) if rows else ""
    return f"<p>{_text(review.status, words, 'review_status')}{escape(version)}</p>{steps}"


def render(shown: Shown, words: Words = english, language: str = "en") -> str:
    """The page, in ``words`` (English unless given) of ``language``."""
    report = shown.report
    if shown.version is None:
        which = words("current")
    else:
        reason = next((v.reason for v in shown.versions if v.version == shown.version), "")
        reason = words(f"value.version_reason.{reason}")
        which = words("frozen", version=shown.version, reason=reason)
    months = _table(
        [words("month"), words("due_on")] + [words(name) for name, _ in INDICATORS],
        [_month_row(m, words) for m in report.months],
        words,
    )
    scores = _table(
        [words("month")] + [words(name) for name in SCORES],
        [_score_row(m, words) for m in report.months],
        words,
    )
    budget = _table(
        [words(k) for k in ("category", "currency", "budget", "disbursed_column")],
        [
            _row(
                [
                    _text(b.category, words, "category"),
                    escape(b.currency),
                    escape(b.budget),
                    escape(b.disbursed),
                ],
                number_from=2,
            )
            for b in report.budget
        ],
        words,
    )
    title = escape(words("title", reference=report.reference))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>{title}</h1>",
        f'<p class="version">{escape(which)}</p></header>',
        "<main>",
        _facts(shown, words),
        f"<h2>{escape(words('months'))}</h2>",
        months,
        f"<h2>{escape(words('scores', version=report.score_version))}</h2>",
        scores,
        f"<h2>{escape(words('disbursed'))}</h2>",
        _payments(report.payments, words),
    ]
    if report.payments_pending:
        parts += [
            f"<h2>{escape(words('pending'))}</h2>",
            _payments(report.payments_pending, words),
        ]
    parts += [
        f"<h2>{escape(words('budget_heading'))}</h2>",
        budget,
        f"<h2>{escape(words('versions'))}</h2>",
        _versions(shown, words),
        f"<h2>{escape(words('review'))}</h2>",
        _review(shown, words),
        "</main>",
        f"<footer><p>{escape(words('score_note', version=report.score_version))}</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts)
