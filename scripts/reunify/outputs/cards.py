"""Pictures made at build time: share cards (Open Graph), quote cards, banners and frames.

Everything is drawn with Pillow from the fonts committed beside this module (Lato, SIL Open Font
License: fonts/OFL.txt), so no font or image is fetched. Text is wrapped at spaces and made
smaller until it fits; if the smallest size still does not hold it, whole words are dropped and
an ellipsis ends the last line: a word is never cut and nothing runs off the picture.

Drawing and encoding a card takes milliseconds, which a national hub's 30,000 pages would turn
into minutes; each card is kept in `.cache/cards/` under a name made from what it shows (and
this module's VERSION), so a build draws only the cards whose text changed.
"""
from __future__ import annotations

import hashlib
import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

VERSION = 2  # change when the drawing changes, so that cached cards are made again
FONTS = Path(__file__).with_name("fonts")
REGULAR = FONTS / "Lato-Regular.ttf"
BOLD = FONTS / "Lato-Bold.ttf"

# The site's palette (campaign.css): terracotta on sand, dark brown text, green progress.
TERRACOTTA = (138, 58, 18)
TERRACOTTA_DARK = (107, 44, 13)
SAND = (251, 243, 234)
SAND_DARK = (242, 226, 208)
INK = (43, 33, 24)
MUTED = (92, 74, 60)
GREEN = (47, 107, 58)
WHITE = (255, 255, 255)
HEART = (180, 68, 26)

SHARE = (1200, 630)  # Open Graph and X's summary_large_image
SQUARE = (1080, 1080)  # a quote card for Instagram and Facebook
MAX_BYTES = 300 * 1024


@dataclass(frozen=True)
class Card:
    """What a share card shows. `progress` is a fraction from 0 to 1 (a drive's), or None."""

    label: str  # what the page is: "Story", "Donation drive", "Event", …
    title: str
    detail: str = ""
    brand: str = ""  # the campaign's name and year, on the band at the top
    footer: str = ""  # the hashtag and the site's address
    progress: float | None = None

    def key(self, size: tuple[int, int], kind: str = "share") -> str:
        text = "\x1f".join([kind, f"{size[0]}x{size[1]}", self.label, self.title, self.detail,
                            self.brand, self.footer, repr(self.progress)])
        return _key(text)


