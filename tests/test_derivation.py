"""How newsrooms derive articles from wire copy, on invented texts (issue 10).

A long wire story from a court, and what papers print from it: a brief cut and
reworded, a long article that mixes reworded wire sentences with its own reporting,
a short tabloid version next to a broadsheet one ten times longer, the story sent in
two takes, and an independent report of the same hearing that quotes the same
testimony word for word but tells the rest in its own words. Every text is invented.
"""

from __future__ import annotations

import pytest

from dedup import Corpus

WIRE = [
    "A retired lighthouse keeper who spent forty years guarding the coast of Marrow Point "
    "told Ellesford Crown Court today that he had been tricked out of his life savings by "
    "a man posing as a bank inspector.",
    "Tobias Wrenfield, 78, said the caller had warned him that thieves were draining his "
    "account and persuaded him to move 61,000 pounds into what he was told was a safe "
    "holding fund.",
    "Nathaniel Corbe, 34, of Fenwick Row, Harlow, denies fraud by false representation and "
    "money laundering.",
    "The prosecution says Corbe was one of three men who targeted elderly people living "
    "alone along the coast between March and October last year.",
    "Mr Wrenfield told the jury: \"He knew my mother's maiden name and the name of my first "
    'dog, so I believed every word he said to me on the telephone that evening."',
    "He said he had only realised something was wrong when his niece visited the following "
    "week and found that the holding fund did not exist.",
    "Prosecutor Imogen Saltley said the gang had bought personal details of pensioners from "
    "an online market and used them to win the trust of their victims.",
    "She told the court that at least fourteen people had lost a total of more than "
    "400,000 pounds, most of which has never been recovered.",
    "Detectives traced the money through a chain of accounts opened in false names at "
    "branches in Harlow, Chelmsford and Colchester, the jury heard.",
    "Corbe was arrested at a car wash he managed in Harlow, where police found eleven "
    "mobile phones and a notebook listing the names of pensioners.",
    "In a police interview read to the court, Corbe said he had lent the phones to friends "
    "and knew nothing about the notebook.",
    "The two other men charged over the scheme have pleaded guilty and will be sentenced "
    "at a later date.",
    "Mr Wrenfield said he now checked every call with his niece before answering questions "
    "about money.",
    '"I kept that light burning through every storm for forty years, and I have never felt '
    'as lost as I did when I learned the money was gone," he told the jury.',
    "The trial, expected to last three weeks, continues tomorrow.",
]

# A brief cut from the wire and reworded as it was cut: many short shared runs, no
# long passage.
BRIEF = (
    "A retired keeper who guarded the lighthouse at Marrow Point for forty years was "
    "tricked out of his savings by a man posing as a bank inspector, Ellesford Crown Court "
    "heard yesterday.\n"
    "Tobias Wrenfield, 78, said the caller warned him thieves were draining his account "
    "and talked him into moving 61,000 pounds to a safe holding fund.\n"
    "Nathaniel Corbe, 34, from Harlow, denies fraud and money laundering.\n"
    "The trial goes on."
)

# A long article: reworded wire sentences mixed with the paper's own reporting.
PARTIAL = [
    "A retired lighthouse keeper who guarded Marrow Point for forty years was tricked out "
    "of his life savings by a man who posed as a bank inspector, a jury in Ellesford heard.",
    "Tobias Wrenfield, 78, said the caller warned that thieves were draining his account and "
    "persuaded him to move 61,000 pounds into what he was told was a safe fund.",
    "Age Concern's coastal branch said yesterday it had taken more than two hundred calls "
    "from worried members since the case began, many from widows living on isolated farms.",
    "Its director, Priya Hallorann, said older people were often too embarrassed to report "
    "such calls, which meant the true number of victims was probably far higher.",
    "Nathaniel Corbe, 34, of Harlow, denies fraud by false representation and money laundering.",
    "The prosecution says the gang bought the personal details of pensioners from an online "
    "market to win the trust of their victims, and took more than 400,000 pounds in all.",
    "Trading standards officers in three counties said they had seen a rise in similar "
    "scams over the winter, with callers using local accents to sound trustworthy.",
    "Banks in the region have agreed to delay large transfers by pensioners for a day when "
    "staff suspect the customer is being coached on the telephone.",
]

