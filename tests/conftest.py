"""Shared helpers: invented wire stories, invented outlet chrome, and the shared/ path.

Every text here is made up for these tests; nothing is copied from the seeds or the
benchmark. Stories are lists of paragraphs; `page()` wraps a body in an outlet's
chrome (menu, login prompt, ad marker, caption, a "related stories" rail, footer).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_dir(*parts: str) -> Path:
    """A path under shared/, or skip the test when it is absent. Under CI (``CI=true``)
    an absent path fails the test instead: CI must run the acceptance tests."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        why = f"{p} is absent: the shared seeds/benchmark are not checked out next to the repo"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{why} (CI=true: the acceptance data must be there)")
        pytest.skip(why)
    return p


# -- invented wire stories --------------------------------------------------------------

FERRY_QUOTE = (
    "\u201cWe heard the hull scrape the reef and within ten minutes the water was up to our "
    "knees in the lower cabin,\u201d said Marta Elling, a teacher travelling with her two sons."
)

FERRY = [
    "A passenger ferry carrying 212 people struck a submerged reef off the Karvel Islands "
    "late on Tuesday, forcing a night-time evacuation in rough seas, the regional coast "
    "guard said.",
    FERRY_QUOTE,
    "All passengers and eleven crew were transferred to two fishing trawlers and a naval "
    "patrol boat before the vessel settled on its side in shallow water near Ostrin Point.",
    "Coast guard commander Pavo Lindqvist told reporters that four people were treated for "
    "hypothermia and one crew member for a broken wrist, but that nobody was missing.",
    "The ferry operator, Bluewake Lines, said the ship had passed its annual inspection in "
    "March and that an investigation into the route chosen by the captain had begun.",
    "Islanders have complained for years that the channel markers near Ostrin Point are "
    "poorly lit, and the harbour council had asked the ministry for new beacons last autumn.",
]

MUSEUM_QUOTE = (
    '"These carvings were taken from us in the dark and they come home today in daylight, '
    'in front of our children," said Elder Tomas Quillan at the handover ceremony.'
)

MUSEUM = [
    "The Halvorsen Museum in Brekstad returned fourteen carved cedar masks to the Saanwick "
    "people on Friday, more than a century after a collector shipped them across the ocean.",
    MUSEUM_QUOTE,
    "Museum director Ingrid Fossum said provenance research begun in 2019 had shown that the "
    "masks were removed from a ceremonial house while its owners were away at the fishing camps.",
    "The masks will be kept in a new community cultural centre on the Saanwick coast, which "
    "opened its climate-controlled gallery in the spring with help from a private foundation.",
    "Fossum said the museum was reviewing another two hundred objects in its collection and "
    "expected to announce further returns to at least three communities over the next year.",
]

RAIL_QUOTE = (
    '"Nobody on this line has had a real raise in six years, and the company keeps '
    'cutting the night crews while asking us to run more trains," union secretary '
    "Dorota Vask told the rally outside the depot."
)

RAIL = [
    "Freight train drivers across the northern network walked off the job at dawn on "
    "Monday, halting ore shipments to the port of Valdmark for the first time in a decade.",
    RAIL_QUOTE,
    "The operator, Nordvale Rail, said its offer of a four percent increase over two years "
    "was fair and accused the union of refusing to return to the negotiating table.",
    "Mining companies warned that stockpiles at the port would run out within a week, and "
    "the trade ministry said it was ready to appoint a mediator if talks did not resume.",
    "The strike is due to last 72 hours, but the union has said further stoppages are "
    "possible before the end of the month if no new proposal is put forward.",
]

SATELLITE = [
    "A weather satellite built by a consortium of five universities reached orbit on "
    "Thursday after a launch from the Tervola spaceport that had been delayed twice by wind.",
    '"Every student who soldered a cable on this spacecraft can look up tonight and know '
    'that part of their work is passing overhead," project lead Amina Sorvali said.',
    "The satellite carries an instrument designed to measure moisture in the upper "
    "atmosphere, which forecasters hope will improve warnings of sudden summer storms.",
    "Engineers expect to finish testing the instrument within six weeks, after which the "
    "data will be released free of charge to weather services and researchers.",
]

ORCHARD = [
    "Apple growers in the Lenning Valley say a late frost in the last week of April has "
    "destroyed up to two thirds of this year's blossom, the worst losses since records began.",
    '"You walk between the rows and the flowers are brown and hanging like wet paper, and '
    'there is nothing left to do but wait for next spring," grower Henrik Aas said.',
    "The regional farmers' association has asked the agriculture ministry for emergency "
    "support, saying many family orchards could not survive a season without income.",
    "Cider makers in the valley said they would buy fruit from neighbouring regions to keep "
    "their presses running, though prices were expected to rise sharply by the autumn.",
]

STORIES = {
    "ferry": FERRY,
    "museum": MUSEUM,
    "rail": RAIL,
    "satellite": SATELLITE,
    "orchard": ORCHARD,
}


def lede(story: list[str]) -> str:
    return story[0]


def wire(story: list[str], agency: str = "(Nordwire)") -> str:
    """The bare wire text: paragraphs separated by blank lines, nothing else."""
    return f"{agency} - " + "\n\n".join(story)


# -- invented outlet chrome -------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    name: str
    menu: tuple[str, ...]
    login: str
    ad: str
    footer: tuple[str, ...]
    rail_title: str = "Related stories"
    quote_open: str = "\u201c"
    quote_close: str = "\u201d"
    extras: tuple[str, ...] = field(default=())


