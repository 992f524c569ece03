"""storage.classify.text: chrome stripping and sentence segmentation (pure)."""

from __future__ import annotations

import pytest

from storage.classify.text import match_form, segment, sentences, strip_chrome

LGC_CHROME = (
    "Your browser is no longer supported\n\n"
    "For the best possible experience using our website we recommend you upgrade to a newer "
    "version or another browser.\n\n"
    "Your browser appears to have cookies disabled. For the best experience of this website, "
    "please enable cookies in your browser\n\n"
    "We\u2019ll assume we have your consent to use cookies, for example so you won\u2019t need "
    "to log in each time you visit our site.\nLearn more\n\n"
    "  \u2022 Comment\n"
    "Wrexham social services are serving some people well, but have uncertain prospects for "
    "improvement, according to an...\n"
    "Wrexham social services are serving some people well, but have uncertain prospects for "
    "improvement, according to an independent report published today.\n\n"
    "Have your say\n\nYou must sign in to make a comment\n"
)


def test_strip_chrome_drops_browser_cookie_comment_and_teaser_lines() -> None:
    assert strip_chrome(LGC_CHROME) == (
        "Wrexham social services are serving some people well, but have uncertain prospects for "
        "improvement, according to an independent report published today."
    )


@pytest.mark.parametrize(
    "promo",
    [
        "Get the latest COVID-19 vaccination information",
        "Get the facts\u2026read the latest NHS Wales Covid-19 vaccination info.",
        "Sign-up for email bulletins",
        "MyUpdates \u2013 sign up to get the latest news and information straight to your inbox",
        "Get the latest coronavirus (COVID-19) information and advice",
    ],
)
def test_strip_chrome_drops_council_promo_lines(promo: str) -> None:
    text = f"CIW has published its letter.\n\n{promo}\n\nThe Lead Member welcomed it."
    assert strip_chrome(text) == "CIW has published its letter.\n\nThe Lead Member welcomed it."


def test_strip_chrome_drops_a_share_block_to_the_next_blank_line() -> None:
    text = ("I disagree with the inspectors.\n\nShare this:\nFacebook\nTwitter\nWhatsApp\nEmail\n\n"
            "Dirty Old Town")
    assert strip_chrome(text) == "I disagree with the inspectors.\n\nDirty Old Town"


def test_strip_chrome_keeps_a_body_line_that_merely_mentions_cookies() -> None:
    text = "The inspectors liked the cookies baked at the day centre."
    assert strip_chrome(text) == text


def test_sentences_keep_pdf_headings_out_of_evidence() -> None:
    """Regression (issue 3 demo): PDF text has no blank line between a heading and its
    paragraph, so the heading used to be quoted as part of the evidence sentence."""
    text = (
        "accurate reflection of our ongoing findings which we have consistently shared with the\n"
        "local authority.\n"
        "Summary of strengths and areas for improvement in line with principles of the\n"
        "2014 Act\n"
        "Well-being\n"
        "During the last year, CIW's concerns have escalated from serious to significant "
        "in relation\n"
        "to children's services. Wrexham County Borough Council's performance information over\n"
        "the last year has indicated that key areas of performance have declined.\n"
    )
    found = segment(text)
    escalation = next(s for s in found if "escalated" in s.text)
    assert escalation.text == (
        "During the last year, CIW's concerns have escalated from serious to significant in "
        "relation to children's services."
    )
    assert escalation.heading == "Well-being"


def test_segment_records_the_heading_and_paragraph_of_each_sentence() -> None:
    text = ("Children's services\n\nCIW has concerns. Caseloads are high.\n\n"
            "Adult services\n\nWaiting lists remain.")
    found = [(s.text, s.heading, s.paragraph) for s in segment(text)]
    assert found == [
        ("CIW has concerns.", "Children's services", 1),
        ("Caseloads are high.", "Children's services", 1),
        ("Waiting lists remain.", "Adult services", 3),
    ]


def test_segment_short_list_items_are_not_headings() -> None:
    text = ("Children's Services:\n\n- performance review meeting, 10 April 2019\n"
            "- outline our forward work programme\n\nCIW has serious concerns.")
    (last,) = [s for s in segment(text) if s.text.startswith("CIW")]
    assert last.heading == "Children's Services"


def test_segment_joins_a_sentence_broken_by_a_blank_line() -> None:
    text = ("Members were today given a presentation highlighting the\n\n"
            "outcomes of the review. The council will respond.")
    assert sentences(text)[0] == (
        "Members were today given a presentation highlighting the outcomes of the review."
    )


def test_segment_keeps_curly_quotes_verbatim_and_straightens_the_match_form() -> None:
    (sentence,) = segment("CIW\u2019s \u201cconcerns\u201d have escalated.")
    assert sentence.text == "CIW\u2019s \u201cconcerns\u201d have escalated."
    assert sentence.form == "CIW's \"concerns\" have escalated."
    assert len(match_form(sentence.text)) == len(sentence.text)


def test_sentences_do_not_split_after_abbreviations() -> None:
    assert sentences("Cllr. Walsh said so. CIW agreed.") == ["Cllr. Walsh said so.", "CIW agreed."]