# The same hearing reported independently: the testimony quoted word for word, the
# rest in the paper's own words.
INDEPENDENT = [
    "The lighthouse on Marrow Point has been automated for a decade, but the man who kept "
    "it for most of his life still wakes at four in the morning to look at the sea.",
    "Yesterday that man, Tobias Wrenfield, sat in the witness box in Ellesford and "
    "described a telephone call that cost him everything he had put aside.",
    "He told the jury: \"He knew my mother's maiden name and the name of my first dog, so "
    'I believed every word he said to me on the telephone that evening."',
    "Mr Wrenfield, dressed in a blazer with brass buttons, spoke slowly and paused often, "
    "glancing at the public gallery where his niece sat with her husband.",
    "Across the courtroom the defendant, a car wash manager from Harlow, kept his eyes on "
    "the papers in front of him and did not look up.",
    "Outside, a small group of pensioners who had travelled from the coast held a banner "
    "asking the government to make banks repay victims of telephone fraud.",
    "The hearing continues.",
]

# A short tabloid version and a long broadsheet version of the wire (ten times longer).
TABLOID = (
    "CONMEN fleeced ex-lighthouse keeper Tobias Wrenfield, 78, of 61,000 pounds by posing "
    "as a bank inspector, a court heard. Nathaniel Corbe, 34, denies fraud."
)
BROADSHEET = [
    *WIRE[:14],
    "Marrow Point lighthouse was built in 1874 and guided fishing fleets into the estuary "
    "for more than a century before it was automated.",
    "Mr Wrenfield lived in the keeper's cottage until his retirement and then moved to a "
    "flat in the village, where neighbours described him as a careful and private man.",
    "The trial, which is expected to last three weeks, continues today.",
]


def page(outlet: str, title: str, paras: list[str] | str) -> str:
    body = [paras] if isinstance(paras, str) else paras
    return "\n".join([f"{outlet}", "Home | News | Courts | Sport", title, *body, f"(c) {outlet}"])


def newsroom(*extra: tuple[str, str]) -> Corpus:
    """The wire, its copies in three papers, and `extra` (id, text) pages, among
    stories of other days so that word weights mean something."""
    c = Corpus()
    c.add("wire", "\n\n".join(WIRE), source="PA")
    for pid, text in extra:
        c.add(pid, text, source=pid)
    for n, other in enumerate(OTHER_STORIES):
        c.add(f"other{n}", other, source="PA")
    return c


OTHER_STORIES = [
    "A council in the north has approved plans for a new swimming pool after a campaign "
    "by parents who said children had to travel twenty miles for lessons.\n\nThe pool will "
    "open in two years and will be paid for by a grant and a rise in parking charges.",
    "Firefighters rescued three horses from a flooded field near the river on Sunday after "
    "heavy rain burst the banks overnight.\n\nThe animals were led to higher ground and "
    "checked by a vet, who said they were cold but unharmed.",
    "A bus company has apologised after a driver took a wrong turn and left forty "
    "passengers stuck on a narrow lane for three hours.\n\nThe company said the driver was "
    "new to the route and had followed a faulty satellite navigation system.",
    "A library in a market town has reopened after a two-year restoration that uncovered "
    "painted ceilings hidden under layers of plaster.\n\nVolunteers raised more than half "
    "of the cost through sales of second-hand books.",
]


def same_story(c: Corpus, a: str, b: str) -> bool:
    return any(a in s.ids and b in s.ids for s in c.clusters())


def test_a_brief_cut_and_reworded_from_the_wire_is_derived_and_joins_its_story() -> None:
    c = newsroom(("mirror", page("Daily Mirror", "Lighthouse man conned", BRIEF)))
    m = c.explain("mirror", "wire")
    assert m is not None and m.kind == "rewritten"
    # No long passage: the derivation shows in many short runs (shown as passages,
    # joined across a changed word or two), not in a copied paragraph.
    assert len(m.passages) >= 5
    assert max(len(p.text.split()) for p in m.passages) <= 15
    # Most of the brief comes from the wire, little of the wire is in the brief.
    assert m.coverage >= 0.5 > m.other_coverage
    assert m.vocabulary > 0.6
    assert same_story(c, "mirror", "wire")


def test_a_partly_derived_article_relates_with_a_low_coverage() -> None:
    c = newsroom(
        ("times", page("The Times", "Scam warning for coast pensioners", PARTIAL)),
        ("mirror", page("Daily Mirror", "Lighthouse man conned", BRIEF)),
    )
    m = c.explain("times", "wire")
    assert m is not None
    assert m.coverage < 0.5, "partly derived: less than half of the article is wire copy"
    assert m.coverage > 0.0
    assert same_story(c, "times", "wire")


def test_an_independent_report_sharing_the_testimony_stays_out_of_the_wire_story() -> None:
    c = newsroom(
        ("guardian", page("The Guardian", "The keeper's long night", INDEPENDENT)),
        ("mirror", page("Daily Mirror", "Lighthouse man conned", BRIEF)),
        ("times", page("The Times", "Scam warning for coast pensioners", PARTIAL)),
    )
    m = c.explain("guardian", "wire")
    # It may share the quote (and that passage is shown), but little of it is wire copy ...
    if m is not None:
        assert m.coverage < 0.5
        assert any("maiden name" in p.text for p in m.passages)
    # ... and it is not one of the wire's derived articles.
    assert not same_story(c, "guardian", "wire")
    assert same_story(c, "mirror", "wire") and same_story(c, "times", "wire")


