"""Page layouts the dev split does not have, on invented pages: hard-wrapped text, an
article printed as one line under a numeric title with a numbered "most read" list.
"""

from __future__ import annotations

import textwrap

import pytest

from conftest import (
    FERRY,
    FERRY_REWRITE,
    HARBOUR,
    MERIDIAN,
    MUSEUM,
    RAIL,
    SATELLITE,
    VALLEY,
    page,
    wire,
)
from dedup import Corpus


def hard_wrapped(text: str, width: int, newline: str = "\n") -> str:
    """Every line of `text` wrapped at `width` characters, paragraphs kept apart by
    blank lines, as in a plain-text dump of the page."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, width) or [""])
        if len(line) > width:
            out.append("")
    return newline.join(out)


@pytest.mark.parametrize("width,newline", [(64, "\n"), (72, "\n"), (70, "\r\n")])
def test_hard_wrapped_pages_find_their_copies(width: int, newline: str) -> None:
    c = Corpus()
    c.add("wire", wire(FERRY))
    c.add(
        "herald",
        hard_wrapped(page(HARBOUR, "Ferry hits reef", FERRY), width, newline),
        source=HARBOUR.name,
    )
    c.add(
        "post",
        hard_wrapped(page(MERIDIAN, "Night rescue at sea", FERRY_REWRITE), width, newline),
        source=MERIDIAN.name,
    )
    c.add(
        "other",
        hard_wrapped(page(VALLEY, "Masks go home", MUSEUM), width, newline),
        source=VALLEY.name,
    )
    assert [sorted(cl.ids) for cl in c.clusters()] == [["herald", "post", "wire"]]
    # the wrapped article is found whole, not as title-like fragments
    kept = c.article("herald").split()
    assert len(kept) >= 0.9 * len(" ".join(FERRY).split())


def one_line_page(headline: str, body: list[str], most_read: list[str]) -> str:
    lines = [
        "Home | World | Business | Sport",
        headline,
        "Ana Quist | 14 March 2024, 08:10",
        " ".join(body),
        "Most read",
        *[f"{i}. {t}" for i, t in enumerate(most_read, 1)],
        "(c) 2024 Lakeside Daily",
    ]
    return "\n".join(lines)


MOST_READ = [
    "Harbour council under pressure over the new breakwater plan",
    "What we know about the museum returns and the next steps",
    "Weather satellite reaches orbit after two delayed launches",
    "Freight drivers stop work across the northern network today",
]


def test_an_article_on_one_line_under_a_numeric_title_is_the_article() -> None:
    c = Corpus()
    c.add("wire", wire(FERRY))
    # a numeric headline looks like a time stamp next to the one-line article
    c.add(
        "lake", one_line_page("212 rescued from ferry", FERRY, MOST_READ), source="lakeside.example"
    )
    c.add(
        "sat",
        one_line_page("5 universities, 1 satellite", SATELLITE, MOST_READ),
        source="lakeside.example",
    )
    c.add("rail", wire(RAIL))
    assert [sorted(cl.ids) for cl in c.clusters()] == [["lake", "wire"]]
    assert c.article("lake").startswith(FERRY[0][:40])
    assert "Most read" not in c.article("lake")
    assert "Harbour council" not in c.article("lake")