HARBOUR = Outlet(
    name="harbourherald.example",
    menu=("Home", "Local", "World", "Business", "Sport", "Weather"),
    login="Sign in to your Harbour Herald account to keep reading without limits",
    ad="ADVERTISEMENT",
    footer=(
        "About us | Contact the newsroom | Terms of use | Privacy",
        "Copyright Harbour Herald Media Group, all rights reserved",
    ),
)

MERIDIAN = Outlet(
    name="meridianpost.example",
    menu=("Front page", "Nation", "Globe", "Money", "Culture"),
    login="Already a subscriber? Log in here for full access to Meridian Post",
    ad="Sponsored content",
    footer=(
        "Meridian Post newsletter: the day's news in your inbox every morning",
        "Meridian Post 2024",
    ),
    rail_title="Read more",
)

VALLEY = Outlet(
    name="valleygazette.example",
    menu=("Start", "Region", "Abroad", "Farming", "Video"),
    login="Create a free Valley Gazette login to comment on this article",
    ad="- Advert -",
    footer=(
        "Valley Gazette is a member of the regional press council",
        "Terms and conditions apply",
    ),
    rail_title="You might also like",
    quote_open='"',
    quote_close='"',
)

OUTLETS = [HARBOUR, MERIDIAN, VALLEY]


def requote(text: str, outlet: Outlet) -> str:
    """The text with its double quotes in the outlet's house style."""
    for q in ("\u201c", "\u201d", '"'):
        text = text.replace(q, "\x00")
    out, opening = [], True
    for ch in text:
        if ch == "\x00":
            out.append(outlet.quote_open if opening else outlet.quote_close)
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def rail_item(story: list[str], headline: str, stamp: str = "3 hours ago") -> list[str]:
    """A rail teaser: headline, a time stamp and the story's lede."""
    return [headline, stamp, lede(story)]


def page(
    outlet: Outlet,
    headline: str,
    body: list[str],
    *,
    byline: str = "By Staff Reporter",
    caption: str | None = "Photo: file image supplied to the newsroom",
    rail: list[list[str]] | None = None,
    ad_after: int = 2,
) -> str:
    """An article body in an outlet's chrome, one paragraph a line."""
    lines: list[str] = [*outlet.menu, outlet.login, headline, byline]
    if caption:
        lines.append(caption)
    for i, para in enumerate(body):
        if i == ad_after:
            lines.append(outlet.ad)
        lines.append(requote(para, outlet))
    lines.append("Share this article")
    if rail:
        lines.append(outlet.rail_title)
        for item in rail:
            lines.extend(item)
    lines.extend(outlet.footer)
    return "\n".join(lines)


_VOCAB = [
    "council",
    "harbour",
    "winter",
    "budget",
    "school",
    "river",
    "bridge",
    "market",
    "teacher",
    "farmer",
    "engineer",
    "road",
    "library",
    "museum",
    "station",
    "hospital",
    "garden",
    "festival",
    "village",
    "tower",
    "ferry",
    "island",
    "valley",
    "north",
    "south",
    "plan",
    "report",
    "meeting",
    "vote",
    "summer",
    "autumn",
    "spring",
    "repair",
    "storm",
    "roof",
    "window",
    "street",
    "bakery",
    "choir",
    "student",
    "parent",
    "doctor",
    "nurse",
    "driver",
    "painter",
    "singer",
    "builder",
    "mayor",
    "judge",
    "quietly",
    "slowly",
    "early",
    "late",
    "again",
    "often",
    "rarely",
    "newly",
    "openly",
    "fully",
    "nearly",
    "almost",
    "green",
    "old",
    "new",
    "small",
    "large",
    "quiet",
    "busy",
    "narrow",
    "broad",
    "local",
    "regional",
    "national",
    "coastal",
    "opened",
    "closed",
    "moved",
    "found",
    "built",
    "asked",
    "praised",
    "counted",
    "painted",
    "cleaned",
    "planted",
    "carried",
    "lantern",
    "basket",
    "ladder",
    "kettle",
    "blanket",
    "compass",
    "violin",
    "tractor",
    "bicycle",
    "carpet",
    "chimney",
]


def filler(n: int, paragraphs: int = 3) -> list[str]:
    """A made-up, self-contained story body distinct per `n`: random words from a small
    vocabulary, so two fillers share no long runs."""
    import random

    rng = random.Random(1000 + n)
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(_VOCAB) for _ in range(rng.randint(22, 30))]
        out.append(" ".join(words).capitalize() + ".")
    return out


# -- rewrites: different prose around the same quotes -------------------------------------

FERRY_REWRITE = [
    "Rescue crews worked through a stormy night to bring more than two hundred people off "
    "a ferry that ran onto rocks near the Karvel archipelago, according to officials.",
    "Survivors described a frightening scramble from the lower decks as the ship listed.",
    FERRY_QUOTE,
    "Fishermen from nearby villages joined the navy in ferrying the shivering travellers "
    "to the mainland, where a school gym was turned into a temporary shelter.",
    "Questions are now being asked about why the captain took the narrow passage in "
    "darkness and heavy swell instead of the longer route to the south.",
]

RAIL_REWRITE = [
    "Ore trains stood idle on Monday as drivers began a three-day stoppage over pay and "
    "staffing, leaving exporters worried about their contracts overseas.",
    RAIL_QUOTE,
    "Management insisted it had made a reasonable offer and said it wanted the drivers "
    "back at work while a mediator looked at the dispute.",
    "Shipping agents in the port said several bulk carriers were already waiting at anchor.",
]
