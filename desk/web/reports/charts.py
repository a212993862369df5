"""The report pages' charts: SVG drawn on the server by pygal, embedded inline, no JavaScript.

Each chart is an image (role="img") named by its own <title>; the page follows it with a
table of the same numbers, which is what screen readers and print rely on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from uuid import uuid4

import pygal
from markupsafe import Markup
from pygal.style import Style

from desk.web.security_headers import csp_nonce

# The desk's colours (desk.css): brand blue, success green, and the text colours, all at
# least 4.5:1 on white so that axis labels and legends read as well as the page.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#545454",
    colors=("#0f3a6b", "#007a64", "#b01038", "#6a3d9a"),
    font_family='"Helsinki Grotesk", Arial, Helvetica, sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
)

_OPTIONS = {
    "js": [],  # readable without JavaScript: no tooltips script from elsewhere
    "disable_xml_declaration": True,
    "style": STYLE,
    "width": 760,
    "height": 340,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "show_y_guides": True,
    "margin": 16,
    "truncate_label": -1,  # the whole label; the table below has it too
    "truncate_legend": -1,
}


def _count_labels(values: Sequence[int]) -> list[int]:
    """Whole-number ticks (pygal would label counts 0.2, 0.4, ...), at most about ten."""
    top = max([*values, 1])
    step = max(1, -(-top // 10))
    return list(range(0, top + step, step))


def _inline(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    """The SVG as markup for the page: an image named by its <title>, sized by the page."""
    svg = chart.render(is_unicode=True)
    # pygal always writes its tooltips' configuration as a script; without its JS it is dead.
    svg = re.sub(r"<script[^>]*>.*?</script>", "", svg, flags=re.DOTALL)
    # The strict CSP blocks inline styles: pygal's one <style> carries the request's nonce,
    # its one style attribute becomes the equivalent SVG presentation attribute.
    svg = svg.replace("<style", f'<style nonce="{csp_nonce()}"')
    svg = svg.replace(' style="opacity: 0"', ' opacity="0"')
    title_id = f"chart-title-{uuid4().hex[:8]}"
    svg = re.sub(
        r"^<svg ",
        f'<svg role="img" aria-labelledby="{title_id}" focusable="false" ',
        svg,
        count=1,
    )
    svg = svg.replace(">", f'><title id="{title_id}">{escape(label)}</title>', 1)
    return Markup(svg)


def compliance_chart(
    label: str, weeks: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> Markup:
    """Weekly compliance, percent, one line per target."""
    chart = pygal.Line(
        **_OPTIONS, range=(0, 100), include_x_axis=True, x_label_rotation=0, dots_size=4
    )
    chart.x_labels = list(weeks)
    chart.y_labels = [0, 25, 50, 75, 100]
    for name, values in series:
        chart.add(name, list(values), allow_interruptions=True)
    return _inline(chart, label)


def volume_chart(
    label: str, weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Markup:
    """Weekly counts, bars side by side."""
    chart = pygal.Bar(**_OPTIONS, include_x_axis=True)
    chart.x_labels = list(weeks)
    chart.y_labels = _count_labels([v for _, values in series for v in values])
    for name, values in series:
        chart.add(name, list(values))
    return _inline(chart, label)


def histogram_chart(label: str, buckets: Sequence[str], name: str, counts: Sequence[int]) -> Markup:
    """Counts per bucket, one series, as horizontal bars (the bucket names are long)."""
    chart = pygal.HorizontalBar(**_OPTIONS, include_x_axis=True, show_legend=False)
    chart.x_labels = list(buckets)
    chart.y_labels = _count_labels(counts)
    chart.add(name, list(counts))
    return _inline(chart, label)


def stacked_chart(
    label: str, groups: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Markup:
    """Counts per group, the series stacked in each bar."""
    chart = pygal.StackedBar(**_OPTIONS, include_x_axis=True)
    chart.x_labels = list(groups)
    totals = [sum(values) for values in zip(*(v for _, v in series), strict=True)]
    chart.y_labels = _count_labels(totals)
    for name, values in series:
        chart.add(name, list(values))
    return _inline(chart, label)
