"""Readers: one sentence in, the status statements it makes out.

Each reader looks for one kind of statement and is deliberately conservative: a missed
statement can be found by a person, a false alert cannot be unsent.  Only the wording listed in
a reader's patterns states a status; descriptive uses of the same words ("significant
progress", "a serious case", "significant risk", Ministers' "a significant number of serious
concerns") never match, because every pattern ties the word to the statement's grammar.

A finding is *restated* when the sentence speaks of an earlier inspection ("following our
inspection in October 2020, children's services were judged to be ..."): it belongs to that
inspection, and must not alert again.  Confidence drops when the service comes from context
rather than the sentence, when the sentence hedges, and when the document lacks the cues that
make the reading safe (see CONFIDENCE).
"""

from __future__ import annotations

from collections.abc import Callable

from storage.classify.readers.common import (
    CONFIDENCE,
    SPECIFIC_SERVICES,
    Context,
    Finding,
)
from storage.classify.readers.concern import no_longer_notes, read_concern
from storage.classify.readers.intervention import read_intervention
from storage.classify.readers.joint_review import read_joint_review
from storage.classify.readers.judgement import read_judgement
from storage.classify.text import Sentence

READERS: tuple[Callable[[Sentence, Context], list[Finding]], ...] = (
    read_intervention,
    read_concern,
    read_judgement,
    read_joint_review,
)

__all__ = [
    "CONFIDENCE",
    "READERS",
    "SPECIFIC_SERVICES",
    "Context",
    "Finding",
    "no_longer_notes",
    "read_concern",
    "read_intervention",
    "read_joint_review",
    "read_judgement",
]
