"""Cleaning and sentence segmentation: the text every reader sees (domain.md §6.15, §6.16).

Documents arrive as page text, PDF text, feed bodies or pasted copies, so before anything is
read the chrome around them is stripped (cookie and browser banners, comment boxes, "Share
this:" blocks, council promo lines) and PDF line wraps are joined without gluing headings onto
the sentence after them.  Evidence is quoted verbatim apart from whitespace; matching runs on a
*match form* in which curly quotes become straight ones one-for-one, so offsets found in the
match form are offsets in the verbatim text too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.text import PROMO_LINES as COUNCIL_PROMO_LINES
from scrapers.text import clean_text

# Whole lines of page chrome, matched against a stripped line in match form.  Council promo
# lines are the news scraper's own table (one place knows them); the rest were seen around the
# seed texts (LGC's browser and comment chrome, the blog's share block, CIW's "Print").
CHROME_LINES: tuple[re.Pattern[str], ...] = COUNCIL_PROMO_LINES + tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^your browser is no longer supported\.?$",
        r"^for the best possible experience using our website\b.*$",
        r"^your browser appears to have cookies disabled\b.*$",
        r"^we'll assume we have your consent to use cookies\b.*$",
        r"^(?:this (?:web)?site uses cookies|we use (?:some )?(?:essential )?cookies)\b.*$",
        r"^(?:accept|reject|manage) (?:all |additional |optional )?cookies\.?$",
        r"^(?:learn more|read more|skip to (?:main )?content|print|argraffu|back to top)$",
        r"^(?:global keyword search|chwiliad allweddeiriau cyflawn)$",
        r"^[\u2022*\-]?\s*comments?$",
        r"^have your say$",
        r"^you must sign in to make a comment\.?$",
        r"^please remember that the submission of any material\b.*$",
        r"^links may be included in your comments\b.*$",
        r"^get the latest coronavirus \(covid-19\) information and advice\.?$",
    )
)
# "Share this:" starts a block of sharing links that runs to the next blank line.
SHARE_BLOCK = re.compile(r"^(?:share this|share on|share)\s*:?\s*$", re.IGNORECASE)
# A teaser line cut off with an ellipsis, repeating the start of a later line (LGC's standfirst).
_TEASER = re.compile(r"(?:\.\.\.|\u2026)\s*$")

# Curly and modifier apostrophes and quotes map one-to-one onto straight ones.
_QUOTE_FORM = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"',
})
_BULLET = r"(?:[\u2022\u25aa\u25e6\u2023*\-\u2013]|\d+[.)])\s+"
_BLOCK_BREAK = re.compile(r"\n\s*\n(?:[ \t]*" + _BULLET + r")?|\n[ \t]*" + _BULLET)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset({"e.g", "i.e", "dr", "mr", "mrs", "ms", "cllr", "st", "no", "etc", "vs"})
_HEADING_ENDINGS = (".", ",", ";", "-", "\u2013", "and", "or", "of", "the", "to", "in", "for")
# A line ending on one of these words runs on into the next: it is never a heading.
_OPEN_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or",
                         "the", "to", "with"})
MAX_HEADING_WORDS = 12


def match_form(text: str) -> str:
    """``text`` with curly quotes straightened, same length (offsets carry over)."""
    return text.translate(_QUOTE_FORM)


def strip_chrome(text: str) -> str:
    """Normalise whitespace (scrapers.text.clean_text) and drop page chrome lines."""
    lines = clean_text(text).split("\n")
    forms = [match_form(line) for line in lines]
    kept: list[str] = []
    in_share_block = False
    for index, (line, form) in enumerate(zip(lines, forms, strict=True)):
        if in_share_block:
            if line:
                continue
            in_share_block = False
        if SHARE_BLOCK.match(form):
            in_share_block = True
            continue
        if any(pattern.match(form) for pattern in CHROME_LINES) or _is_teaser(form, forms[index:]):
            continue
        kept.append(line)
    return clean_text("\n".join(kept))


def _is_teaser(form: str, following: list[str]) -> bool:
    if not _TEASER.search(form):
        return False
    stem = _TEASER.sub("", form).strip()
    return len(stem) >= 30 and any(other.startswith(stem) for other in following[1:])


@dataclass(frozen=True)
class Sentence:
    """One sentence with what surrounds it: the nearest heading above it and its paragraph
    number (the readers take a service from these when the sentence names none)."""

    text: str
    form: str
    heading: str = ""
    paragraph: int = 0
    headings: tuple[str, ...] = ()  # every heading above, nearest first


def _is_heading_line(previous: str, line: str, width: int) -> bool:
    """PDF text has no blank line between a heading and its paragraph ("2014 Act\\nWell-being
    \\nDuring the last year, ..."): a line short for its block, without closing punctuation
    and followed by a capitalised line is a heading."""
    return (
        len(previous) < 0.6 * width
        and not previous.endswith(_HEADING_ENDINGS)
        and not previous.endswith(":")
        and line[:1].isupper()
    )


def _pieces(block: str) -> list[tuple[bool, str]]:
    """A block's wrapped lines joined into (is_heading, text) pieces."""
    lines = [" ".join(line.split()) for line in block.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return []
    width = max(len(line) for line in lines)
    if len(lines) == 1:
        return [(_is_standalone_heading(lines[0]), lines[0])]
    pieces: list[tuple[bool, str]] = []
    current = lines[0]
    for previous, line in zip(lines, lines[1:], strict=False):
        if _is_heading_line(previous, line, width):
            pieces.append((_looks_like_heading(current), current))
            current = line
        else:
            current += " " + line
    pieces.append((_is_standalone_heading(current), current))
    return pieces


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    return (
        len(words) <= MAX_HEADING_WORDS
        and not text.endswith((".", "!", "?", ",", ";"))
        and words[-1].casefold() not in _OPEN_WORDS
    )


def _is_standalone_heading(text: str) -> bool:
    """A one-line block that is a heading: short, and without a sentence's closing stop
    ("Adult social care", "Children's Services:", "Our judgement")."""
    return _looks_like_heading(text) and not re.search(r"[.!?]['\"\u201d\u2019]?$", text)


def _continues(previous: str, following: str) -> bool:
    """A paragraph break inside a sentence (PDF page breaks, "highlighting the\\n\\noutcomes")."""
    return bool(previous) and previous[-1:].islower() and following[:1].islower()


def segment(text: str) -> list[Sentence]:
    """Cleaned ``text`` as sentences, each with its heading and paragraph number.

    Blank lines and bullets end a block; single newlines inside a block are line wraps.
    Headings become context, never part of a sentence, so evidence quotes the sentence alone.
    """
    pieces: list[tuple[bool, str]] = []
    for bullet, raw_block in _blocks("\n" + strip_chrome(text)):
        for is_heading, piece in _pieces(raw_block):
            is_heading = is_heading and not bullet  # a short list item is not a heading
            if pieces and not is_heading and not pieces[-1][0] and _continues(
                pieces[-1][1], piece
            ):
                pieces[-1] = (False, pieces[-1][1] + " " + piece)
            else:
                pieces.append((is_heading, piece))
    out: list[Sentence] = []
    headings: tuple[str, ...] = ()
    for paragraph, (is_heading, piece) in enumerate(pieces):
        if is_heading:
            headings = (piece.rstrip(":").strip(), *headings)
            continue
        for sentence in split_sentences(piece):
            out.append(Sentence(sentence, match_form(sentence), headings[0] if headings else "",
                                paragraph, headings))
    return out


def _blocks(text: str) -> list[tuple[bool, str]]:
    """(is_list_item, block) for each block between blank lines or bullets."""
    out: list[tuple[bool, str]] = []
    start, bullet = 0, False
    for match in _BLOCK_BREAK.finditer(text):
        out.append((bullet, text[start : match.start()]))
        start, bullet = match.end(), bool(re.search(_BULLET + "$", match.group(0)))
    out.append((bullet, text[start:]))
    return out


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences (abbreviations such as "Cllr." do not end one)."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        words = paragraph[start : match.start()].split()
        if words and words[-1].casefold() in _ABBREVIATIONS:
            continue
        piece = paragraph[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end() + 1
    if paragraph[start:].strip():
        out.append(paragraph[start:].strip())
    return out


def sentences(text: str) -> list[str]:
    """Whitespace-normalised sentences of ``text``, verbatim otherwise (headings excluded)."""
    return [sentence.text for sentence in segment(text)]
