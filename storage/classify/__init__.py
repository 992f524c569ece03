"""The status classifier: a document in, an evidenced statement of the regulator's status out.

``classify_document`` is the one entry point (the pipeline and `carewatch classify` share it).
Layout, one job per module:

- ``model``: the records (Classification, ServiceStatus, DocumentDates) and ``readings``;
- ``text``: chrome stripping and sentence segmentation (headings kept out of evidence);
- ``services``: what a service phrase is;
- ``authority``: which of the 22 councils, with fallbacks for mirrors;
- ``relevance``: about a council's social services and their regulation, or a trap;
- ``source``: authoritative or secondary, and the document kind;
- ``dates``: letter, fieldwork and publication dates;
- ``scheme``: the regime a status belongs to;
- ``readers``: the sentence readers, one module each (concern level, judgement, intervention,
  joint review) over shared ``common`` helpers;
- ``document``: classify_document and the folding of findings into statuses.
"""

from storage.classify.authority import (
    AUTHORITIES,
    Authority,
    AuthorityMatch,
    authority_mentions,
    detect_authority,
    find_authority,
    is_national,
)
from storage.classify.dates import document_dates
from storage.classify.document import classify_document, fold
from storage.classify.model import Classification, DocumentDates, ServiceStatus
from storage.classify.readers import CONFIDENCE, Finding
from storage.classify.relevance import assess_relevance, is_relevant
from storage.classify.scheme import document_scheme, scheme_for
from storage.classify.services import services_heading, services_in
from storage.classify.source import assess_voice, document_kind
from storage.classify.text import segment, sentences, strip_chrome

__all__ = [
    "AUTHORITIES",
    "CONFIDENCE",
    "Authority",
    "AuthorityMatch",
    "Classification",
    "DocumentDates",
    "Finding",
    "ServiceStatus",
    "assess_relevance",
    "assess_voice",
    "authority_mentions",
    "classify_document",
    "detect_authority",
    "document_dates",
    "document_kind",
    "document_scheme",
    "find_authority",
    "fold",
    "is_national",
    "is_relevant",
    "scheme_for",
    "segment",
    "sentences",
    "services_heading",
    "services_in",
    "strip_chrome",
]
