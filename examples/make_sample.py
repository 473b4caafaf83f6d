"""Writes newswire-sample.jsonl: a small invented corpus for the README's first command.

Every article here is written for this repository. Two wire stories are republished
by invented outlets inside their own page chrome (menus, ad markers, related-story
rails), verbatim, truncated or rewritten; two more pages stand alone.
"""

from __future__ import annotations

import json
from pathlib import Path

PORT_WIRE = [
    "Dock workers at the port of Kestrel Bay walked off the job on Tuesday, halting the "
    "loading of grain ships for the first time in eleven years.",
    "The union said the strike would continue until the port authority withdrew plans to "
    "extend night shifts without extra pay.",
    '"We have asked for talks four times since March and four times we were ignored," '
    "union secretary Marta Olsen told reporters outside the main gate.",
    "The port authority said in a statement that it regretted the action and remained "
    "open to mediation through the state labour commission.",
    "Grain exporters warned that each day of lost loading would cost the region about "
    "two million dollars in delayed contracts.",
    "About 1,400 workers are covered by the agreement, which expired at the end of June.",
]

PORT_REWRITE = [
    "Grain exports from Kestrel Bay ground to a halt this week after port staff downed "
    "tools in a row over unpaid night work.",
    "It is the first stoppage at the terminal since the long dispute of a decade ago.",
    '"We have asked for talks four times since March and four times we were ignored," '
    "union secretary Marta Olsen told reporters outside the main gate.",
    "Local farmers, many of whom have harvests waiting in silos, said they feared the "
    "dispute could drag on into the spring planting season.",
    "The authority has offered mediation through the state labour commission.",
]

DROUGHT_WIRE = [
    "The federal government will spend 320 million dollars on emergency water carting "
    "and fodder subsidies for farmers in the country's drought-hit north-west.",
    "Agriculture Minister Paul Ferreira announced the package in Riverton on Friday, "
    "saying rainfall in the region had been the lowest on record for two winters running.",
    '"No family should have to walk off a farm their grandparents built because the '
    'rain stopped for two years," Mr Ferreira said.',
    "Farm groups welcomed the money but said it came months too late for some producers "
    "who had already sold breeding stock.",
    "The subsidies will be paid through existing rural assistance offices from next month.",
]

FOOTBALL = [
    "Harbour City came from two goals down to draw 2-2 with Northgate Rovers on Saturday "
    "night, with substitute Leo Brandt scoring twice in the last ten minutes.",
    "Coach Ana Maris said the comeback showed the character of a young squad that had "
    "lost three of its previous four matches.",
    "Rovers remain top of the table on goal difference.",
]

SCIENCE = [
    "Astronomers at the Mount Corran observatory have catalogued more than 900 new "
    "variable stars in a dense cluster near the galactic centre.",
    "The survey used a new infrared camera that can see through the dust that hides much "
    "of the inner galaxy from ordinary telescopes.",
    "The team said it would publish the full catalogue for other researchers next year.",
]


def chrome(outlet: str, body: list[str], headline: str, rail: list[str]) -> str:
    """Wraps an article body in an invented outlet's page furniture."""
    lines = [
        "Home",
        "Local",
        "World",
        "Business",
        "Sport",
        f"Sign in to {outlet}",
        headline,
        "Share this article",
        "Advertisement",
        *body[:2],
        "Advertisement",
        *body[2:],
        "Read more",
    ]
    for teaser in rail:
        lines += [teaser.split(",")[0][:70], "2 hours ago", teaser]
    lines += [f"(c) 2026 {outlet}. All rights reserved.", "Contact us", "Privacy"]
    return "\n".join(lines)


def main() -> None:
    rail_star = [FOOTBALL[0], DROUGHT_WIRE[0]]  # a rail that quotes other stories' ledes
    rail_herald = [SCIENCE[0]]
    pages = [
        {
            "id": "wire-port",
            "source": "Wire",
            "published": "2026-03-10T06:00:00Z",
            "text": "\n".join(PORT_WIRE),
        },
        {
            "id": "star-port",
            "source": "Morning Star",
            "published": "2026-03-10T07:15:00Z",
            "text": chrome("Morning Star", PORT_WIRE, "Port strike stops grain ships", rail_star),
        },
        {
            "id": "herald-port",
            "source": "Valley Herald",
            "published": "2026-03-10T09:40:00Z",
            "text": chrome("Valley Herald", PORT_WIRE[:4], "Kestrel Bay dock strike", rail_herald),
        },
        {
            "id": "gazette-port",
            "source": "Coast Gazette",
            "published": "2026-03-11T05:00:00Z",
            "text": chrome("Coast Gazette", PORT_REWRITE, "Farmers fear long port dispute", []),
        },
        {
            "id": "star-drought",
            "source": "Morning Star",
            "published": "2026-03-12T08:00:00Z",
            "text": chrome(
                "Morning Star", DROUGHT_WIRE, "320 million for drought relief", [PORT_WIRE[0]]
            ),
        },
        {
            "id": "herald-drought",
            "source": "Valley Herald",
            "published": "2026-03-12T10:30:00Z",
            "text": chrome(
                "Valley Herald",
                [s.replace("Friday", "Friday morning") for s in DROUGHT_WIRE],
                "Drought package announced",
                rail_herald,
            ),
        },
        {
            "id": "star-football",
            "source": "Morning Star",
            "published": "2026-03-09T22:00:00Z",
            "text": chrome(
                "Morning Star", FOOTBALL, "Brandt double rescues Harbour City", [DROUGHT_WIRE[0]]
            ),
        },
        {
            "id": "herald-science",
            "source": "Valley Herald",
            "published": "2026-03-08T12:00:00Z",
            "text": chrome("Valley Herald", SCIENCE, "900 new variable stars found", [FOOTBALL[0]]),
        },
    ]
    out = Path(__file__).with_name("newswire-sample.jsonl")
    with out.open("w", encoding="utf-8") as f:
        for p in pages:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"wrote {len(pages)} pages to {out}")


if __name__ == "__main__":
    main()
