"""Small corpora of real-world shape: outlets with one or two pages each, so that no
line recurs on enough pages of its outlet to count as chrome. Per-page signals must
then remove the chrome: giant rails of headline-shaped teasers, comment and vote
widgets shared by sister outlets, and pages whose only "prose" is such lines.

Every text here is invented for these tests (stories, teasers, widget prompts, in
English, Indonesian and Spanish); nothing is copied from real pages.
"""

from __future__ import annotations

import random

import pytest

from conftest import FERRY, MUSEUM, ORCHARD, SATELLITE, filler, wire
from dedup import Corpus


def sets(c: Corpus) -> set[frozenset[str]]:
    return {frozenset(cl.ids) for cl in c.clusters()}


def words(s: str) -> list[str]:
    return "".join(ch.lower() if ch.isalnum() else " " for ch in s).split()


def has_line(article: str, line: str) -> bool:
    """True when `line` (compared word by word) is a line of `article`."""
    return any(words(a) == words(line) for a in article.split("\n"))


# -- invented material ---------------------------------------------------------------

# A tabloid-style story: one-sentence paragraphs, a quote ending in "?", one
# paragraph ending in "!". All of it is article and must stay.
MATCHSTICK = [
    "A retired postman has finished a matchstick model of his home town after "
    "thirty-one years of evenings at the kitchen table.",
    "Walter Brisk, 78, used more than 410,000 matches to rebuild every street, chapel "
    "and chip shop in Fallowmere, down to the bandstand in the park.",
    "His wife Edna, 75, said she had lost count of the holidays the couple cancelled so "
    "that he could finish another terrace of houses.",
    '"People ask me whether I mind sharing the spare room with a whole town," she said. '
    '"What else would I do with it, knit?"',
    "The finished model fills the bedroom from wall to wall and weighs almost as much as "
    "a small car, according to the builder who reinforced the floor.",
    '"I kept thinking, what if I go before the church spire is done?" Walter said with a laugh.',
    "Now the Fallowmere heritage trust wants to put the whole town on show this summer!",
    'Walter has other plans: "Next I am doing the seaside, pier and all."',
]

# A "most read" rail of headline-shaped teasers: truncated with an ellipsis, ending in
# "!" or "?", or bare headlines. Longer than the article it sits under.
MOST_READ = [
    "A cosy-read! Singer Lorna Vale curls up with a paperback in a knitted onesie while ...",
    "My sister was the only one who knew I had won the lottery until ...",
    "Inside the four million pound farmhouse where TV chef Marnie Holt grows every ...",
    "Fans left baffled as quiz host Derek Pine swaps the studio for a sheep farm in ...",
    "Is this the most awkward red carpet moment of the whole year?",
    "Reality star Tia Brennan unveils a dramatic new look and fans cannot cope!",
    "'I cried for a week': Olympic rower Sam Okoro opens up about the injury that ...",
    "The twelve pence kitchen trick that keeps your bread fresh for a fortnight ...",
    "EXCLUSIVE: Soap actress Jenna Marsh splits from her husband of nine years after ...",
    "Why do airline pilots never eat the same meal as each other on long flights?",
    "Hollywood heartthrob spotted buying a sandwich in a tiny mountain village ...",
    "Mother of three reveals how she feeds her family for thirty pounds a week and ...",
    "We tried the viral air fryer cake recipe and here is our honest verdict ...",
    "Grandad, 91, becomes the oldest man ever to finish the coastal marathon!",
    "What your choice of coffee mug says about your personality, according to ...",
    "Pop star's former partner breaks her silence after that awkward radio interview ...",
    "Shoppers rush to buy the cheap cardigan that looks just like a designer one",
    "Can you spot the cat hiding somewhere in this cluttered garden shed?",
    "Model shows off her sun-kissed glow on a yacht off the coast of the islands ...",
    "Police hunt a man who stole two hundred garden gnomes from a village fete ...",
    "Couple's fury as their neighbour builds a fence right through the middle of ...",
    "The one word you should never say to a waiter, according to a former ...",
    "Royal watchers spot a hidden detail in the new palace portrait that ...",
    "I swapped my office job for life on a canal boat and this is what ...",
    "Actor Rob Fenn looks unrecognisable as he debuts a bushy winter beard!",
    "Is your sofa making you ill? The hidden dangers lurking in your cushions",
    "TV presenter Holly Marr's secret heartache over her late father's ...",
    "Weather warning as forecasters predict the hottest weekend since ...",
]

