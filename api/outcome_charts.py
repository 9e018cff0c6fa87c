"""Charts of the outcome figures, as SVG drawn by pygal: labelled axes, large type and a
legend below the plot, so that they stay readable on a phone; no script is embedded
(pygal's tooltips would load one from elsewhere), values are printed on the bars."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pygal
from pygal.style import Style

from models.errors import NotFound
from models.organisations import Caller
from models.outcomes import aggregate
from models.outcomes.aggregate import CountryCompletion, QuarterReturns, Scores
from models.outcomes.queries import OutcomeFilter
from models.outcomes.report import PaymentTotal

STYLE = Style(
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#ccc",
    colors=("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"),
    title_font_size=22,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    value_font_size=14,
    tooltip_font_size=14,
)


def _config(title: str, x_title: str, y_title: str, **more) -> dict:
    return {
        "title": title,
        "x_title": x_title,
        "y_title": y_title,
        "style": STYLE,
        # Drawn small with large type: scaled to a phone's width, the text stays legible.
        "width": 480,
        "height": 440,
        "js": [],
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": True,
        "margin": 16,
        "no_data_text": "No cases match",
        **more,
    }


def _svg(chart) -> bytes:
    return chart.render(is_unicode=False)


def returns_by_quarter(quarters: list[QuarterReturns]) -> bytes:
    top = max((q.returns for q in quarters), default=0)
    step = max(1, -(-top // 8))  # whole cases, at most about eight lines
    chart = pygal.Bar(
        **_config(
            "Returns by quarter",
            "Quarter of arrival",
            "Cases",
            x_label_rotation=30 if len(quarters) > 4 else 0,
            y_labels=list(range(0, top + step + 1, step)),
            value_formatter=lambda v: f"{v:.0f}",
        )
    )
    chart.x_labels = [q.quarter for q in quarters]
    chart.add("Returns", [q.returns for q in quarters] if quarters else [])
    return _svg(chart)


def completion_by_country(countries: list[CountryCompletion]) -> bytes:
    closed = [c for c in countries if c.closed]
    chart = pygal.Bar(
        **_config(
            "Completion by country",
            "Country (closed cases)",
            "% of closed",
            range=(0, 100),
            value_formatter=lambda v: f"{v:.0f}%",
        )
    )
    chart.x_labels = [f"{c.origin_country} ({c.closed})" for c in closed]
    chart.add("Completed", [100 * c.completed / c.closed or None for c in closed])
    chart.add("Closed early", [100 * c.closed_early / c.closed or None for c in closed])
    return _svg(chart)


def disbursed_by_category(totals: list[PaymentTotal]) -> bytes:
    """Currencies cannot be added up: each currency is a series of its own, as shares of
    what was disbursed in it, its total in the legend."""
    categories = list(dict.fromkeys(t.category for t in totals))
    currencies = sorted({t.currency for t in totals})
    chart = pygal.Bar(
        **_config(
            "Disbursed support by category",
            "Support category",
            "% of currency total",
            range=(0, 100),
            x_label_rotation=30 if len(categories) > 3 else 0,
            value_formatter=lambda v: f"{v:.0f}%",
        )
    )
    chart.x_labels = [c.replace("_", " ") for c in categories]
    for currency in currencies:
        amounts = {t.category: Decimal(t.total) for t in totals if t.currency == currency}
        whole = sum(amounts.values())
        chart.add(
            f"{currency} (total {whole:,.2f})",
            [
                float(100 * amounts[c] / whole) if c in amounts and whole else None
                for c in categories
            ],
        )
    return _svg(chart)


def scores_by_month(scores: Scores) -> bytes:
    chart = pygal.Line(
        **_config(
            f"Mean score by month (v{scores.version})",
            "Month of support",
            "Mean score (0–1)",
            range=(0, 1),
            print_values=False,
            dots_size=5,
            stroke_style={"width": 4, "linecap": "round"},
            value_formatter=lambda v: f"{v:.2f}",
        )
    )
    chart.x_labels = [str(m.month) for m in scores.by_month]
    for name in ("economic", "social", "psychosocial", "composite"):
        chart.add(name.capitalize(), [getattr(m, name) for m in scores.by_month])
    return _svg(chart)


#: Each chart by its name in the URL: the figure it draws, and how.
CHARTS: dict[str, tuple[aggregate.Figure, Callable[[Any], bytes]]] = {
    "returns-by-quarter": (aggregate.Figure.returns_by_quarter, returns_by_quarter),
    "completion-by-country": (aggregate.Figure.completion_by_country, completion_by_country),
    "disbursed-by-category": (aggregate.Figure.disbursed, disbursed_by_category),
    "scores-by-month": (aggregate.Figure.scores_by_month, scores_by_month),
}


async def draw(name: str, *, caller: Caller, filters: OutcomeFilter) -> bytes:
    """The chart ``name`` over the cases in the caller's reach that the filters select."""
    if name not in CHARTS:
        raise NotFound(f"no such chart; there are {', '.join(sorted(CHARTS))}")
    figure, drawing = CHARTS[name]
    return drawing(await aggregate.one_figure(figure, caller=caller, filters=filters))
