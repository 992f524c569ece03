"""Generate the replay site's PDF letters and reports from their text files, deterministically.

Run ``python -m replay.make_pdfs`` after editing a letter text or the catalogue, and commit the
PDFs it writes under ``replay/content/pdf/``: the server serves the committed files and never needs
fpdf2 at runtime.  ``--check`` regenerates in memory and exits 1 if any committed PDF differs.

Why real PDFs: carewatch extracts text with pdfplumber, and PDF extraction is where the peer tools
break (domain.md §5, §6.16), so the replay site must serve genuine PDFs whose text comes back out.

Determinism: a fixed creation date (the letter's own date), no random ids (fpdf2 derives /ID
from the content), the same font files, so two runs give identical bytes.  The text layout is
plain: blocks separated by blank lines; lines starting "- " are bullets; blocks listed in the
catalogue's ``headings`` are bold; the first block is a right-aligned masthead if ``masthead``.
A seed's ``<u>word</u>`` (the only markup in the seeds) is drawn underlined.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from replay.timeline import Catalogue, Entry, default_catalogue

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MAX_BYTES = 60 * 1024

LINE = 5.0  # mm, line height for 10.5 pt body text
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_LATIN1_FALLBACK = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u2022": "*", "\u22a0": "[x]", "\u0412": "B",
}


def render_letter_pdf(text: str, *, title: str, created: datetime, headings: Iterable[str] = (),
                      masthead: bool = True, font_dir: Path = FONT_DIR) -> bytes:
    """Lay ``text`` out as a CIW letter on A4 and return the PDF bytes."""
    from fpdf import FPDF  # build-time only: the server never imports this module

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    family, convert = _setup_font(pdf, font_dir)
    pdf.set_creation_date(created)
    pdf.set_title(convert(title))
    pdf.set_author("Care Inspectorate Wales")
    pdf.set_creator("Care Inspectorate Wales")
    pdf.set_lang("en-GB")
    pdf.add_page()
    heading_set = {convert(h.strip()) for h in headings}
    blocks = [b.strip("\n") for b in _BLOCK_SPLIT.split(convert(text)) if b.strip()]
    for index, block in enumerate(blocks):
        if index == 0 and masthead:
            pdf.set_font(family, "B", 9)
            pdf.multi_cell(0, 4.2, block, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
            continue
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            pdf.set_font(family, "", 10.5)
            for line in lines:
                _bullet(pdf, line[2:])
        else:
            style = "B" if block.strip() in heading_set else ""
            pdf.set_font(family, style, 10.5)
            underline = "<u>" in block
            if underline:
                block = block.replace("<u>", "--").replace("</u>", "--")
            pdf.multi_cell(0, LINE, block, align="L", markdown=underline,
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    return bytes(pdf.output())


def _bullet(pdf: FPDF, item: str) -> None:
    """A hanging-indent bullet drawn as "-", so extracted text reads as the source does."""
    left = pdf.l_margin
    pdf.set_x(left + 2)
    pdf.cell(5, LINE, "-")
    pdf.set_left_margin(left + 7)
    pdf.multi_cell(0, LINE, item, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_left_margin(left)
    pdf.set_x(left)


def _setup_font(pdf: FPDF, font_dir: Path) -> tuple[str, Callable[[str], str]]:
    """DejaVu Sans (Unicode) when installed, else core Helvetica with text made latin-1."""
    paths = {style: font_dir / name for style, name in FONT_FILES.items()}
    if all(p.is_file() for p in paths.values()):
        for style, path in paths.items():
            pdf.add_font("DejaVu", style, str(path))
        return "DejaVu", _identity
    print(f"make_pdfs: {font_dir} not found; falling back to Helvetica (latin-1)", file=sys.stderr)
    return "helvetica", to_latin1


def _identity(value: str) -> str:
    return value


def to_latin1(value: str) -> str:
    """Transliterate to latin-1 for the core fonts: typographic quotes and dashes to ASCII."""
    out = []
    for char in value:
        char = _LATIN1_FALLBACK.get(char, char)
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            char = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode() or "?"
        out.append(char)
    return "".join(out)


def pdf_entries(catalogue: Catalogue) -> list[Entry]:
    return [e for e in catalogue.entries if e.pdf is not None]


def build_pdf(catalogue: Catalogue, entry: Entry, *, font_dir: Path = FONT_DIR) -> bytes:
    """The PDF bytes for one catalogue entry, dated by its letter date (else publication)."""
    assert entry.pdf is not None
    day = entry.letter_date or entry.published
    return render_letter_pdf(
        catalogue.read_letter_text(entry),
        title=entry.pdf.title,
        created=datetime.combine(day, time(9, 0), tzinfo=UTC),
        headings=entry.pdf.headings,
        masthead=entry.pdf.masthead,
        font_dir=font_dir,
    )


def build_all(catalogue: Catalogue | None = None, *, check: bool = False,
              font_dir: Path = FONT_DIR) -> list[str]:
    """Write (or, with ``check``, compare) every PDF; return the files that changed/differ."""
    catalogue = catalogue or default_catalogue()
    changed = []
    for entry in pdf_entries(catalogue):
        assert entry.pdf is not None
        data = build_pdf(catalogue, entry, font_dir=font_dir)
        if len(data) > MAX_BYTES:
            raise SystemExit(f"{entry.pdf.file}: {len(data)} bytes, over {MAX_BYTES}")
        target = catalogue.content_dir / entry.pdf.file
        if target.is_file() and target.read_bytes() == data:
            continue
        changed.append(entry.pdf.file)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replay.make_pdfs",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a committed PDF is out of date")
    args = parser.parse_args(argv)
    changed = build_all(check=args.check)
    for name in changed:
        print(("out of date: " if args.check else "wrote ") + name)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
