"""The outcome report as a printable HTML page: plain tables, print CSS, no script.
Every value is escaped, those typed by people (the closure note, the review's notes and
comments) above all."""

from __future__ import annotations

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

INDICATOR_HEADINGS = (
    ("visited_on", "Visited on"),
    ("contact", "Contact"),
    ("housing", "Housing"),
    ("livelihood", "Livelihood"),
    ("children_in_school", "Children in school"),
    ("wellbeing", "Wellbeing (1–5)"),
    ("safety_concern", "Safety concern"),
    ("retrafficking_risk", "Re-trafficking risk"),
)
SCORE_HEADINGS = (
    ("economic", "Economic"),
    ("social", "Social"),
    ("psychosocial", "Psychosocial"),
    ("composite", "Composite"),
)


def _text(value: Any) -> str:
    """A value as escaped text: words for booleans, a dash for nothing, spaces for _."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value).replace("_", " ") if isinstance(value, str) else str(value))


def _row(cells: list[str], *, number_from: int | None = None, css: str = "") -> str:
    tds = "".join(
        f'<td class="number">{cell}</td>'
        if number_from is not None and n >= number_from
        else f"<td>{cell}</td>"
        for n, cell in enumerate(cells)
    )
    return f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>"


def _table(headings: list[str], rows: list[str], *, caption: str = "") -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = "".join(rows) or _row([escape("none")] + [""] * (len(headings) - 1), css="missing")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<div class="scroll"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _facts(shown: Shown) -> str:
    report = shown.report
    facts: list[tuple[str, Any]] = [
        ("Reference", report.reference),
        ("Status", report.status),
        ("Origin country", report.origin_country),
        ("Exploitation", ", ".join(f.replace("_", " ") for f in report.exploitation)),
        ("Arrived on", report.arrived_on),
        ("Support ends on", report.support_ends_on),
        ("Reports received", f"{report.reports_received} of {report.reports_expected}"),
        ("Outcome", report.outcome),
        ("Closed on", report.closed_on),
    ]
    if isinstance(report.closure_note, str):
        facts.append(("Closure note", report.closure_note))
    rows = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{_text(v)}</td></tr>' for k, v in facts
    )
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def _month_row(month: MonthOutcome) -> str:
    due = _text(month.due_on)
    if not month.reported:
        cells = [str(month.month), due, "no report"] + ["—"] * (len(INDICATOR_HEADINGS) - 1)
        return _row(cells, css="missing")
    indicators = [_text(getattr(month, name)) for name, _ in INDICATOR_HEADINGS]
    return _row([str(month.month), due, *indicators])


def _score_row(month: MonthOutcome) -> str:
    if month.score is None:
        return _row(
            [str(month.month), "no report"] + ["—"] * (len(SCORE_HEADINGS) - 1), css="missing"
        )
    scores = [_text(getattr(month.score, name)) for name, _ in SCORE_HEADINGS]
    return _row([str(month.month), *scores], number_from=1)


def _payment_rows(totals: list[PaymentTotal]) -> list[str]:
    return [
        _row([_text(t.category), escape(t.currency), str(t.count), escape(t.total)], number_from=2)
        for t in totals
    ]


def _versions(shown: Shown) -> str:
    if not shown.versions:
        return "<p>No frozen version yet: a report is frozen when its case is closed.</p>"
    items = "".join(
        f"<li>Version {v.version}: {_text(v.reason)}, {escape(v.created_at.isoformat())}</li>"
        for v in shown.versions
    )
    return f"<ul>{items}</ul>"


def _review(shown: Shown) -> str:
    review = shown.review
    version = f", version {review.version}" if review.version is not None else ""
    rows = [
        _row(
            [
                escape(step.at.isoformat(timespec="minutes")),
                _text(step.action),
                str(step.version),
                "" if isinstance(step.comment, UnsetType) else _text(step.comment),
            ]
        )
        for step in review.history
    ]
    steps = _table(["When", "Step", "Version", "Note or comment"], rows) if rows else ""
    return f"<p>{_text(review.status)}{escape(version)}</p>{steps}"


def render(shown: Shown) -> str:
    report = shown.report
    if shown.version is None:
        which = "Current report, as the records stand now."
    else:
        reason = next((v.reason for v in shown.versions if v.version == shown.version), "")
        which = f"Frozen version {shown.version} ({reason.replace('_', ' ')})."
    months = _table(
        ["Month", "Due on"] + [h for _, h in INDICATOR_HEADINGS],
        [_month_row(m) for m in report.months],
    )
    scores = _table(
        ["Month"] + [h for _, h in SCORE_HEADINGS], [_score_row(m) for m in report.months]
    )
    budget = _table(
        ["Category", "Currency", "Budget", "Disbursed"],
        [
            _row(
                [_text(b.category), escape(b.currency), escape(b.budget), escape(b.disbursed)],
                number_from=2,
            )
            for b in report.budget
        ],
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Outcome report {escape(report.reference)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<header><h1>Outcome report {escape(report.reference)}</h1>",
        f'<p class="version">{escape(which)}</p></header>',
        "<main>",
        _facts(shown),
        "<h2>Month by month</h2>",
        months,
        f"<h2>Reintegration score (version {escape(report.score_version)}, 0 to 1)</h2>",
        scores,
        "<h2>Payments disbursed</h2>",
        _table(["Category", "Currency", "Payments", "Total"], _payment_rows(report.payments)),
    ]
    if report.payments_pending:
        parts += [
            "<h2>Payments waiting for approval (not counted above)</h2>",
            _table(
                ["Category", "Currency", "Payments", "Total"],
                _payment_rows(report.payments_pending),
            ),
        ]
    parts += [
        "<h2>Plan budget and disbursed</h2>",
        budget,
        "<h2>Versions</h2>",
        _versions(shown),
        "<h2>Review</h2>",
        _review(shown),
        "</main>",
        f"<footer><p>{escape(_score_note(report.score_version))}</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _score_note(version: str) -> str:
    return (
        f"Reintegration score, version {version}: economic, social and psychosocial scores "
        "from 0 to 1 and their composite, from each month's latest report. Its dimensions "
        "follow IOM's Reintegration Sustainability Survey; the mapping is the tracker's own "
        f"(score_v{version}.json), not IOM's official RSS scoring."
    )
