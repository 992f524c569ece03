"""One alert of every kind and shape carewatch sends, for the tests that must hold for all of
them (subject length, HTML escaping, the payload schema).

Status changes follow the Wrexham timeline (tests/flows/test_timeline.py): serious concern
first stated in July 2019, escalated to significant on 3 Aug 2020, the judgements of the
October 2020 inspection and the 2021 monitoring letters; then the other shapes a status can
take (de-escalation, a Part 8 warning notice and its end, joint-review gradings), the
unconfirmed reports council news and press raise, and the operations alerts.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from storage.health import EMPTY_LISTING, FAILING, STALE, HealthAlert
from storage.notices import (
    ALERT_UNCONFIRMED,
    PRIORITY_INTERVENTION,
    PRIORITY_UNCONFIRMED,
    Notice,
    status_change,
)
from storage.outbox import DEAD_LETTER, ENDPOINT_DISABLED, DeliveryProblem
from storage.status import (
    ADULTS,
    CHILDREN,
    CONCERN_LEVEL,
    INTERVENTION,
    INTERVENTION_REMOVED,
    JUDGEMENT,
    PEOPLE_SERVED,
    PROSPECTS,
    SCHEME_COP_2019,
    SCHEME_JOINT_REVIEW,
    SCHEME_PART_8,
    WARNING_NOTICE,
    WHOLE,
    Transition,
)

CIW = "https://careinspectorate.wales/"
INADEQUATE = "inadequate with early indicators of improvement"
REQUIRED = "continuing to make improvements required"
IMPROVING = "continuing to make improvements"
# Longer than any phrase CIW has used for Wrexham; the classifier sends such a phrase to
# review, and a person may confirm it.
LONG_PHRASE = ("making some progress resulting in developments to practice and better outcomes "
               "for children and their families across the county borough")

# Keys, titles, URLs and evidence as the replay timeline produces them.
LETTER_2019 = Transition(
    key="cw_d2df4c6dff9b14b7054f0bad32eae400", authority="Wrexham", service=CHILDREN,
    dimension=CONCERN_LEVEL, old=None, new="serious", scheme=SCHEME_COP_2019,
    evidence="CIW has serious concerns in relation to children's services.",
    source="ciw_la_reports", kind="annual_letter",
    title=("Local Authority Performance Review April 2018 - March 2019: Wrexham County Borough "
           "Council"),
    url=CIW + "local-authority-performance-review-april-2018-march-2019-wrexham-county-borough-"
    "council", published=date(2019, 7, 10),
    letter_date=date(2019, 7, 8), detected_at=datetime(2019, 7, 11, 9, 0, tzinfo=UTC),
)
ESCALATION_2020 = dataclasses.replace(
    LETTER_2019, key="cw_3ed10103f2fd71ac983dbdc036c8b24c", old="serious", new="significant",
    evidence=("During the last year, CIW's concerns have escalated from serious to significant "
              "in relation to children's services."),
    title=LETTER_2019.title.replace("2018 - March 2019", "2019 - March 2020"),
    url=LETTER_2019.url.replace("2018-march-2019", "2019-march-2020"),
    published=date(2020, 8, 4), letter_date=date(2020, 8, 3), old_stated=date(2019, 7, 8),
    old_url=LETTER_2019.url, detected_at=datetime(2020, 8, 5, 9, 0, tzinfo=UTC),
)
INSPECTION_2020 = dataclasses.replace(
    ESCALATION_2020, key="cw_6ffb938138da7d385d3c9419c203dabc", dimension=JUDGEMENT, old=None,
    new=INADEQUATE,
    evidence=("Taking into account all the evidence from this inspection, it is our judgement "
              f"that children's services in Wrexham are {INADEQUATE}."),
    kind="inspection_report",
    title=("Report of Children’s Services Risk Based Inspection and Adults Services Performance "
           "Evaluation Inspection: Wrexham County Borough Council"),
    url=CIW + "report-childrens-services-risk-based-inspection-and-adults-services-performance-"
    "evaluation", published=date(2021, 1, 26),
    letter_date=None, fieldwork_start=date(2020, 10, 12), fieldwork_end=date(2020, 10, 23),
    old_stated=None, old_url=None,
)
MONITORING_APR_2021 = dataclasses.replace(
    INSPECTION_2020, key="cw_c751a39ee1ec12d462d04d5ab03b1da9", old=INADEQUATE, new=REQUIRED,
    evidence=("Taking into account the evidence from this monitoring activity, it is our "
              f"judgement that children's services are {REQUIRED}."),
    kind="monitoring_letter",
    title="Local authority monitoring activity letter: Wrexham County Borough Council",
    url=CIW + "local-authority-monitoring-activity-letter-wrexham-county-borough-council",
    published=date(2021, 6, 10), letter_date=date(2021, 6, 4),
    fieldwork_start=date(2021, 4, 26), fieldwork_end=date(2021, 4, 29),
    old_stated=date(2021, 1, 26), old_url=INSPECTION_2020.url,
)
MONITORING_NOV_2021 = dataclasses.replace(
    MONITORING_APR_2021, key="cw_7bf5854403101b89f1c7b702cd55498f", old=REQUIRED, new=IMPROVING,
    evidence=("Taking into account the evidence from this monitoring activity, it is our "
              f"judgement that children's services are {IMPROVING}."),
    url=MONITORING_APR_2021.url + "-2021", published=date(2021, 12, 16),
    letter_date=date(2021, 12, 14), fieldwork_start=None, fieldwork_end=None,
    old_stated=date(2021, 6, 4), old_url=MONITORING_APR_2021.url,
)
WARNING = Notice(
    key="cw_powys_2017", authority="Powys", service=CHILDREN, dimension=INTERVENTION, old=None,
    new=WARNING_NOTICE, scheme=SCHEME_PART_8,
    evidence="The Welsh Ministers have today issued a warning notice under Part 8 of the Act.",
    source="gov_wales_statements", kind="warning_notice",
    title="Written Statement: Powys County Council children's social services",
    url="https://gov.wales/written-statement-powys-warning-notice",
    published=date(2017, 10, 17), priority=PRIORITY_INTERVENTION,
)
PRESS_CLAIM = Notice(
    key="cwu_2022", authority="Wrexham", service=CHILDREN, dimension=CONCERN_LEVEL,
    old="significant", new="serious", scheme=SCHEME_COP_2019,
    evidence=("Care Inspectorate Wales (CIW) has reduced its concerns from significant to "
              "serious in relation to Wrexham County Borough Council's children's services."),
    source="wrexham_com", kind="news",
    title="Councillors told children's services concerns have eased",
    url="https://www.wrexham.com/news/councillors-told-concerns-eased-212340.html",
    published=date(2022, 3, 8), old_stated=date(2020, 8, 3), old_url=ESCALATION_2020.url,
    alert_kind=ALERT_UNCONFIRMED, priority=PRIORITY_UNCONFIRMED, old_source="ciw_la_reports",
)
SINCE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FAILED = HealthAlert(
    source="wrexham_news_rss", title="Wrexham Council news", url="https://news.wrexham.gov.uk",
    problem=FAILING, since=SINCE, detail="https://news.wrexham.gov.uk/feed/: HTTP 500 after 2 "
    "attempts", runs=3, recovered=False,
)
DEAD = DeliveryProblem(
    problem=DEAD_LETTER, channel="webhook", target="https://hooks.example.org/carewatch",
    since=SINCE, alert_id=12, alert_key=ESCALATION_2020.key, about="(set below)", attempts=8,
    detail="HTTP 500: internal error",
)


def _status_alerts() -> dict[str, Transition]:
    return {
        "2019 first concern level": LETTER_2019,
        "2020 escalation": status_change(ESCALATION_2020, old_source="ciw_la_reports"),
        "de-escalation": dataclasses.replace(ESCALATION_2020, old="significant", new="serious"),
        "2020 first judgement": INSPECTION_2020,
        "2021 judgement (April)": MONITORING_APR_2021,
        "2021 judgement (November)": MONITORING_NOV_2021,
        "judgement too long to show whole": dataclasses.replace(
            MONITORING_NOV_2021, old=IMPROVING, new=LONG_PHRASE),
        "adults' improvement check": dataclasses.replace(
            MONITORING_NOV_2021, service=ADULTS, kind="improvement_check"),
        "Part 8 warning notice": WARNING,
        "Part 8 intervention ended": dataclasses.replace(
            WARNING, key="cw_powys_2020", old=WARNING_NOTICE, new=INTERVENTION_REMOVED,
            published=date(2020, 11, 2), old_stated=date(2017, 10, 17), old_url=WARNING.url,
            old_source="gov_wales_statements", priority=2,
            evidence="The enhanced monitoring arrangements have now been removed."),
        "joint review: people served": dataclasses.replace(
            LETTER_2019, service=WHOLE, dimension=PEOPLE_SERVED, new="some",
            scheme=SCHEME_JOINT_REVIEW, kind="joint_review", letter_date=None,
            published=date(2004, 3, 1)),
        "joint review: prospects": dataclasses.replace(
            LETTER_2019, service=WHOLE, dimension=PROSPECTS, old="poor", new="uncertain",
            scheme=SCHEME_JOINT_REVIEW, kind="joint_review", letter_date=None,
            published=date(2006, 3, 1), old_stated=date(2002, 5, 1)),
    }


def _unconfirmed_reports() -> dict[str, Transition]:
    return {
        "press claims a lower level": PRESS_CLAIM,
        "council news claims a judgement": dataclasses.replace(
            PRESS_CLAIM, key="cwu_judgement", dimension=JUDGEMENT, old=IMPROVING,
            new="inadequate", source="wrexham_news_rss", url="https://news.wrexham.gov.uk/x/",
            old_stated=date(2021, 12, 14), old_url=MONITORING_NOV_2021.url),
        "BBC claims a level none is recorded": dataclasses.replace(
            PRESS_CLAIM, key="cwu_bbc", old=None, new="significant", source="bbc_wales_rss",
            url="https://www.bbc.co.uk/news/uk-wales-53650000", old_stated=None, old_url=None,
            old_source=None),
        "press claims a warning notice": dataclasses.replace(
            PRESS_CLAIM, key="cwu_part8", dimension=INTERVENTION, old=None, new=WARNING_NOTICE,
            scheme=SCHEME_PART_8, old_stated=None, old_url=None, old_source=None),
    }


def _ops_alerts() -> dict[str, HealthAlert | DeliveryProblem]:
    dead = dataclasses.replace(DEAD, about=(
        "Wrexham children's services: serious → significant concern, escalated (CIW, 3 Aug 2020)"))
    return {
        "source failing": FAILED,
        "source recovered": dataclasses.replace(FAILED, recovered=True),
        "listing empty": dataclasses.replace(
            FAILED, source="ciw_la_reports", problem=EMPTY_LISTING, runs=1,
            detail="listing selector found no items on https://careinspectorate.wales/news"),
        "source stale": dataclasses.replace(
            FAILED, source="gov_wales_statements", problem=STALE, runs=0,
            detail="no new item since 1 Jan 2026 (expected every 30 days)"),
        "alert dead-lettered (webhook)": dead,
        "alert dead-lettered (email)": dataclasses.replace(
            dead, channel="email", target="newsdesk@example.org,editor@example.org",
            detail="SMTPServerDisconnected: Connection unexpectedly closed"),
        "endpoint disabled": dataclasses.replace(dead, problem=ENDPOINT_DISABLED, attempts=1,
                                                 detail="HTTP 410: gone"),
    }


STATUS_ALERTS = _status_alerts()
UNCONFIRMED_REPORTS = _unconfirmed_reports()
OPS_ALERTS = _ops_alerts()
ALL_ALERTS: dict[str, Transition | HealthAlert | DeliveryProblem] = {
    **STATUS_ALERTS, **UNCONFIRMED_REPORTS, **OPS_ALERTS}