BRIGHTSIDE_TOP = [
    "Brightside Daily",
    "Home | News | Showbiz | Femail | Money | Travel",
    "Sign in",
    "Subscribe",
]


def brightside_page(
    headline: str, body: list[str], teasers: list[str] = MOST_READ, *, share_bar: bool = True
) -> str:
    lines = [*BRIGHTSIDE_TOP, headline, "By Marla Quent for Brightside Daily", *body]
    if share_bar:
        lines.append("Share or comment on this article")
    lines += ["Most Read", *teasers, "Back to top"]
    lines.append("Brightside Daily Media Group, all rights reserved")
    return "\n".join(lines)


# A comment widget two sister outlets of one publisher embed: interface prose
# (questions and prompts addressed to the reader) between buttons.
WIDGET_EN = [
    "Comments",
    "Join the conversation",
    "You must be signed in to comment on this article.",
    "Sign in",
    "Register",
    "12 new comments on this article",
    "Show new comments",
    "Sort by",
    "Newest",
    "Oldest",
    "Are you sure you want to submit this vote?",
    "Submit",
    "Cancel",
    "Are you sure you want to mark this comment as inappropriate?",
    "Mark as inappropriate",
    "Cancel",
    "Are you sure you want to delete this comment? This cannot be undone.",
    "Delete",
    "Cancel",
    "Thank you. Your report has been sent to our moderators for review.",
    "You have already voted on this comment.",
    "Comments on this article are moderated and may take a few minutes to appear.",
    "Load more comments",
]

WIDGET_ID = [
    "Komentar",
    "Tulis komentar Anda",
    "Anda harus masuk terlebih dahulu untuk berkomentar pada artikel ini.",
    "Masuk",
    "Daftar",
    "5 komentar baru pada artikel ini",
    "Tampilkan komentar baru",
    "Urutkan",
    "Terbaru",
    "Terlama",
    "Apakah Anda yakin ingin memberikan suara untuk komentar ini?",
    "Kirim",
    "Batal",
    "Apakah Anda yakin ingin melaporkan komentar ini sebagai tidak pantas?",
    "Laporkan",
    "Batal",
    "Apakah Anda yakin ingin menghapus komentar ini? Tindakan ini tidak dapat dibatalkan.",
    "Hapus",
    "Batal",
    "Terima kasih. Laporan Anda sudah kami teruskan kepada moderator untuk ditinjau.",
    "Anda sudah memberikan suara.",
    "Komentar pada artikel ini dimoderasi dan mungkin baru muncul beberapa menit lagi.",
    "Muat lebih banyak komentar",
]


def sister_page(site: str, headline: str, body: list[str], widget: list[str]) -> str:
    lines = [site, "News | Region | Sport | Opinion", headline, f"Staff reporter, {site}"]
    lines += [*body, "Share", *widget, f"{site} is part of the Northgate Media family"]
    return "\n".join(lines)


# -- item 1: a rail shared by the two pages of one outlet ------------------------------


def test_a_giant_teaser_rail_shared_by_an_outlets_two_pages_makes_no_copy() -> None:
    c = Corpus()
    c.add("b-model", brightside_page("Postman finishes matchstick town", MATCHSTICK), source="b")
    c.add("b-ferry", brightside_page("Ferry hits reef in the night", FERRY), source="b")
    c.add("w-model", wire(MATCHSTICK))
    c.add("w-ferry", wire(FERRY))
    assert c.explain("b-model", "b-ferry") is None
    assert sets(c) == {frozenset({"b-model", "w-model"}), frozenset({"b-ferry", "w-ferry"})}


@pytest.mark.parametrize("share_bar", [True, False], ids=["share-bar", "rail-right-after"])
def test_the_article_under_a_teaser_rail_is_the_story_not_the_rail(share_bar: bool) -> None:
    c = Corpus()
    text = brightside_page("Postman finishes matchstick town", MATCHSTICK, share_bar=share_bar)
    c.add("b-model", text, source="b")
    art = c.article("b-model")
    assert not any(has_line(art, t) for t in MOST_READ)
    # short paragraphs, a quote ending in "?" and a line ending in "!" are all article
    assert all(has_line(art, p) for p in MATCHSTICK)


