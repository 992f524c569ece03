"""The HTML every page of the report shares: the document shell with its inline style sheet,
and small escaping helpers.  Pure.

No external resources of any kind (no CDN, no web font, no script): the site must open from
a folder, offline, and read the same without JavaScript.  Every value interpolated into
markup goes through ``html.escape``: titles, evidence and URLs are text scraped from the web.

The style sheet is written for a phone first (390 px and up) and for people: body text
#1b1b1b and links #0b57d0 on white (both well above WCAG AA contrast), a visible focus ring,
tables that become stacked cards on a narrow screen, long words and URLs that wrap instead
of widening the page, and the chart in its own sideways-scrolling region (the page itself
never scrolls sideways).  That region is laid out right to left, the one way without a
script to have it open scrolled to its right-hand end, so a phone shows the recent years
and today first; the chart inside is left to right as usual.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from report.words import safe_href

CSS = """
:root{color-scheme:light;--ink:#1b1b1b;--muted:#595959;--line:#d0d0d0;--link:#0b57d0;
--flag:#8a3b00;--flag-bg:#fff4e5;--ok:#1e6b2e;--bad:#b3261e;--panel:#f5f6f8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:#fff}
a{color:var(--link)}
a:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid #f0a000;
outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem;border-bottom:1px solid var(--line)}
.brand{margin:0;font-weight:700;color:var(--muted);letter-spacing:.04em}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 .5rem}
h2{font-size:1.35rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:2px solid var(--ink)}
h3{font-size:1.15rem;margin:1.5rem 0 .5rem}
h4{font-size:1rem;margin:1rem 0 .25rem}
p,dd,td,th,li,blockquote,figcaption{overflow-wrap:anywhere}
.lede{max-width:48rem}
.muted,.meta{color:var(--muted)}
nav ul{list-style:none;padding:0;margin:.5rem 0 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.summary{font-size:1.1rem;margin:.25rem 0 1rem}
.service{border:1px solid var(--line);border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}
.aspects{display:grid;grid-template-columns:1fr;gap:.75rem;margin:0;align-items:start}
@media (min-width:48rem){.aspects{grid-template-columns:repeat(3,1fr)}}
.aspect{background:var(--panel);border-radius:6px;padding:.75rem}
.aspect dt{font-weight:700;color:var(--muted);font-size:.9rem;text-transform:uppercase;
letter-spacing:.03em}
.aspect dd{margin:0}
.value{font-size:1.2rem;font-weight:700;margin:.25rem 0}
.value.none{font-size:1rem;font-weight:400;color:var(--muted)}
.stated{font-weight:600;margin:.25rem 0}
blockquote{margin:.5rem 0;padding:.25rem 0 .25rem .75rem;border-left:4px solid var(--muted);
font-style:italic}
.small{font-size:.9rem}
.nowrap{white-space:nowrap}
.flag{display:inline-block;background:var(--flag-bg);color:var(--flag);border:1px solid
var(--flag);border-radius:4px;padding:0 .35rem;font-weight:700;font-size:.85rem}
.changed{font-weight:700}
.state-ok{color:var(--ok);font-weight:700}
.state-bad{color:var(--bad);font-weight:700}
figure{margin:1rem 0}
.chart-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px;direction:rtl}
.chart-scroll svg{display:block;width:100%;min-width:52rem;height:auto;direction:ltr}
.timeline a:focus-visible circle,.timeline a:hover circle{stroke-width:5}
figcaption{font-size:.9rem;color:var(--muted);margin-top:.25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
thead th{border-bottom:2px solid var(--ink)}
tr.unconfirmed{background:var(--flag-bg)}
.report{border-left:4px solid var(--flag);background:var(--flag-bg);padding:.5rem .75rem;
margin:.75rem 0}
.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem}
.facts dt{font-weight:700;color:var(--muted)}
.facts dd{margin:0}
.text{white-space:pre-wrap;background:var(--panel);padding:1rem;border-radius:6px;
overflow-wrap:anywhere}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-bottom:2rem;color:var(--muted)}
@media (max-width:40rem){
 table.stack thead{position:absolute;left:-9999px}
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
 table.stack tr{border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.25rem}
 table.stack td{border:0;padding:.2rem .5rem}
 table.stack td::before{content:attr(data-label) ": ";font-weight:700;color:var(--muted)}
}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def shell(*, title: str, body: str, head: Sequence[str] = (), description: str = "") -> str:
    """A whole page: ``title`` for the tab, ``body`` as given (already escaped)."""
    meta = (f'<meta name="description" content="{esc(description)}">\n' if description
            else "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{meta}"
        + "".join(f"{line}\n" for line in head)
        + f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def document_link(url: str, text: str, publication_id: int) -> str:
    """A link to a document's own URL, carrying its stored publication id (what the
    browser test resolves against the database); a non-http(s) URL is shown as text."""
    href = safe_href(url)
    if href is None:
        return f'<span data-publication-id="{publication_id}">{esc(text)}</span>'
    return (f'<a href="{esc(href)}" class="document" data-publication-id="{publication_id}">'
            f"{esc(text)}</a>")


def stored_link(path: str, publication_id: int, text: str = "stored copy") -> str:
    return (f'<a href="{esc(path)}" class="stored" data-stored-id="{publication_id}">'
            f"{esc(text)}</a>")


def table(*, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
          row_classes: Sequence[str] | None = None, css: str = "stack") -> str:
    """A table whose cells are already markup; each cell carries its column's header as
    ``data-label``, which the narrow-screen style shows beside the value."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td data-label="{esc(h)}">{cell}</td>'
                        for h, cell in zip(headers, row, strict=True))
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f'<table class="{esc(css)}"><caption>{esc(caption)}</caption><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")
