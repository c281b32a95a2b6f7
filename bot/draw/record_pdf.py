"""The record for a meeting on A4 pages: every word chosen by ``bot.core.record``, set here.

The font is DejaVu Sans as matplotlib ships it (found without importing matplotlib): it draws
the letters and marks of the bot's languages (ä ö ü ß é ë, „…“ ‘…’, …, –) and many symbols and
emoji. A character it cannot draw is shown as □ (a joiner or variation selector, invisible
anyway, is left out), so a note in another script or with a newer emoji never stops the
record, and the drawing library never names the character in a log.

fpdf2 is imported inside :func:`draw`, the first time a record is made; the bot calls it
through ``asyncio.to_thread``, so a long record never holds up anyone else's answer."""

from __future__ import annotations

import importlib.util
import logging
import unicodedata
from collections.abc import Container
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.record import Document, Entry, Line, Style

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "dejavu"
MISSING = "□"
"""Stands for a character the font cannot draw."""
PAGES = "{between-pages}"
"""Where the number of pages goes in each page's footer (filled in by fpdf2 at the end)."""

# Libraries whose logs could name what a person wrote: fpdf2 lists missing characters,
# fontTools the glyphs a page uses. Only their errors are let through.
LIBRARIES = ("fpdf", "fontTools")

# Sizes (points) and indents (millimetres).
TITLE, SPAN, ABOUT, PART, GROUP, WHEN, QUESTION, TEXT = 18, 12, 10, 15, 12, 10.5, 10, 11
INDENT = 5.0
GREY = 80


@cache
def font_files() -> tuple[Path, Path]:
    """DejaVu Sans and DejaVu Sans Bold from matplotlib's own fonts, without importing it."""
    spec = importlib.util.find_spec("matplotlib")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    if not places:
        raise RuntimeError("matplotlib, whose fonts the record is set in, is not installed")
    folder = Path(places[0]) / "mpl-data" / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def drawable(text: str, cmap: Container[int]) -> str:
    """``text`` with each character the font (``cmap``: the code points it has) cannot draw
    replaced by □; invisible ones it lacks (joiners, variation selectors, skin tones, control
    characters) are left out. Line breaks stay; a tab becomes spaces."""
    out: list[str] = []
    for char in text:
        kind = unicodedata.category(char)
        if char == "\n" or kind in ("Zl", "Zp"):
            out.append("\n")
        elif char == "\t":
            out.append("    ")
        elif kind == "Cc":
            continue
        elif ord(char) in cmap:
            out.append(char)
        elif kind in ("Cf", "Mn", "Me") or 0x1F3FB <= ord(char) <= 0x1F3FF:
            continue
        else:
            out.append(MISSING)
    return "".join(out)


def draw(document: Document) -> bytes:
    """The record as a PDF file."""
    for name in LIBRARIES:
        library = logging.getLogger(name)
        if library.getEffectiveLevel() < logging.ERROR:
            library.setLevel(logging.ERROR)
    from fpdf import FPDF

    regular, bold = font_files()
    page_words = document.page.replace("{pages}", PAGES)

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            words = page_words.replace("{page}", str(self.page_no()))
            _write(self, words, 8, grey=True, align="C")

    pdf = Pages(format="A4")
    pdf.alias_nb_pages(PAGES)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_title(drawable(document.title, _cmap(pdf, FAMILY)))
    pdf.set_lang(document.language)
    pdf.set_creator("Between")
    pdf.set_creation_date(document.made)
    pdf.add_page()

    _write(pdf, document.title, TITLE, bold=True)
    pdf.ln(2)
    _write(pdf, document.span, SPAN)
    pdf.ln(1)
    _write(pdf, document.about, ABOUT, grey=True)
    for part in document.parts:
        pdf.ln(6)
        if pdf.will_page_break(30):
            pdf.add_page()
        _write(pdf, part.heading, PART, bold=True)
        pdf.set_draw_color(170)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
        pdf.ln(3)
        if part.empty:
            _write(pdf, part.nothing, TEXT, grey=True)
            continue
        for group in part.groups:
            if not group.entries:
                continue
            if group.heading:
                pdf.ln(1)
                if pdf.will_page_break(24):
                    pdf.add_page()
                _write(pdf, group.heading, GROUP, bold=True)
                pdf.ln(1)
            for entry in group.entries:
                _entry(pdf, entry)
    return bytes(pdf.output())


def _entry(pdf: FPDF, entry: Entry) -> None:
    """One dated thing: its day (and name), then its lines."""
    if pdf.will_page_break(18):
        pdf.add_page()
    when = f"{entry.when} · {entry.title}" if entry.title else entry.when
    _write(pdf, when, WHEN, bold=True)
    pdf.ln(0.5)
    for line in entry.lines:
        _line(pdf, line)
    pdf.ln(3)


def _line(pdf: FPDF, line: Line) -> None:
    """A question small and quiet; under it, the button pressed (bold) or the words written."""
    if line.style is Style.PLAIN:
        _write(pdf, line.text, TEXT)
    elif line.style is Style.QUESTION:
        pdf.ln(0.8)
        _write(pdf, line.text, QUESTION, grey=True)
    else:
        _write(pdf, line.text, TEXT, bold=line.style is Style.ANSWER, indent=INDENT)


def _cmap(pdf: FPDF, key: str) -> Container[int]:
    """The code points the font ``key`` can draw."""
    from fpdf.fonts import TTFFont

    font = pdf.fonts[key]
    return font.cmap if isinstance(font, TTFFont) else range(32, 127)


def _write(
    pdf: FPDF,
    text: str,
    size: float,
    *,
    bold: bool = False,
    grey: bool = False,
    indent: float = 0.0,
    align: str = "L",
) -> None:
    """``text`` in a paragraph of its own, wrapped to the page, drawn in the font it can."""
    style = "B" if bold else ""
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_color(GREY if grey else 0)
    cmap = _cmap(pdf, FAMILY + style)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(
        pdf.epw - indent,
        size * 0.47,
        drawable(text, cmap),
        align=align,
        new_x="LMARGIN",
        new_y="NEXT",
    )
