"""`carewatch status --history`: the full timeline of an authority, as the pipeline recorded it
from the replay site (issue 4).  For Wrexham it reproduces domain.md §3 as far as the replay
site has documents: the regulator's statements in date order, the council's secondary items
flagged as such, and the publications that state no status shown as events."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from flows.cli import app
from flows.poll import poll
from replay.timeline import STEPS

runner = CliRunner()

# (date, what) in order; "what" is the start of the line after the date.
WREXHAM_TIMELINE = [
    ("8 Jul 2019", "children's services · concern level · serious  [cop_2019; regulator; "
                   "review auto"),
    ("3 Aug 2020", "children's services · concern level · significant  [cop_2019; regulator; "
                   "review auto"),
    # wrexham.com's and the council's reports of the letter repeat it within days: they are
    # the letter's event ("also:" lines below), not statements of their own.  The BBC story
    # states no level of its own, so it is an event of its own.
    ("5 Aug 2020", "event: no status stated  [secondary"),
    ("26 Jan 2021", "children's services · judgement · inadequate with early indicators of "
                    "improvement  [cop_2019; regulator; review auto"),
    ("28 Jan 2021", "event: no status stated  [secondary"),
    ("4 Jun 2021", "children's services · judgement · continuing to make improvements required  "
                   "[cop_2019; regulator; review auto"),
    ("14 Dec 2021", "children's services · judgement · continuing to make improvements  "
                    "[cop_2019; regulator; review auto"),
    ("7 Jan 2022", "event: no status stated  [secondary"),  # BBC (LDRS) recap
    ("13 Oct 2022", "event: no status stated  [secondary"),
    ("8 Jan 2024", "event: no status stated  [regulator"),
    ("11 Jan 2024", "event: no status stated  [secondary"),  # BBC on the improvement check
    ("9 Mar 2024", "event: no status stated  [secondary"),  # wrexham.com on the improvement check
    ("17 Sep 2024", "event: no status stated  [secondary"),
]
HEAD = re.compile(r"^(\d{1,2} \w{3} \d{4})  (.*)$")


def _heads(output: str) -> list[tuple[str, str]]:
    return [m.groups() for m in map(HEAD.match, output.splitlines()) if m]


def test_status_history_reproduces_the_wrexham_timeline(pipeline):
    pipeline.site.set_as_of(STEPS["latest"])
    assert poll().ok

    result = runner.invoke(app, ["status", "--history"], terminal_width=100)
    assert result.exit_code == 0, result.output
    heads = _heads(result.output)
    assert len(heads) == len(WREXHAM_TIMELINE), result.output
    for (day, head), (want_day, want) in zip(heads, WREXHAM_TIMELINE, strict=True):
        assert (day, head[: len(want)]) == (want_day, want)

    out = result.output
    assert "“During the last year, CIW's concerns have escalated from serious to significant " \
           "in relation to children's services.”" in out
    # One event, several places: the 2020 letter's Welsh twin, the committee paper that
    # attached it, and the council's and wrexham.com's reports of it.
    letter = out.split("3 Aug 2020", 1)[1].split("26 Jan 2021", 1)[0]
    for place in ("also: ciw_welsh https://arolygiaethgofal.cymru/",
                  "also: wrexham_moderngov https://moderngov.wrexham.gov.uk/mgAi.aspx?ID=21404",
                  "also: wrexham_news_rss https://news.wrexham.gov.uk/how-were-addressing-"
                  "concerns-and-improving-our-childrens-services",
                  "also: wrexham_com https://wrexham.com/news/inspectors-raise-significant-"):
        assert place in letter, letter
    assert "Improvements in children’s social care reported to Executive Board" in out
    assert "https://careinspectorate.wales/local-authority-monitoring-activity-letter-" \
           "wrexham-county-borough-council-2021" in out
    # Relevance traps and other councils are not Wrexham's social-services history.
    assert "care home" not in out.lower()
    assert "Bridgend" not in out and "Flintshire" not in out
    assert "garden waste" not in out.lower() and "racecourse" not in out.lower()

    # The plain status view still shows only what counts: the regulator's latest words.
    status = runner.invoke(app, ["status"], terminal_width=200)
    assert status.exit_code == 0, status.output
    assert "significant" in status.output and "continuing to make improvements" in status.output
    assert "secondary" not in status.output


def test_status_history_other_and_unknown_authorities(pipeline):
    pipeline.site.set_as_of(STEPS["latest"])
    assert poll().ok
    bridgend = runner.invoke(app, ["status", "--history", "--authority", "Bridgend"],
                             terminal_width=120)
    assert bridgend.exit_code == 0, bridgend.output
    assert "Status history — Bridgend" in bridgend.output
    assert "Wrexham" not in bridgend.output.replace("Status history — Bridgend", "")

    nobody = runner.invoke(app, ["status", "--history", "--authority", "Ceredigion"])
    assert nobody.exit_code == 0
    assert "Nothing recorded about Ceredigion yet" in nobody.output

    everyone = runner.invoke(app, ["status", "--history", "--authority", "*"],
                             terminal_width=120)
    assert "Status history — Wrexham" in everyone.output
    assert "Status history — Bridgend" in everyone.output
    assert "Ceredigion" not in everyone.output
