"""Small helpers shared by the replay-site tests."""

from __future__ import annotations

from bs4 import BeautifulSoup


def soup(body: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


def norm(value: str) -> str:
    """Collapse whitespace, so layout (PDF line wraps, HTML indentation) does not matter."""
    return " ".join(value.split())