# -- item 2: a comment widget shared by sister outlets ---------------------------------


@pytest.mark.parametrize("widget", [WIDGET_EN, WIDGET_ID], ids=["en", "id"])
def test_a_comment_widget_shared_by_sister_outlets_makes_no_copy(widget: list[str]) -> None:
    c = Corpus()
    c.add(
        "n-orchard",
        sister_page("Northgate Chronicle", "Frost ruins valley blossom", ORCHARD, widget),
        source="northgate-chronicle.example",
    )
    c.add(
        "n-museum",
        sister_page("Northgate Evening", "Museum returns carved masks", MUSEUM, widget),
        source="northgate-evening.example",
    )
    c.add("w-orchard", wire(ORCHARD))
    c.add("w-museum", wire(MUSEUM))
    assert c.explain("n-orchard", "n-museum") is None
    assert sets(c) == {
        frozenset({"n-orchard", "w-orchard"}),
        frozenset({"n-museum", "w-museum"}),
    }
    for pid in ("n-orchard", "n-museum"):
        art = c.article(pid)
        assert not any(has_line(art, w) for w in widget), pid


# -- item 4: per-page signals carry chrome removal in a small corpus -------------------

# A promoted-content widget an advertising network serves on many unrelated sites.
PROMOTED_EN = [
    "Promoted Stories",
    "Doctors are stunned: this simple morning habit melts away belly fat ...",
    "Homeowners are switching to this clever heating trick before the winter!",
    "The new electric car everyone in your town is suddenly talking about ...",
    "Forget expensive hearing aids: this tiny device is changing lives ...",
    "Seniors born before 1965 can now claim this little-known benefit!",
    "Why is nobody talking about this new investment app yet?",
    "You will not believe what these child stars look like today ...",
    "Drivers with no accidents in the last three years should read this ...",
    "Sponsored by Linkvault",
]

PROMOTED_ES = [
    "Contenido patrocinado",
    "Los médicos no se lo creen: este sencillo hábito matutino elimina la grasa ...",
    "Los propietarios cambian a este truco de calefacción antes del invierno!",
    "El nuevo coche eléctrico del que todo tu barrio está hablando ahora ...",
    "Olvida los audífonos caros: este pequeño aparato está cambiando vidas ...",
    "¡Los jubilados nacidos antes de 1965 ya pueden pedir esta ayuda poco conocida!",
    "¿Por qué nadie habla todavía de esta nueva aplicación de ahorro?",
    "No creerás cómo lucen hoy estos actores infantiles de los noventa ...",
    "Los conductores sin accidentes en los últimos tres años deberían leer esto ...",
    "Patrocinado por Linkvault",
]


def paywalled_page(site: str, headline: str, standfirst: str, promoted: list[str]) -> str:
    """A page whose article is behind a paywall: a headline, a standfirst and chrome."""
    return "\n".join(
        [
            site,
            "Home | Politics | Business | Culture",
            headline,
            standfirst,
            "Subscribe to read the full story",
            "Already a subscriber? Sign in",
            *promoted,
            f"{site} 2024",
        ]
    )


def full_page(site: str, headline: str, body: list[str], promoted: list[str]) -> str:
    lines = [site, "Home | Politics | Business | Culture", headline, "By the news desk", *body]
    return "\n".join([*lines, "Share", *promoted, f"{site} 2024"])


@pytest.mark.parametrize("promoted", [PROMOTED_EN, PROMOTED_ES], ids=["en", "es"])
def test_a_page_whose_only_prose_is_a_promoted_widget_has_no_article(promoted: list[str]) -> None:
    c = Corpus()
    c.add(
        "paywalled",
        paywalled_page(
            "The Lakeshore Courier",
            "Council split over harbour plan",
            "Councillors argued late into the night over the new breakwater.",
            promoted,
        ),
        source="lakeshore.example",
    )
    c.add(
        "satellite",
        full_page("Riverside Gazette", "Student satellite in orbit", SATELLITE, promoted),
        source="riverside.example",
    )
    c.add("w-satellite", wire(SATELLITE))
    assert c.article("paywalled") == ""
    assert not any(has_line(c.article("satellite"), t) for t in promoted)
    assert c.explain("paywalled", "satellite") is None
    assert sets(c) == {frozenset({"satellite", "w-satellite"})}


