"""The toolkit's printable documents, each written once as a list of blocks and then as
a PDF (WeasyPrint, US Letter, Lato embedded, tagged as PDF/UA-1 so that screen readers follow its
headings, lists and reading order) and as a Word document (python-docx) a partner can edit.

Every text is escaped: the words are editors' and records' text, never markup. WeasyPrint may
open only our own font files and data: addresses (the QR code); anything else it asks for is
refused, so making a PDF never touches the network.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from markupsafe import escape

from reunify.outputs.cards import BOLD, REGULAR

TERRACOTTA = "#8a3a12"
INK = "#2b2118"


@dataclass
class Block:
    kind: str  # title, subtitle, h2, p, ul, checks, lines, qr, big
    text: str = ""
    items: list[str] = field(default_factory=list)
    data: bytes = b""  # the QR code's PNG (for Word)
    svg: str = ""  # the QR code's SVG (for the PDF)


@dataclass
class Document:
    name: str  # the file name without extension, e.g. "proclamation-2027"
    title: str
    language: str
    blocks: list[Block]
    poster: bool = False  # the flyer: one page, large type


def qr_blocks(url: str, alt: str) -> Block:
    import segno

    code = segno.make(url, error="m")
    png = io.BytesIO()
    code.save(png, kind="png", scale=12, border=2)
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=12, border=2, xmldecl=False, svgns=True,
              title=alt, dark=INK)
    return Block("qr", alt, data=png.getvalue(), svg=svg.getvalue().decode())


# -- PDF --------------------------------------------------------------------------------------

_CSS = """
@font-face { font-family: Lato; src: url(%(regular)s); }
@font-face { font-family: Lato; font-weight: bold; src: url(%(bold)s); }
@page { size: letter; margin: 0.9in 1in; }
body { font-family: Lato; font-size: 12pt; line-height: 1.45; color: %(ink)s; }
h1 { color: %(accent)s; font-size: 22pt; line-height: 1.2; margin: 0 0 0.3em; }
h2 { color: %(accent)s; font-size: 14pt; margin: 1.2em 0 0.3em; }
.subtitle { font-size: 13pt; font-weight: bold; margin-top: 0; }
ul.checks { list-style: none; padding-left: 0; }
ul.checks li::before { content: "☐  "; font-size: 14pt; }
.lines p { margin: 1.6em 0 0; }
.qr { text-align: center; margin-top: 1em; }
.qr img { width: 2.2in; height: 2.2in; }
body.poster h1 { font-size: 44pt; text-align: center; margin-top: 1.2in; }
body.poster p { font-size: 18pt; text-align: center; }
body.poster .big { font-size: 20pt; font-weight: bold; color: %(accent)s; }
"""


def html(document: Document) -> str:
    css = _CSS % {"regular": REGULAR.as_uri(), "bold": BOLD.as_uri(), "ink": INK,
                  "accent": TERRACOTTA}
    parts = [f'<!doctype html><html lang="{escape(document.language)}"><head>'
             f'<meta charset="utf-8"><title>{escape(document.title)}</title>'
             f"<style>{css}</style></head>"
             f'<body class="{"poster" if document.poster else "letter"}">']
    for block in document.blocks:
        text = escape(block.text)
        if block.kind == "title":
            parts.append(f"<h1>{text}</h1>")
        elif block.kind == "subtitle":
            parts.append(f'<p class="subtitle">{text}</p>')
        elif block.kind == "h2":
            parts.append(f"<h2>{text}</h2>")
        elif block.kind == "p":
            parts.append(f"<p>{text}</p>")
        elif block.kind == "big":
            parts.append(f'<p class="big">{text}</p>')
        elif block.kind in ("ul", "checks"):
            items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
            parts.append(f'<ul class="{block.kind}">{items}</ul>')
        elif block.kind == "lines":
            parts.append('<div class="lines">' + "".join(
                f"<p>{escape(item)}</p>" for item in block.items) + "</div>")
        elif block.kind == "qr":
            import base64
            source = "data:image/svg+xml;base64," + base64.b64encode(block.svg.encode()).decode()
            parts.append(f'<p class="qr"><img src="{source}" alt="{text}"></p>')
    parts.append("</body></html>")
    return "".join(parts)


def _fetcher():
    """WeasyPrint's fetcher, allowed our two font files and data: addresses, nothing else."""
    from weasyprint.urls import URLFetcher

    allowed = {REGULAR.as_uri(), BOLD.as_uri()}

    class OnlyOurs(URLFetcher):
        def fetch(self, url, headers=None):
            if url in allowed or url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"the toolkit's documents load nothing else ({url})")

    return OnlyOurs(allowed_protocols={"file", "data"}, fail_on_errors=True)


def pdf(document: Document) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    # Lato's files carry a creation date of 0 in their header, which fontTools reports at
    # every subset ("'created' timestamp seems very low"), 24 lines on a first build that tell
    # an editor nothing: the documents are right (tests/test_toolkit.py reads them)
    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)

    return HTML(string=html(document), url_fetcher=_fetcher()).write_pdf(
        font_config=FontConfiguration(), pdf_variant="pdf/ua-1",
        custom_metadata=True)


# -- Word -------------------------------------------------------------------------------------


def docx(document: Document) -> bytes:
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt, RGBColor

    word = Word()
    section = word.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    word.core_properties.title = document.title
    word.core_properties.language = {"en": "en-US", "es": "es-US"}.get(document.language,
                                                                       document.language)
    word.core_properties.author = ""
    word.core_properties.comments = ""
    normal = word.styles["Normal"]
    normal.font.name = "Lato"
    normal.font.size = Pt(12)
    accent = RGBColor(0x8A, 0x3A, 0x12)
    for block in document.blocks:
        if block.kind == "title":
            heading = word.add_heading(block.text, level=1 if not document.poster else 0)
            for run in heading.runs:
                run.font.color.rgb = accent
            if document.poster:
                heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "h2":
            for run in word.add_heading(block.text, level=2).runs:
                run.font.color.rgb = accent
        elif block.kind in ("p", "subtitle", "big"):
            paragraph = word.add_paragraph()
            run = paragraph.add_run(block.text)
            run.bold = block.kind != "p"
            if document.poster:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.font.size = Pt(18)
        elif block.kind == "ul":
            for item in block.items:
                word.add_paragraph(item, style="List Bullet")
        elif block.kind == "checks":
            for item in block.items:
                word.add_paragraph("☐  " + item)
        elif block.kind == "lines":
            for item in block.items:
                paragraph = word.add_paragraph(item)
                paragraph.paragraph_format.space_before = Pt(18)
        elif block.kind == "qr":
            paragraph = word.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture = paragraph.add_run().add_picture(io.BytesIO(block.data), width=Inches(2.2))
            picture._inline.docPr.set("descr", block.text)  # the image's alternative text
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