def _key(text: str) -> str:
    """A cached file's name: what it shows, this module's VERSION and the fonts' bytes."""
    return hashlib.sha256(f"{VERSION}:{_fonts_hash()}:{text}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _fonts_hash() -> str:
    digest = hashlib.sha256()
    for font in (REGULAR, BOLD):
        digest.update(font.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


# -- text that fits --------------------------------------------------------------------------


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of whole words no wider than `width` (a word wider than that is a line alone)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if not line or face.getlength(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    return lines


def fit(text: str, width: int, max_lines: int, sizes: tuple[int, ...],
        bold: bool = False) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` fits in `max_lines` lines of `width`; at the
    smallest, the lines that fit, the last ending in an ellipsis after a whole word."""
    for size in sizes:
        face = font(size, bold)
        lines = wrap(text, face, width)
        if len(lines) <= max_lines and all(face.getlength(line) <= width for line in lines):
            return face, lines
    return face, shorten(text, face, width, max_lines)


def shorten(text: str, face: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    words = text.split()
    while words:
        words.pop()
        lines = wrap(" ".join(words) + "…", face, width)
        if len(lines) <= max_lines and all(face.getlength(line) <= width for line in lines):
            return lines
    return ["…"]


# -- drawing ---------------------------------------------------------------------------------


def _mark(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """The logo (site_src/overrides/assets/logo.svg): a white house with a heart, on 48 units."""
    s = size / 48

    def at(px, py):
        return (x + px * s, y + py * s)

    draw.polygon([at(24, 5), at(3, 23), at(9, 23), at(9, 43), at(39, 43), at(39, 23),
                  at(45, 23)], fill=WHITE)
    # the heart: two circles and the point below them
    r = 5.6 * s
    for cx in (19.2, 28.8):
        draw.ellipse([x + cx * s - r, y + 25 * s - r, x + cx * s + r, y + 25 * s + r], fill=HEART)
    draw.polygon([at(14.2, 27.2), at(33.8, 27.2), at(24, 38)], fill=HEART)


def _band(draw: ImageDraw.ImageDraw, width: int, brand: str, height: int = 96) -> int:
    draw.rectangle([0, 0, width, height], fill=TERRACOTTA)
    _mark(draw, 56, (height - 60) // 2, 60)
    face, lines = fit(brand, width - 200, 1, (36, 32, 28, 24), bold=True)
    if lines:
        draw.text((136, height // 2), lines[0], font=face, fill=WHITE, anchor="lm")
    return height


def _footer(draw: ImageDraw.ImageDraw, size: tuple[int, int], text: str) -> None:
    width, height = size
    draw.rectangle([0, height - 72, width, height], fill=SAND_DARK)
    face, lines = fit(text, width - 112, 1, (28, 24, 20))
    if lines:
        draw.text((56, height - 36), lines[0], font=face, fill=MUTED, anchor="lm")


def _lines(draw, x: int, y: int, face, lines: list[str], fill, spacing: float = 1.2) -> int:
    step = math.ceil(face.size * spacing)
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill)
        y += step
    return y


def _png(image: Image.Image) -> bytes:
    """A palette PNG: the pictures are a few flat colours and anti-aliased text, which 64
    colours keep; a third of the size of full colour."""
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE) \
        .save(out, "PNG", compress_level=6)
    return out.getvalue()


# A share card is drawn as indices into one fixed palette, so that no colour has to be
# counted (quantising took a third of the time): the band and footer, which every card of a
# campaign shares, are drawn once in full colour and mapped to the palette; each card's own
# text is drawn as ink strength on a grey layer, which a lookup table turns into the indices
# 0-127 (sand to ink, anti-aliasing included); bars and accents take single indices.
_INK_LEVELS = 128
_SOLID = {"terracotta": 128, "green": 129, "track": 130, "white": 131, "heart": 132}


def _lerp(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    colours = [_lerp(SAND, INK, i / (_INK_LEVELS - 1)) for i in range(_INK_LEVELS)]
    colours += [TERRACOTTA, GREEN, SAND_DARK, WHITE, HEART]
    colours += [_lerp(TERRACOTTA, WHITE, i / 31) for i in range(32)]  # the band's text
    colours += [_lerp(SAND_DARK, MUTED, i / 31) for i in range(32)]  # the footer's text
    colours += [_lerp(TERRACOTTA, HEART, i / 15) for i in range(16)]  # the heart's edges
    colours += [_lerp(WHITE, HEART, i / 15) for i in range(16)]
    colours += [SAND] * (256 - len(colours))
    image = Image.new("P", (1, 1))
    image.putpalette([channel for colour in colours for channel in colour])
    return image


_TO_INDEX = [round(a * (_INK_LEVELS - 1) / 255) for a in range(256)]
BAND, FOOT = 96, 72


@lru_cache(maxsize=8)
def _base(size: tuple[int, int], brand: str, footer: str) -> Image.Image:
    image = Image.new("RGB", size, SAND)
    draw = ImageDraw.Draw(image)
    _band(draw, size[0], brand, BAND)
    _footer(draw, size, footer)
    return image.quantize(palette=_palette(), dither=Image.Dither.NONE)


def draw_share(card: Card, size: tuple[int, int] = SHARE) -> bytes:
    width, height = size
    image = _base(size, card.brand, card.footer).copy()
    body = height - BAND - FOOT
    layer = Image.new("L", (width, body), 0)
    draw = ImageDraw.Draw(layer)
    left, inner = 72, width - 144
    top = 44
    label_face, label = fit(card.label.upper(), inner - 28, 1, (30, 26, 22), bold=True)
    if label:
        draw.text((left + 28, top), label[0], font=label_face, fill=200)
        label_top = top
        top += 54
    bars = card.progress is not None
    room = body - top - (118 if card.detail or bars else 30)
    title_face, lines = _fit_room(card.title, inner, room, (72, 64, 56, 50, 44, 40))
    top = _lines(draw, left, top, title_face, lines, 255, 1.18) + 14
    bar_top = top
    if bars:
        top += 40
    if card.detail:
        face, detail = fit(card.detail, inner, 1 if bars else 2, (34, 30, 26))
        _lines(draw, left, top, face, detail, 185)
    image.paste(layer.point(_TO_INDEX), (0, BAND))
    pen = ImageDraw.Draw(image)
    if label:  # the accent before the label
        y = BAND + label_top + 4
        pen.rectangle([left, y, left + 12, y + label_face.size - 4], fill=_SOLID["terracotta"])
    if bars:
        y = BAND + bar_top
        pen.rectangle([left, y, left + inner, y + 20], fill=_SOLID["track"])
        done = max(0.0, min(1.0, card.progress))
        if done > 0:
            pen.rectangle([left, y, left + max(8, round(inner * done)), y + 20],
                          fill=_SOLID["green"])
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _fit_room(text: str, width: int, room: int, sizes: tuple[int, ...], bold: bool = True):
    """`fit` with as many lines as the room's height holds at each size."""
    for size in sizes:
        lines_at = max(1, room // math.ceil(size * 1.18))
        face = font(size, bold)
        lines = wrap(text, face, width)
        if len(lines) <= lines_at and all(face.getlength(line) <= width for line in lines):
            return face, lines
    smallest = sizes[-1]
    return font(smallest, bold), shorten(text, font(smallest, bold), width,
                                         max(1, room // math.ceil(smallest * 1.18)))


def draw_quote(quote: str, by: str, card: Card, size: tuple[int, int]) -> bytes:
    """A pull quote as a picture: the words, who said them (by role), the story's title, set
    in the middle of the space between the band and the footer."""
    width, height = size
    image = Image.new("RGB", size, SAND)
    draw = ImageDraw.Draw(image)
    band = _band(draw, width, card.brand)
    left, inner = 88, width - 176
    mark = 96  # the opening quotation mark's line
    room = height - 72 - band - 80 - mark - 150
    sizes = (64, 56, 50, 44, 40, 36, 32) if height > 800 else (48, 44, 40, 36, 32, 28)
    face, lines = _fit_room(f"{quote}”", inner, room, sizes, bold=False)
    by_face, by_lines = fit(f"— {by}", inner, 1, (34, 30, 26), bold=True)
    title_face, title_lines = fit(card.title, inner, 2, (28, 24))
    block = (mark + len(lines) * math.ceil(face.size * 1.18) + 24
             + len(by_lines) * math.ceil(by_face.size * 1.2) + 8
             + len(title_lines) * math.ceil(title_face.size * 1.2))
    top = band + max(40, (height - 72 - band - block) // 2)
    draw.text((left - 16, top - 10), "“", font=font(150, True), fill=HEART)
    top = _lines(draw, left, top + mark, face, lines, INK, 1.18) + 24
    top = _lines(draw, left, top, by_face, by_lines, TERRACOTTA)
    _lines(draw, left, top + 8, title_face, title_lines, MUTED)
    _footer(draw, size, card.footer)
    return _png(image)


def draw_banner(brand: str, theme: str, footer: str, size: tuple[int, int]) -> bytes:
    """An email signature banner or a profile cover: the mark, the campaign and its theme."""
    width, height = size
    image = Image.new("RGB", size, TERRACOTTA)
    draw = ImageDraw.Draw(image)
    pad = max(8, height // 10)
    mark = height - 2 * pad if width / height < 5 else min(height - 2 * pad, width // 6)
    _mark(draw, pad, (height - mark) // 2, mark)
    left = pad * 2 + mark
    inner = width - left - pad
    rows = [(brand, True, WHITE), (theme, False, SAND)] + ([(footer, False, SAND_DARK)]
                                                           if height >= 300 and footer else [])
    share = (height - 2 * pad) / (len(rows) + 0.6)
    y = pad + (height - 2 * pad - share * len(rows)) / 2
    for text, bold, colour in rows:
        biggest = max(10, int(share * (0.8 if bold else 0.62)))
        sizes = tuple(range(biggest, 9, -max(1, biggest // 12)))
        face, lines = fit(text, inner, 1, sizes, bold=bold)
        if lines:
            draw.text((left, y + share / 2), lines[0], font=face, fill=colour, anchor="lm")
        y += share
    return _png(image)


def draw_frame(brand: str, size: int = 800) -> bytes:
    """A profile picture frame: a transparent middle (where the partner's own picture shows)
    ringed in the campaign's colour with its name along the bottom."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = size // 9
    draw.ellipse([0, 0, size - 1, size - 1], fill=TERRACOTTA + (255,))
    draw.ellipse([ring, ring, size - 1 - ring, size - 1 - ring], fill=(0, 0, 0, 0))
    face, lines = fit(brand, int(size * 0.62), 1, tuple(range(size // 16, 9, -2)), bold=True)
    if lines:
        draw.rounded_rectangle([size * 0.16, size * 0.78, size * 0.84, size * 0.78 + ring],
                               radius=ring // 2, fill=TERRACOTTA_DARK + (255,))
        draw.text((size / 2, size * 0.78 + ring / 2), lines[0], font=face, fill=WHITE,
                  anchor="mm")
    _mark(draw, size // 2 - ring // 2, ring // 8, ring)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# -- the cache -------------------------------------------------------------------------------


class Cache:
    """Drawn pictures by what they show: `.cache/cards/<key>.png` beside the content."""

    def __init__(self, root: Path):
        self.folder = _folder(root)
        self.drawn = 0  # pictures drawn by this build (the rest came from the cache)

    def share(self, card: Card, size: tuple[int, int] = SHARE) -> Path:
        return self._get(card.key(size), lambda: draw_share(card, size))

    def quote(self, quote: str, by: str, card: Card, size: tuple[int, int]) -> Path:
        key = Card("quote", quote, by, card.brand, card.footer + "\x1f" + card.title).key(
            size, "quote")
        return self._get(key, lambda: draw_quote(quote, by, card, size))

    def picture(self, what: str, make) -> Path:
        """A picture (banner, frame) named by `what` it shows."""
        return self._get(_key(what), make)

    def document(self, key: str, suffix: str, make) -> Path:
        """A toolkit document, by a key made from everything it holds."""
        return self._get(_key(key), make, suffix)

    def _get(self, key: str, make, suffix: str = "png") -> Path:
        path = self.folder / key[:2] / f"{key}.{suffix}"
        if path.exists():
            return path
        data = make()
        self.drawn += 1
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        temporary.replace(path)  # a build stopped half-way leaves no half-written card
        return path


def _folder(root: Path) -> Path:
    """`.cache/cards/` beside the content; $REUNIFY_CARD_CACHE instead if set (the tests share
    one between the sites they build)."""
    from reunify.outputs.images import cache_folder

    return cache_folder(root, "cards", os.environ.get("REUNIFY_CARD_CACHE"))