# An interview printed as questions and answers: questions end in "?" outside
# quotation marks, yet they are article.
INTERVIEW = [
    "The lighthouse on Skerra Rock was automated in 1987, but Ines Marlow, 81, still "
    "climbs its 160 steps every Sunday to polish the brass.",
    "What made you stay on the island after the keepers left?",
    "Nobody asked me to leave, and the rock had become the only place where I could "
    "sleep through a storm without waking at every gust.",
    "Do you miss the work itself, the watches and the logbooks?",
    "I miss the logbooks most of all, because every page was a conversation with the "
    "keepers who had written the pages before mine.",
    "What will happen to the tower when you can no longer climb it?",
    "The heritage board has promised to open it to visitors, and I have left them a "
    "list of every loose step and every draughty window.",
]


def test_an_interview_in_questions_and_answers_is_kept_whole() -> None:
    c = Corpus()
    c.add("interview", brightside_page("The last keeper of Skerra Rock", INTERVIEW), source="b")
    art = c.article("interview")
    assert all(has_line(art, p) for p in INTERVIEW)
    assert not any(has_line(art, t) for t in MOST_READ)


# -- the same page in a large corpus gives the same article ---------------------------


def generated_corpus(n_outlets: int, pages_per_outlet: int) -> list[tuple[str, str, str]]:
    """(id, source, text) of invented pages: many outlets, each with its menu, footer
    and a rail of other stories' headlines and ledes, around filler stories, some of
    them carried by two or three outlets."""
    rng = random.Random(11)
    out = []
    n = 0
    for o in range(n_outlets):
        site = f"Outlet {o} News"
        menu = " | ".join(rng.sample(["Home", "World", "Local", "Sport", "Money", "Life"], 4))
        for _ in range(pages_per_outlet):
            story = rng.randrange(n_outlets * pages_per_outlet // 2)
            body = filler(story, paragraphs=rng.randint(3, 6))
            rail = []
            for other in rng.sample(range(5000, 9000), 3):
                rail += [f"Story number {other} of the day", f"{rng.randint(1, 23)} hours ago"]
                rail.append(filler(other, paragraphs=1)[0])
            lines = [site, menu, f"Headline of story {story}", "By staff", *body, "Related", *rail]
            out.append((f"g{n}", f"outlet{o}.example", "\n".join([*lines, f"(c) {site}"])))
            n += 1
    return out


def test_a_page_gives_the_same_article_alone_and_among_thousands() -> None:
    page_text = brightside_page("Postman finishes matchstick town", MATCHSTICK)
    alone = Corpus()
    alone.add("b-model", page_text, source="b")
    big = Corpus(progress=False)
    big.add_many({"id": i, "text": t, "source": s} for i, s, t in generated_corpus(600, 5))
    # Its outlet's other pages carry the same rail, so there it recurs on the
    # outlet; its story has copies elsewhere.
    for n, story in enumerate([FERRY, MUSEUM, ORCHARD, SATELLITE]):
        big.add(f"b-{n}", brightside_page(f"Other story {n}", story), source="b")
    big.add("w-model", wire(MATCHSTICK))
    big.add("b-model", page_text, source="b")
    assert len(big) > 3000
    assert big.article("b-model") == alone.article("b-model")
    assert all(has_line(alone.article("b-model"), p) for p in MATCHSTICK)


@pytest.mark.parametrize("widget", [WIDGET_EN, WIDGET_ID], ids=["en", "id"])
def test_a_widget_page_gives_the_same_article_alone_and_where_the_widget_is_everywhere(
    widget: list[str],
) -> None:
    """Alone, shape removes the widget; where a dozen other outlets print it too, it
    also recurs across the corpus. Either way the article is the same."""
    text = sister_page("Northgate Chronicle", "Frost ruins valley blossom", ORCHARD, widget)
    alone = Corpus()
    alone.add("n-orchard", text, source="northgate-chronicle.example")
    crowd = Corpus()
    crowd.add("n-orchard", text, source="northgate-chronicle.example")
    for n in range(12):
        crowd.add(
            f"other{n}",
            sister_page(f"Site {n}", f"Story {n}", filler(200 + n, paragraphs=4), widget),
            source=f"site{n}.example",
        )
    assert crowd.article("n-orchard") == alone.article("n-orchard")
    assert all(has_line(alone.article("n-orchard"), p) for p in ORCHARD)