def test_a_tabloid_brief_joins_a_broadsheet_story_ten_times_longer() -> None:
    c = newsroom(
        ("sun", page("The Sun", "LIGHTHOUSE CON", TABLOID)),
        ("telegraph", page("Daily Telegraph", "Keeper lost savings to fake inspector", BROADSHEET)),
        ("mirror", page("Daily Mirror", "Lighthouse man conned", BRIEF)),
    )
    assert len(" ".join(BROADSHEET).split()) > 10 * len(TABLOID.split())
    stories = [s for s in c.clusters() if "wire" in s.ids]
    assert len(stories) == 1
    assert {"sun", "telegraph", "mirror", "wire"} <= set(stories[0].ids)
    # Most of the tabloid's words are the broadsheet's, however reworded.
    m = c.explain("sun", "telegraph")
    assert m is not None and m.vocabulary >= 0.6


def test_briefs_of_different_parts_of_the_wire_form_one_story() -> None:
    # Four briefs, each cut from a different part of the wire, share little with one
    # another: they join the wire's story because each comes from it.
    briefs = [
        " ".join(WIRE[0:3]),
        " ".join(WIRE[3:6]),
        " ".join(WIRE[6:9]),
        " ".join(WIRE[9:12]),
    ]
    papers = ["Herald", "Courier", "Gazette", "Echo"]
    c = newsroom(*[(f"brief{i}", page(papers[i], "Court", b)) for i, b in enumerate(briefs)])
    story = [s for s in c.clusters() if "wire" in s.ids]
    assert len(story) == 1
    assert {f"brief{i}" for i in range(4)} <= set(story[0].ids)


@pytest.mark.parametrize("takes_first", [True, False])
def test_takes_of_one_story_join_through_the_articles_that_use_both(takes_first: bool) -> None:
    # The story sent in two takes: the add continues the first take and shares no
    # text with it. Papers that printed from both join the two.
    take1, take2 = "\n\n".join(WIRE[:8]), "\n\n".join(WIRE[8:])
    papers = [
        ("mail", page("Daily Mail", "Keeper conned", " ".join(WIRE[0:3] + WIRE[9:11]))),
        ("express", page("Daily Express", "Fake inspector", " ".join(WIRE[1:4] + WIRE[12:14]))),
        ("star", page("Daily Star", "Con", " ".join(WIRE[4:6] + WIRE[8:10]))),
    ]
    c = Corpus()
    pages = [("take1", take1), ("take2", take2), *papers]
    for pid, text in pages if takes_first else pages[::-1]:
        c.add(pid, text, source="PA" if pid.startswith("take") else pid)
    for n, other in enumerate(OTHER_STORIES):
        c.add(f"other{n}", other, source="PA")
    assert c.explain("take1", "take2") is None
    assert same_story(c, "take1", "take2")
    for pid, _ in papers:
        assert same_story(c, pid, "take1")


def test_rewrites_of_an_absent_wire_sharing_a_quote_are_one_story() -> None:
    # The seed pages' case: three outlets rewrite a wire story that is not in the
    # corpus; they share its quote and a few short phrases, and nothing else.
    quote = (
        '"We will open the northern crossing to lorries carrying grain and medicine from '
        'the first day of next month, and to all traffic once the bridge is repaired,"'
    )
    a = (
        f"The transport ministry of Corvania said on Thursday it would reopen a key border "
        f"crossing. {quote} the ministry said in a statement.\nOfficials gave no date for the "
        f"bridge repairs, which engineers estimate will take most of the summer."
    )
    b = (
        f"Corvania will partly reopen its northern crossing next month, according to a "
        f"government statement released late on Thursday. {quote} it said.\nTraders on both "
        f"sides have waited since the spring floods for the route to reopen."
    )
    d = (
        f"Lorries with grain and medicine will be the first allowed through, the statement "
        f"said. {quote} the ministry added.\nThe crossing handled a third of the country's "
        f"exports before it was closed."
    )
    c = Corpus()
    for n, text in enumerate([a, b, d]):
        outlet = ["North Post", "Daily Ledger", "River Times"][n]
        c.add(f"p{n}", page(outlet, "Crossing to reopen", text), source=outlet)
    for n, other in enumerate(OTHER_STORIES):
        c.add(f"other{n}", other, source="Wire")
    assert [sorted(s.ids) for s in c.clusters()] == [["p0", "p1", "p2"]]
