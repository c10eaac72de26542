"""Pictures drawn as SVG while the pages are rendered: the map of the states and the charts.

Nothing is loaded when the page is viewed: the SVG is part of the page, every text in it is
escaped, and each picture says in words what it shows (the map's tiles are links with names such
as "Alabama: 3 partners, 1 drive"; a chart has a title, a description and its data as a table).
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

# One equal tile a state (and DC and Puerto Rico), in the usual tile-grid layout: (column, row).
TILES = {
    "AK": (0, 0), "ME": (10, 0),
    "WI": (5, 1), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "MI": (6, 2), "NY": (8, 2), "MA": (9, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3), "RI": (10, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7), "PR": (10, 7),
}
TILE, GAP = 46, 4
# Shades from none to most, each with the text colour that reads on it (WCAG AA for the
# two-letter labels, 4.5:1 or better).
SHADES = [("#f2e2d0", "#5c4a3c"), ("#f6d2b8", "#2b2118"), ("#e4a27c", "#2b2118"),
          ("#b4441a", "#ffffff"), ("#6b2c0d", "#ffffff")]
CURRENT = "#2f6b3a"  # the state a state page is about


@dataclass
class Tile:
    code: str
    name: str
    total: int  # records of every kind
    label: str  # "Alabama: 3 partners, 1 drive"
    href: str | None  # the state's page, when it has one


def shade(total: int, most: int) -> int:
    """0 for nothing, else 1–4 by a quarter of the largest total."""
    if total <= 0:
        return 0
    return min(4, 1 + (4 * (total - 1)) // max(1, most))


def tile_map(tiles: list[Tile], *, title: str, legend: tuple[str, str], current: str = "",
             label_id: str = "rf-map") -> Markup:
    """The states as a grid of tiles, each state with records a link to its page."""
    most = max((t.total for t in tiles), default=0)
    width = 11 * (TILE + GAP) - GAP
    height = 8 * (TILE + GAP) - GAP + 34
    parts = [f'<svg class="rf-map" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" aria-labelledby="{label_id}-title" role="group" '
             f'focusable="false"><title id="{label_id}-title">{escape(title)}</title>']
    for tile in tiles:
        col, row = TILES[tile.code]
        x, y = col * (TILE + GAP), row * (TILE + GAP)
        level = shade(tile.total, most)
        fill, ink = SHADES[level]
        if tile.code == current:
            fill, ink = CURRENT, "#ffffff"
        shape = (f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{fill}"/>'
                 f'<text x="{x + TILE / 2}" y="{y + TILE / 2 + 5}" text-anchor="middle" '
                 f'fill="{ink}" font-size="15" font-weight="700">'
                 f'{tile.code}</text>')
        if tile.href:
            here = ' aria-current="page"' if tile.code == current else ""
            parts.append(f'<a href="{escape(tile.href)}" aria-label="{escape(tile.label)}"'
                         f'{here}>{shape}</a>')
        else:
            parts.append(f'<g aria-hidden="true">{shape}</g>')
    # the legend: the four shades, from fewer to more
    y = 8 * (TILE + GAP) + 4
    parts.append(f'<g aria-hidden="true"><text x="0" y="{y + 15}" font-size="13" '
                 f'fill="#5c4a3c">{escape(legend[0])}</text>')
    for level in range(1, 5):
        x = 70 + (level - 1) * 28
        parts.append(f'<rect x="{x}" y="{y}" width="24" height="20" rx="3" '
                     f'fill="{SHADES[level][0]}"/>')
    parts.append(f'<text x="{70 + 4 * 28 + 4}" y="{y + 15}" font-size="13" '
                 f'fill="#5c4a3c">{escape(legend[1])}</text></g></svg>')
    return Markup("".join(parts))


@dataclass
class Bar:
    label: str
    value: float
    shown: str  # the value as the chart writes it: "1,204" or "$12,500"


def bar_chart(bars: list[Bar], *, title: str, description: str, label_id: str,
              headings: tuple[str, str, str]) -> Markup:
    """Horizontal bars, each labelled with its value; the figures again as a table for screen
    readers and print (`<details>`, open in print)."""
    if not bars:
        return Markup("")
    most = max(bar.value for bar in bars) or 1
    row, label_width, width = 34, 150, 560
    height = row * len(bars) + 8
    area = width - label_width - 90
    parts = [f'<figure class="rf-chart"><svg viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" '
             f'aria-labelledby="{label_id}-title {label_id}-desc" '
             f'preserveAspectRatio="xMinYMin meet">'
             f'<title id="{label_id}-title">{escape(title)}</title>'
             f'<desc id="{label_id}-desc">{escape(description)}</desc>']
    for index, bar in enumerate(bars):
        y = index * row + 4
        length = max(2, round(area * bar.value / most)) if bar.value > 0 else 0
        parts.append(f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" '
                     f'font-size="14" fill="#2b2118">{escape(_short(bar.label, 20))}</text>'
                     f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="22" rx="3" '
                     f'fill="#8a3a12"/>'
                     f'<text x="{label_width + length + 6}" y="{y + 20}" font-size="14" '
                     f'font-weight="700" fill="#2b2118">{escape(bar.shown)}</text>')
    parts.append("</svg>")
    parts.append(f'<figcaption>{escape(title)}</figcaption>')
    parts.append(data_table(bars, headings))
    parts.append("</figure>")
    return Markup("".join(parts))


def data_table(bars: list[Bar], headings: tuple[str, str, str]) -> str:
    """`headings`: the summary that opens the table ("The figures"), and its two columns."""
    rows = "".join(f'<tr><th scope="row">{escape(b.label)}</th><td>{escape(b.shown)}</td></tr>'
                   for b in bars)
    return (f'<details class="rf-chart__data"><summary>{escape(headings[0])}</summary>'
            f'<table><thead><tr><th scope="col">{escape(headings[1])}</th>'
            f'<th scope="col">{escape(headings[2])}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details>")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# The project's own illustrations (site_src/overrides/assets/illustrations/), for stories,
# resources, drives and events without a photo: chosen by the first theme or topic that names
# one of these words, else by kind or format. No stock photos of children.
ILLUSTRATION_WORDS = (
    ("court", ("court", "legal", "law", "judge", "attorney", "permanency", "policy", "hearing")),
    ("growth", ("recovery", "healing", "treatment", "substance", "mental", "trauma", "grief",
                "loss", "well-being", "wellbeing", "health")),
    ("together", ("visit", "partnership", "partner", "relationship", "parent", "co-parent",
                  "mentor", "family", "birth")),
    ("support", ("support", "in-home", "caregiver", "foster", "kin", "community", "volunteer",
                 "service", "peer")),
    ("home", ("housing", "home", "reunification", "return")),
)
WATCH_FORMATS = ("video", "webinar", "podcast")


def illustration(kind: str, record) -> str:
    """The illustration's name for a record: story, resource, drive or event."""
    if kind == "drive":
        return "give"
    if kind == "event":
        return "gather"
    terms = record.meta.themes if kind == "story" else record.topics
    for term in terms:
        low = str(term).lower()
        for name, words in ILLUSTRATION_WORDS:
            if any(word in low for word in words):
                return name
    if kind == "resource":
        return "watch" if record.format in WATCH_FORMATS else "learn"
    return "home"
