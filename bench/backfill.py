"""Benchmark a backfill: 1,000 documents through parse, classify and store (issue 5).

    python bench/backfill.py [--docs N] [--seed S] [--cache DIR] [--no-tracemalloc] [--json]

Generates a synthetic history (once; cached, never committed): CIW letters (a news item, its
letter page and the letter as a PDF made by ``replay.make_pdfs.render_letter_pdf``), CIW news
items without a letter, and Wrexham Council news articles, about all 22 councils and 2016-2024,
in the wording of the real documents.  They are served by an in-process ``replay.site.ReplaySite``
over that synthetic catalogue (the replay site's own renderers, so the markup is the one the
parsers are tested on), and read the way a first poll reads them: each source's own ``crawl``
(``ciw_la_reports``, ``wrexham_news_rss``: listing walk, item pages, PDF text extraction, letter
facts) into ``flows.poll.store_and_detect``'s function (``repo.upsert_publication`` and
``ledger.record_status``, which classifies) on a temporary SQLite database.

A document is one item body parsed (a news page, a letter page, a PDF, an article); listing and
feed pages are counted apart.  Reported: documents/second overall and per phase (parse;
is-known lookups; classify; store), where the in-process site's rendering is measured and left
out; peak memory (tracemalloc, in a second pass over a fresh database because tracing slows
Python down; and the process's ru_maxrss); CPU count.  The issue's target, >= 20 docs/s on 2
cores, is printed as PASS/FAIL; the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from bench.meter import note, site_fetch, table, verdict  # noqa: E402
from replay.site import ReplaySite  # noqa: E402
from replay.timeline import Catalogue, Entry, PdfFile  # noqa: E402
from scrapers.base import Fetch, Fetched  # noqa: E402

GENERATOR_VERSION = 1  # bump when the generated documents change: a new cache directory
TARGET_DOCS_PER_SECOND = 20.0
CIW, COUNCIL = "ciw_la_reports", "wrexham_news_rss"
FIRST_DAY, LAST_DAY = date(2016, 1, 4), date(2024, 12, 20)
PROGRESS_EVERY = 100

COUNCILS = (
    "Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Carmarthenshire", "Ceredigion",
    "Conwy", "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Merthyr Tydfil",
    "Monmouthshire", "Neath Port Talbot", "Newport", "Pembrokeshire", "Powys",
    "Rhondda Cynon Taf", "Swansea", "Torfaen", "Vale of Glamorgan", "Wrexham",
)
FORMAL = {  # councils whose formal name is not "<name> County Borough Council"
    "Cardiff": "Cardiff Council", "Carmarthenshire": "Carmarthenshire County Council",
    "Ceredigion": "Ceredigion County Council", "Denbighshire": "Denbighshire County Council",
    "Flintshire": "Flintshire County Council", "Gwynedd": "Gwynedd Council",
    "Isle of Anglesey": "Isle of Anglesey County Council",
    "Monmouthshire": "Monmouthshire County Council", "Newport": "Newport City Council",
    "Pembrokeshire": "Pembrokeshire County Council", "Powys": "Powys County Council",
    "Swansea": "City and County of Swansea", "Vale of Glamorgan": "Vale of Glamorgan Council",
}

# --- the synthetic corpus ---------------------------------------------------------------------

LETTER_KINDS = (
    ("Local Authority Performance Review", "annual performance review letter"),
    ("Improvement Check", "improvement check letter"),
    ("Assurance Check", "assurance check letter"),
    ("Performance Evaluation Inspection", "inspection letter"),
)
STATEMENTS = {  # what a letter says about one service
    "none": "We did not identify any areas of serious or significant concern in {service}.",
    "serious": "CIW has serious concerns in relation to {service}.",
    "significant": "Our concerns about {service} have escalated from serious to significant.",
    "progress": "We found the local authority has made progress in {service} since our last "
                "review, although further improvement is needed.",
    "silent": "",
}
STATEMENT_WEIGHTS = (("none", 5), ("progress", 4), ("silent", 3), ("serious", 2),
                     ("significant", 1))
FINDINGS = (
    "Performance information shows that most statutory timescales for assessments were met.",
    "Caseloads in some teams remain high and recruitment of experienced social workers is a "
    "challenge.",
    "People told us they were treated with dignity and respect by practitioners.",
    "The quality of care and support plans varied and not all were outcome focused.",
    "Senior leaders have a clear understanding of the pressures facing the service.",
    "Partnership working with the health board has strengthened during the year.",
    "Waiting times for some assessments remain too long.",
    "Safeguarding referrals were responded to in a timely way in the cases we reviewed.",
    "Direct payments are not yet used as widely as they could be.",
    "The local authority should ensure supervision is regular and recorded.",
    "Carers told us they did not always know what support was available to them.",
    "Quality assurance arrangements are developing but are not yet embedded.",
)
NEWS_TOPICS = (
    ("National review of {topic} published", "national review"),
    ("Our annual report on {topic}", "annual report"),
    ("Consultation on {topic} opens", "consultation"),
    ("Update on {topic} inspections", "inspection update"),
)
NEWS_SUBJECTS = (
    "domiciliary care", "care homes for older people", "childminding", "fostering services",
    "adoption services", "secure accommodation", "day care for children", "adult placement",
)
COUNCIL_TOPICS = (
    ("Garden waste collections restart in {place}", ("Environment", "Bins and recycling")),
    ("Road resurfacing planned for {place}", ("Roads and transport",)),
    ("Library opening hours change in {place}", ("Libraries",)),
    ("New play area opens in {place}", ("Parks and open spaces",)),
    ("Foster carers needed in {place}", ("Social services", "Children")),
    ("Extra support for unpaid carers in {place}", ("Social services", "Adults")),
    ("Council responds to Care Inspectorate Wales letter", ("Social services",)),
    ("Council tax reminders issued to {place} households", ("Council tax",)),
)
PLACES = ("Gresford", "Rhosllanerchrugog", "Chirk", "Brymbo", "Acrefair", "Holt", "Marford",
          "Coedpoeth", "Llay", "Overton", "Ruabon", "Cefn Mawr")


@dataclass(frozen=True)
class Plan:
    """How many items of each kind make about ``docs`` documents."""

    letters: int  # 3 documents each: news page, letter page, PDF
    news: int
    articles: int

    @classmethod
    def for_docs(cls, docs: int) -> Plan:
        letters = max(1, docs // 5)  # 60% of the documents come from letters, 20% are PDFs
        news = max(1, docs // 10)
        return cls(letters, news, max(1, docs - 3 * letters - news))

    @property
    def documents(self) -> int:
        return 3 * self.letters + self.news + self.articles

    @property
    def pdfs(self) -> int:
        return self.letters


def formal_name(council: str) -> str:
    return FORMAL.get(council, f"{council} County Borough Council")


def _dates(rng: random.Random, count: int) -> list[date]:
    span = (LAST_DAY - FIRST_DAY).days
    return sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(count))


def letter_text(rng: random.Random, council: str, letter_date: date, kind: str,
                fieldwork: tuple[date, date], statuses: dict[str, str]) -> str:
    """A CIW letter in the layout of the committed ones (replay/content/letters/)."""
    name = formal_name(council)
    start, end = fieldwork
    period = f"April {letter_date.year - 1} - March {letter_date.year}"

    def service_part(label: str, service: str) -> str:
        said = STATEMENTS[statuses[service]].format(service=service)
        return "\n\n".join([label, " ".join(filter(None, [said, *rng.sample(FINDINGS, 3)])),
                            " ".join(rng.sample(FINDINGS, 2))])

    return "\n\n".join([
        "Arolygiaeth Gofal Cymru (AGC)\nCare Inspectorate Wales (CIW)\nWelsh Government Office\n"
        "Sarn Mynach\nLlandudno Junction\nLL31 9RZ\nwww.careinspectorate.wales",
        f"Director of Social Services\n{name}",
        f"Date: {letter_date:%d %B %Y}",
        "Dear Director of Social Services,",
        f"Care Inspectorate Wales (CIW) {kind} {period}",
        f"This letter summarises our review of {name}'s performance in carrying out its "
        f"statutory social services functions. It is written in line with the code of practice "
        f"for review of local authority social services. Our fieldwork took place between "
        f"{start:%-d %B %Y} and {end:%-d %B %Y}.",
        "This activity included:",
        "- performance review meeting with senior officers\n- review of case files\n"
        "- conversations with people who use services and their carers",
        "Summary of strengths and areas for improvement",
        service_part("Children's Services", "children's services"),
        service_part("Adults Services", "adult services"),
        "We will publish the final version of this letter on our website.",
        "Yours sincerely,\n\nHead of Local Authority Inspection Team\nCare Inspectorate Wales",
    ])


def _para(*sentences: str) -> str:
    return "<p>" + " ".join(sentences) + "</p>"


@dataclass
class Corpus:
    catalogue: Catalogue
    as_of: date
    plan: Plan
    generated_pdfs: int = 0
    seconds: float = 0.0


def build_corpus(docs: int, seed: int, cache: Path) -> Corpus:
    """Write the synthetic catalogue's files under ``cache`` (PDFs only when missing) and
    return the catalogue.  Everything is a function of ``docs`` and ``seed``."""
    from replay.make_pdfs import render_letter_pdf

    started = time.perf_counter()
    rng = random.Random(seed)
    plan = Plan.for_docs(docs)
    for folder in ("pages", "letters", "pdf"):
        (cache / folder).mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []
    generated = 0

    def body(name: str, html: str) -> str:
        path = cache / "pages" / name
        if not path.exists() or path.read_text(encoding="utf-8") != html:
            path.write_text(html, encoding="utf-8")
        return f"pages/{name}"

    for i, day in enumerate(_dates(rng, plan.letters)):
        council = rng.choice(COUNCILS)
        title_kind, noun = rng.choice(LETTER_KINDS)
        letter_date = day - timedelta(days=rng.randint(1, 20))
        start = letter_date - timedelta(days=rng.randint(30, 90))
        fieldwork = (start, start + timedelta(days=rng.randint(2, 9)))
        statuses = {s: rng.choices([k for k, _ in STATEMENT_WEIGHTS],
                                   [w for _, w in STATEMENT_WEIGHTS])[0]
                    for s in ("children's services", "adult services")}
        text = letter_text(rng, council, letter_date, f"{title_kind}", fieldwork, statuses)
        title = f"{title_kind} {letter_date.year}: {formal_name(council)}"
        slug = f"bench-{i:05d}-{council.lower().replace(' ', '-')}"
        (cache / "letters" / f"{slug}.txt").write_text(text, encoding="utf-8")
        pdf_path = cache / "pdf" / f"{slug}.pdf"
        if not pdf_path.exists():
            created = datetime.combine(letter_date, datetime.min.time(), tzinfo=UTC)
            pdf_path.write_bytes(render_letter_pdf(
                text, title=title, created=created,
                headings=("Summary of strengths and areas for improvement",
                          "Children's Services", "Adults Services")))
            generated += 1
            if generated % PROGRESS_EVERY == 0:
                note(f"  generated {generated} PDFs")
        letter_key = f"{slug}-letter"
        entries.append(Entry(
            key=f"{slug}-news", source=CIW, kind="news", path=f"/{day:%y%m%d}-{slug}-news",
            title=f"{noun.capitalize()}: {formal_name(council)}", published=day,
            summary=f"Our {noun} for {formal_name(council)}.",
            body=body(f"{slug}-news.html", _para(
                f"We have today published our {noun} for {formal_name(council)}.",
                "The letter provides feedback on our inspection and performance evaluation "
                "activity and sets out our forward work programme.")),
            provenance="reconstructed", links_to=letter_key, note="bench/backfill.py"))
        entries.append(Entry(
            key=letter_key, source=CIW, kind="letter", path=f"/{slug}-letter", title=title,
            published=day, letter_date=letter_date, fieldwork_start=fieldwork[0],
            fieldwork_end=fieldwork[1], provenance="reconstructed", note="bench/backfill.py",
            body=body(f"{slug}-letter.html", _para(
                f"This letter summarises our review of {formal_name(council)}'s performance in "
                "carrying out its statutory social services functions.")),
            pdf=PdfFile(path=f"/sites/default/files/{day:%Y-%m}/{slug}.pdf",
                        file=f"pdf/{slug}.pdf", text=f"letters/{slug}.txt", title=title,
                        provenance="reconstructed")))
    for i, day in enumerate(_dates(rng, plan.news)):
        pattern, _ = rng.choice(NEWS_TOPICS)
        subject = rng.choice(NEWS_SUBJECTS)
        title = pattern.format(topic=subject)
        slug = f"bench-news-{i:05d}"
        entries.append(Entry(
            key=slug, source=CIW, kind="news", path=f"/{day:%y%m%d}-{slug}", title=title,
            published=day, summary=f"{title}.", provenance="reconstructed",
            note="bench/backfill.py", body=body(f"{slug}.html", "\n".join([
                _para(f"{title}.", f"It looks at {subject} across Wales."),
                _para(*rng.sample(FINDINGS, 3)), _para(*rng.sample(FINDINGS, 2))]))))
    for i, day in enumerate(_dates(rng, plan.articles)):
        pattern, categories = rng.choice(COUNCIL_TOPICS)
        place = rng.choice(PLACES)
        title = pattern.format(place=place)
        slug = f"bench-article-{i:05d}"
        paragraphs = [_para(f"{title}.", f"Residents in {place} can find out more online.")]
        if "Social services" in categories:
            paragraphs += [_para(*rng.sample(FINDINGS, 2)),
                           _para("The lead member for social care said the council was "
                                 "committed to improving services for children and adults.")]
        paragraphs.append('<p><a href="https://www.wrexham.gov.uk/service/email-bulletins">'
                          "Sign-up for email bulletins</a></p>")
        entries.append(Entry(
            key=slug, source=COUNCIL, kind="article", path=f"/{slug}/", title=title,
            published=day, post_id=900_000 + i, categories=categories,
            provenance="reconstructed", note="bench/backfill.py",
            body=body(f"{slug}.html", "\n".join(paragraphs))))
    catalogue = Catalogue(entries=tuple(entries), content_dir=cache)
    return Corpus(catalogue, LAST_DAY, plan, generated, time.perf_counter() - started)


# --- the measured pass ------------------------------------------------------------------------


@dataclass
class Phases:
    """Seconds per phase and what was counted."""

    render: float = 0.0  # the in-process replay site answering (left out of every rate)
    parse: float = 0.0  # crawl time minus render and lookups: listing walk, HTML/PDF parsing
    pdf_text: float = 0.0  # of which scrapers.text.pdf_text (PDF text extraction)
    lookups: float = 0.0  # is_known queries the crawl makes
    classify: float = 0.0
    store: float = 0.0  # store step minus classify: upserts, ledger, commit
    documents: int = 0
    pdfs: int = 0
    listing_pages: int = 0
    publications: int = 0
    statuses: int = 0  # classifications recorded
    wall: float = 0.0  # the whole backfill call
    cpu: float = 0.0  # this process's CPU time during it
    errors: list[str] = field(default_factory=list)

    @property
    def pipeline(self) -> float:
        return self.parse + self.lookups + self.classify + self.store


class Progress:
    def __init__(self, total: int, what: str) -> None:
        self.total, self.what, self.count = total, what, 0

    def tick(self) -> None:
        self.count += 1
        if self.count % PROGRESS_EVERY == 0 or self.count == self.total:
            note(f"  {self.what} {self.count}/{self.total}")


def timed_fetch(inner: Fetch, phases: Phases, listings: tuple[str, ...],
                progress: Progress) -> Fetch:
    def fetch(url: str) -> Fetched:
        started = time.perf_counter()
        try:
            return inner(url)
        finally:
            phases.render += time.perf_counter() - started
            if url.split("?")[0] in listings:
                phases.listing_pages += 1
            else:
                phases.documents += 1
                phases.pdfs += url.endswith(".pdf")
                progress.tick()

    return fetch


@contextmanager
def timed_classifier(phases: Phases, progress: Progress) -> Iterator[None]:
    """Time ``storage.ledger.classify_document`` (the classifier the store step calls)."""
    from storage import ledger

    original = ledger.classify_document

    def classify(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases.classify += time.perf_counter() - started
            phases.statuses += 1
            progress.tick()

    ledger.classify_document = classify  # type: ignore[assignment]
    try:
        yield
    finally:
        ledger.classify_document = original  # type: ignore[assignment]


@contextmanager
def timed_pdf_text(phases: Phases) -> Iterator[None]:
    """Time ``scrapers.text.pdf_text`` wherever a scrapers module imported it by name."""
    from scrapers import text

    original = text.pdf_text

    def pdf_text(data: bytes) -> str:
        started = time.perf_counter()
        try:
            return original(data)
        finally:
            phases.pdf_text += time.perf_counter() - started

    modules = [m for name, m in sys.modules.items()
               if name.startswith("scrapers.") and getattr(m, "pdf_text", None) is original]
    for module in modules:
        module.pdf_text = pdf_text  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in modules:
            module.pdf_text = original  # type: ignore[attr-defined]


def backfill(corpus: Corpus, workdir: Path) -> Phases:
    """Crawl both synthetic sources from empty and store them, as a first poll does."""
    from flows.config import Settings
    from flows.database import close_databases, open_database
    from flows.poll import poll_order, store_and_detect
    from scrapers.registry import get_source
    from storage import repo

    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["CAREWATCH_DATABASE_URL"] = f"sqlite:///{workdir / 'carewatch.db'}"
    os.environ["CAREWATCH_DATA_DIR"] = str(workdir)
    settings = Settings.from_env()
    sessions = open_database(settings.database_url)  # schema created here, not timed
    site = ReplaySite(corpus.as_of, catalogue=corpus.catalogue)
    phases = Phases()
    fetched = Progress(corpus.plan.documents, "documents parsed")
    stored = Progress(corpus.plan.letters + corpus.plan.news + corpus.plan.articles,
                      "publications classified and stored")
    now = datetime.now(UTC)
    sources = poll_order([get_source(CIW), get_source(COUNCIL)])
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    with timed_classifier(phases, stored), timed_pdf_text(phases):
        for source in sources:
            listings = tuple(f"{source.base_url}{p}" for p in ("/news", "/feed/", "/feed"))
            fetch = timed_fetch(site_fetch(site), phases, listings, fetched)
            with sessions() as session:
                def is_known(url: str, session: Any = session) -> bool:
                    started = time.perf_counter()
                    try:
                        return repo.is_known(session, url)
                    finally:
                        phases.lookups += time.perf_counter() - started

                render_before, lookups_before = phases.render, phases.lookups
                started = time.perf_counter()
                result = source.crawl(fetch, is_known, base_url=source.base_url,
                                      authorities=source.authorities, max_pages=100_000)
                elapsed = time.perf_counter() - started
            phases.parse += elapsed - (phases.render - render_before) \
                - (phases.lookups - lookups_before)
            phases.errors += list(result.errors)
            classify_before = phases.classify
            started = time.perf_counter()
            report, _ = store_and_detect.fn(source, result, settings, quiet=True, now=now)
            phases.store += time.perf_counter() - started - (phases.classify - classify_before)
            phases.publications += report.new + report.changed
            phases.errors += [e for e in report.errors if e not in phases.errors]
    phases.wall = time.perf_counter() - wall_start
    phases.cpu = time.process_time() - cpu_start
    close_databases()
    return phases


# --- report -----------------------------------------------------------------------------------


def rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cpus() -> tuple[int, int]:
    """(CPUs in the machine, CPUs this process may run on)."""
    total = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = total
    return total, usable


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def render(r: dict[str, Any]) -> str:
    p = r["phases"]
    docs = p["documents"]
    busy = 100 * p["cpu"] / p["wall"] if p["wall"] else 0.0
    rows = [
        ["parse (listing walk, HTML, PDF text, letter facts)", f"{p['parse']:.2f}",
         f"{rate(docs, p['parse']):.1f}"],
        ["  of which PDF text (pdfplumber)", f"{p['pdf_text']:.2f}",
         f"{rate(p['pdfs'], p['pdf_text']):.1f} PDFs/s"],
        ["is-known lookups", f"{p['lookups']:.2f}", f"{rate(docs, p['lookups']):.1f}"],
        ["classify", f"{p['classify']:.2f}", f"{rate(docs, p['classify']):.1f}"],
        ["store (upsert, ledger, commit)", f"{p['store']:.2f}", f"{rate(docs, p['store']):.1f}"],
        ["store + classify", f"{p['store'] + p['classify']:.2f}",
         f"{rate(docs, p['store'] + p['classify']):.1f}"],
        ["overall (all of the above)", f"{r['pipeline_seconds']:.2f}", f"{r['docs_per_s']:.1f}"],
    ]
    plan = r["plan"]
    out = [
        f"Documents: {docs} ({docs - p['pdfs']} HTML pages, {p['pdfs']} PDFs) from "
        f"{plan['letters']} CIW letters, {plan['news']} CIW news items and {plan['articles']} "
        f"council articles; {p['listing_pages']} listing/feed pages besides",
        f"Stored: {p['publications']} publications, {p['statuses']} classified; "
        f"{len(p['errors'])} errors",
        f"Corpus: {r['cache']} ({r['generated_pdfs']} PDFs generated this run, "
        f"{r['generation_seconds']:.1f} s to build)",
        "",
        table(rows, header=["phase", "seconds", "docs/s"]),
        f"(left out: the in-process replay site rendering the pages, {p['render']:.2f} s)",
        "",
        f"Peak memory: tracemalloc {r['tracemalloc_peak']}; ru_maxrss {r['rss_mib']:.0f} MiB "
        "(whole process: imports included)",
        f"CPUs: {r['cpus'][0]} in the machine, {r['cpus'][1]} usable by this process "
        "(the pipeline runs on one)",
        f"CPU: this process was on a CPU {busy:.0f}% of the timed pass "
        f"({p['cpu']:.1f} s of {p['wall']:.1f} s); load average {r['load_before']} before, "
        f"{r['load_after']} after"
        + (" -- other processes were competing, so the rates are low" if busy < 90 else ""),
        "",
        "Target:",
        f"  {verdict(r['docs_per_s'] >= TARGET_DOCS_PER_SECOND)}  >= "
        f"{TARGET_DOCS_PER_SECOND:g} docs/s on 2 cores: {r['docs_per_s']:.1f} docs/s on "
        f"{r['cpus'][1]} usable CPUs",
    ]
    if p["errors"]:
        out += ["", "Errors:", *(f"  {e}" for e in p["errors"][:20])]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n")[0],
        epilog="Progress goes to stderr, the report to stdout.")
    parser.add_argument("--docs", type=int, default=1000,
                        help="about how many documents to generate and backfill (default 1000)")
    parser.add_argument("--seed", type=int, default=5, help="random seed of the corpus")
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="where the generated corpus is kept between runs (default: "
                        "carewatch-bench/ in the system temp directory)")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the second, traced pass (no tracemalloc peak)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.docs < 5:
        parser.error("--docs must be at least 5")

    cache = (args.cache or Path(tempfile.gettempdir()) / "carewatch-bench") / \
        f"backfill-v{GENERATOR_VERSION}-{args.docs}-{args.seed}"
    note(f"corpus: {cache} (PDFs made once, then reused)")
    try:
        corpus = build_corpus(args.docs, args.seed, cache)
    except OSError as exc:
        print(f"error: cannot write the corpus under {cache}: {exc}; pass --cache DIR "
              "somewhere writable", file=sys.stderr)
        return 2
    note(f"corpus ready in {corpus.seconds:.1f} s ({corpus.generated_pdfs} PDFs generated)")
    note("importing the pipeline (Prefect, SQLAlchemy, pdfplumber)...")
    import flows.poll  # noqa: F401  (import time is not the pipeline's)

    results: dict[str, Any] = {"cache": str(cache), "generated_pdfs": corpus.generated_pdfs,
                               "generation_seconds": corpus.seconds,
                               "plan": asdict(corpus.plan), "cpus": cpus()}
    workdir = Path(tempfile.mkdtemp(prefix="carewatch-bench-backfill-"))
    try:
        note("backfill (timed)...")
        results["load_before"] = load_average()
        phases = backfill(corpus, workdir / "timed")
        results["load_after"] = load_average()
        results["rss_mib"] = rss_mib()
        results["tracemalloc_peak"] = "not measured (--no-tracemalloc)"
        if not args.no_tracemalloc:
            note("backfill again under tracemalloc, into a fresh database (slower; only its "
                 "memory peak is used)...")
            results["tracemalloc_peak"] = traced_peak(lambda: backfill(corpus, workdir / "traced"))
            results["rss_mib"] = max(results["rss_mib"], rss_mib())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["phases"] = asdict(phases)
    results["pipeline_seconds"] = phases.pipeline
    results["docs_per_s"] = rate(phases.documents, phases.pipeline)
    print(json.dumps(results, indent=2, default=str) if args.json else render(results))
    return 0


def traced_peak(run: Callable[[], object]) -> str:
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return f"{peak / (1024 * 1024):.1f} MiB"


if __name__ == "__main__":
    sys.exit(main())
