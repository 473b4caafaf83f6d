"""Each stage of the news pipeline on invented pages: chrome removal, rails of other
stories' ledes, passage alignment, clustering without chaining, representatives,
kinds, degenerate pages, non-Latin scripts and determinism."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (
    FERRY,
    FERRY_QUOTE,
    FERRY_REWRITE,
    HARBOUR,
    MERIDIAN,
    MUSEUM,
    MUSEUM_QUOTE,
    ORCHARD,
    OUTLETS,
    RAIL,
    RAIL_QUOTE,
    RAIL_REWRITE,
    REPO,
    SATELLITE,
    STORIES,
    VALLEY,
    Outlet,
    filler,
    lede,
    page,
    rail_item,
    wire,
)
from dedup import Corpus


def sets(c: Corpus) -> set[frozenset[str]]:
    return {frozenset(cl.ids) for cl in c.clusters()}


def words(s: str) -> list[str]:
    """Lower-cased words, for comparing texts across quote styles and whitespace."""
    return "".join(ch.lower() if ch.isalnum() else " " for ch in s).split()


def contains_words(haystack: str, needle: str) -> bool:
    return " ".join(words(needle)) in " ".join(words(haystack))


# -- chrome removal ------------------------------------------------------------------


def harbour_corpus() -> Corpus:
    """Four Harbour Herald pages: the ferry story, and three unrelated stories whose
    rails all tease the ferry story with its lede (so that lede recurs on the outlet),
    plus a copy of the ferry story elsewhere."""
    c = Corpus()
    c.add(
        "h-ferry",
        page(
            HARBOUR,
            "Ferry strikes reef, hundreds evacuated",
            FERRY,
            rail=[rail_item(RAIL, "Train drivers walk out", "2 hours ago")],
        ),
        source=HARBOUR.name,
    )
    for n in range(3):
        c.add(
            f"h-other{n}",
            page(
                HARBOUR,
                f"Town council story number {n} of the week",
                filler(n),
                rail=[
                    rail_item(
                        FERRY, "Ferry strikes reef, hundreds evacuated", f"{n + 1} hours ago"
                    ),
                    rail_item(SATELLITE, "Student satellite reaches orbit", "Yesterday 18:40"),
                ],
            ),
            source=HARBOUR.name,
        )
    c.add("m-ferry", page(MERIDIAN, "Night evacuation in rough seas", FERRY), source=MERIDIAN.name)
    c.add("w-satellite", wire(SATELLITE))
    return c


CHROME_LINES = [
    *HARBOUR.menu,
    HARBOUR.login,
    HARBOUR.ad,
    *HARBOUR.footer,
    "Share this article",
    HARBOUR.rail_title,
    "Photo: file image supplied to the newsroom",
]


def test_chrome_is_removed_and_paragraphs_kept() -> None:
    c = harbour_corpus()
    art = c.article("h-ferry")
    lines = art.split("\n")
    for chrome in CHROME_LINES:
        assert chrome not in lines, chrome
    assert HARBOUR.login not in art
    assert "Copyright Harbour Herald" not in art
    assert HARBOUR.ad not in art
    # every paragraph of the story is kept (the lede too, though the rails repeat it)
    for para in FERRY:
        assert contains_words(art, para), para[:50]
    # the rail's teaser for the rail strike story is gone
    assert not contains_words(art, lede(RAIL))
    assert "Train drivers walk out" not in art


def test_rail_teasers_are_removed_from_other_pages() -> None:
    c = harbour_corpus()
    for n in range(3):
        art = c.article(f"h-other{n}")
        assert not contains_words(art, lede(FERRY)), art
        assert not contains_words(art, lede(SATELLITE)), art
        assert "hours ago" not in art
        for para in filler(n):
            assert contains_words(art, para)
        for chrome in CHROME_LINES:
            assert chrome not in art.split("\n")


def test_a_rail_quoting_a_lede_does_not_make_a_copy() -> None:
    c = harbour_corpus()
    assert sets(c) == {frozenset({"h-ferry", "m-ferry"})}
    for n in range(3):
        pid = f"h-other{n}"
        assert c.matches(pid) == []
        assert c.explain(pid, "h-ferry") is None
        assert c.explain(pid, "m-ferry") is None
        assert c.explain(pid, "w-satellite") is None


def test_a_rail_teaser_on_a_single_page_does_not_make_a_copy() -> None:
    """Even without recurrence: one page whose rail quotes the satellite lede."""
    c = Corpus()
    c.add("w-sat", wire(SATELLITE))
    c.add(
        "v-orchard",
        page(
            VALLEY,
            "Frost ruins blossom",
            ORCHARD,
            rail=[rail_item(SATELLITE, "Satellite up", "1 hour ago")],
        ),
        source=VALLEY.name,
    )
    c.add("w-orchard", wire(ORCHARD))
    assert sets(c) == {frozenset({"v-orchard", "w-orchard"})}
    assert c.explain("v-orchard", "w-sat") is None
    assert all(m.other != "w-sat" for m in c.query(c.text("v-orchard"), source=VALLEY.name))


COMMUTE = [
    "Thousands of commuters faced long delays on Thursday morning after a signal failure near "
    "the central station left trains stuck in tunnels for up to two hours, and the city "
    "transport authority said it would review how passengers were kept informed.",
    *filler(77),
]

STAMPLESS_RAILS = {
    # a headline of five or more words, then the lede: the lede is a lone prose run
    "headline-then-lede": [
        ["Signal failure strands thousands of commuters", lede(COMMUTE)],
        ["Late frost ruins the valley apple blossom", lede(ORCHARD)],
    ],
    # lede, then a short "Read more" link: short lines bridge the ledes into a run
    "lede-then-read-more": [[lede(COMMUTE), "Read more"], [lede(ORCHARD), "Read more"]],
}


def stampless_rail_corpus(rail: list[list[str]], host_has_copies: bool) -> Corpus:
    c = Corpus()
    c.add("x-wire", wire(COMMUTE))
    c.add(
        "x-copy", page(MERIDIAN, "Signal failure strands commuters", COMMUTE), source=MERIDIAN.name
    )
    if host_has_copies:
        c.add("host-wire", wire(MUSEUM))
    c.add("host", page(HARBOUR, "Museum returns masks", MUSEUM, rail=rail), source=HARBOUR.name)
    return c


@pytest.mark.parametrize("rail", STAMPLESS_RAILS.values(), ids=STAMPLESS_RAILS.keys())
def test_a_stampless_rail_does_not_make_a_copy_when_the_host_story_has_copies(
    rail: list[list[str]],
) -> None:
    c = stampless_rail_corpus(rail, host_has_copies=True)
    assert sets(c) == {frozenset({"x-wire", "x-copy"}), frozenset({"host", "host-wire"})}
    assert c.explain("host", "x-wire") is None


@pytest.mark.parametrize(
    "rail",
    [
        STAMPLESS_RAILS["headline-then-lede"],
        pytest.param(
            STAMPLESS_RAILS["lede-then-read-more"],
            marks=pytest.mark.xfail(
                strict=True,
                reason="known limit: teasers separated only by short 'Read more' lines are "
                "bridged into the article run like an ad marker inside a body, and on a page "
                "whose own story has no other copy the coherence pass has no neighbour "
                "partners to compare with, so the teaser counts as a shared passage",
            ),
        ),
    ],
    ids=list(STAMPLESS_RAILS),
)
def test_a_stampless_rail_does_not_make_a_singleton_page_a_copy(rail: list[list[str]]) -> None:
    c = stampless_rail_corpus(rail, host_has_copies=False)
    assert c.explain("host", "x-wire") is None
    assert sets(c) == {frozenset({"x-wire", "x-copy"})}


# -- alignment -------------------------------------------------------------------------


def test_passages_point_at_the_shared_quote_across_quote_styles_and_spacing() -> None:
    c = Corpus()
    a_text = page(HARBOUR, "Ferry hits reef", FERRY)  # curly quotes
    b_text = page(VALLEY, "Night rescue", FERRY_REWRITE).replace(" the water", "   the \t water")
    assert '"We heard' in b_text and "\u201cWe heard" in a_text
    c.add("a", a_text, source=HARBOUR.name)
    c.add("b", b_text, source=VALLEY.name)
    m = c.explain("a", "b")
    assert m is not None
    assert m.kind == "rewritten"
    quote_words = " ".join(words(FERRY_QUOTE))
    hits = [p for p in m.passages if quote_words[:60] in " ".join(words(p.text))]
    assert hits, m.passages
    p = hits[0]
    assert a_text[p.start : p.end] == p.text
    assert b_text[p.other_start : p.other_end] == p.other_text
    assert "\u201c" not in p.other_text or '"' not in p.other_text
    assert "   the \t water" in p.other_text
    assert words(p.text) == words(p.other_text)
    assert contains_words(p.text, "hull scrape the reef") and contains_words(
        p.other_text, "two sons"
    )
    # and the same from the other side
    back = c.explain("b", "a")
    assert back is not None
    for q in back.passages:
        assert b_text[q.start : q.end] == q.text
        assert a_text[q.other_start : q.other_end] == q.other_text


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([HARBOUR, MERIDIAN, VALLEY]),
    st.sampled_from([" ", "  ", " \u00a0", "\t"]),
    st.sampled_from(["", "\u00e9t\u00e9 ", "\U0001f6a2 ", "\u00bb "]),
)
def test_rewrite_offsets_hold_for_any_style(outlet, space: str, prefix: str) -> None:  # type: ignore[no-untyped-def]
    c = Corpus()
    orig = prefix + wire(RAIL)
    other = prefix + page(outlet, "Ore trains stand idle", RAIL_REWRITE).replace(" ", space)
    c.add("orig", orig)
    c.add("other", other, source=outlet.name)
    m = c.explain("orig", "other")
    assert m is not None
    assert m.kind == "rewritten"
    for p in m.passages:
        assert orig[p.start : p.end] == p.text
        assert other[p.other_start : p.other_end] == p.other_text
    assert any(contains_words(p.text, "real raise in six years") for p in m.passages)
    assert any(contains_words(p.other_text, "real raise in six years") for p in m.passages)


# -- clustering without chaining -----------------------------------------------------------


def test_a_roundup_page_does_not_merge_two_stories() -> None:
    c = Corpus()
    c.add("f-wire", wire(FERRY))
    c.add("f-harbour", page(HARBOUR, "Ferry hits reef", FERRY), source=HARBOUR.name)
    c.add("f-valley", page(VALLEY, "Night rescue", FERRY_REWRITE), source=VALLEY.name)
    c.add("r-wire", wire(RAIL))
    c.add("r-meridian", page(MERIDIAN, "Drivers strike", RAIL), source=MERIDIAN.name)
    c.add("r-valley", page(VALLEY, "Ore trains idle", RAIL_REWRITE), source=VALLEY.name)
    roundup = [FERRY[0], FERRY_QUOTE, RAIL[0], RAIL_QUOTE, MUSEUM[0], MUSEUM_QUOTE]
    c.add("roundup", page(HARBOUR, "The day in brief", roundup), source=HARBOUR.name)
    # the roundup genuinely shares passages with both stories ...
    assert c.explain("roundup", "f-wire") is not None
    assert c.explain("roundup", "r-wire") is not None
    # ... but the two stories stay apart
    ferry = {"f-wire", "f-harbour", "f-valley"}
    rail = {"r-wire", "r-meridian", "r-valley"}
    got = sets(c)
    for cl in got:
        assert not (cl & ferry and cl & rail), got
    assert any(ferry <= cl for cl in got), got
    assert any(rail <= cl for cl in got), got


def test_a_chain_of_partial_overlaps_does_not_become_one_story() -> None:
    """Page i shares one quote with page i-1 and another with page i+1, nothing else."""
    quotes = [FERRY_QUOTE, RAIL_QUOTE, MUSEUM_QUOTE, SATELLITE[1], ORCHARD[1]]
    c = Corpus()
    for i in range(len(quotes) - 1):
        body = [filler(10 + i)[0], quotes[i], filler(20 + i)[1], quotes[i + 1], filler(30 + i)[2]]
        c.add(f"link{i}", "\n".join(body))
    for i in range(len(quotes) - 2):
        assert c.explain(f"link{i}", f"link{i + 1}") is not None
    assert c.explain("link0", "link2") is None
    for cl in c.clusters():
        assert len(cl) <= 3, cl
        assert not {"link0", "link3"} <= set(cl.ids), cl


# -- representatives and kinds -------------------------------------------------------------


def test_representative_is_the_earliest_published() -> None:
    c = Corpus()
    c.add("late-wire", wire(MUSEUM), published="2024-04-02T10:00:00Z")
    c.add(
        "early-page",
        page(MERIDIAN, "Masks return", MUSEUM),
        source=MERIDIAN.name,
        published="2024-04-02T11:00:00+02:00",
    )  # 09:00 UTC
    c.add("undated", page(HARBOUR, "Masks return home", MUSEUM), source=HARBOUR.name)
    [cl] = c.clusters()
    assert cl.representative == "early-page"
    assert cl.ids == ["early-page", "late-wire", "undated"]


def test_representative_is_the_bare_wire_text_when_undated() -> None:
    c = Corpus()
    long_page = page(
        HARBOUR,
        "Masks return",
        MUSEUM,
        rail=[rail_item(FERRY, "Ferry hits reef"), rail_item(RAIL, "Drivers strike")],
    )
    c.add("chrome-page", long_page, source=HARBOUR.name)
    c.add("bare", wire(MUSEUM))
    c.add("chrome-page-2", page(MERIDIAN, "Masks go home", MUSEUM), source=MERIDIAN.name)
    assert len(long_page) > len(wire(MUSEUM))
    [cl] = c.clusters()
    assert cl.representative == "bare"
    assert cl.ids[0] == "bare"


def test_representative_is_the_longest_when_all_are_bare() -> None:
    c = Corpus()
    c.add("short", wire(MUSEUM[:3]))
    c.add("full", wire(MUSEUM))
    c.add("mid", wire(MUSEUM[:4]))
    [cl] = c.clusters()
    assert cl.representative == "full"


def test_kinds_syndicated_and_rewritten() -> None:
    c = Corpus()
    c.add("r-wire", wire(RAIL))
    c.add("r-copy", page(MERIDIAN, "Drivers strike", RAIL), source=MERIDIAN.name)
    c.add("r-trunc", page(VALLEY, "Drivers strike", RAIL[:3]), source=VALLEY.name)
    c.add("f-wire", wire(FERRY))
    c.add("f-rewrite", page(VALLEY, "Night rescue", FERRY_REWRITE), source=VALLEY.name)
    by_rep = {cl.representative: cl for cl in c.clusters()}
    assert set(by_rep) == {"r-wire", "f-wire"}
    assert by_rep["r-wire"].kind == "syndicated"
    assert set(by_rep["r-wire"].ids) == {"r-wire", "r-copy", "r-trunc"}
    assert by_rep["f-wire"].kind == "rewritten"
    m = c.explain("r-trunc", "r-wire")
    assert m is not None and m.kind == "syndicated"
    m = c.explain("f-rewrite", "f-wire")
    assert m is not None and m.kind == "rewritten"


# -- degenerate pages ------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=" \t\n\r\u00a0\u3000\u2028\f\v", max_size=40))
def test_empty_and_whitespace_pages_never_match(blank: str) -> None:
    c = Corpus()
    c.add("blank", blank)
    c.add("empty", "")
    c.add("blank2", blank + " ")
    c.add("wire", wire(FERRY))
    c.add("copy", page(HARBOUR, "Ferry", FERRY), source=HARBOUR.name)
    assert sets(c) == {frozenset({"wire", "copy"})}
    for pid in ("blank", "empty", "blank2"):
        assert c.matches(pid) == []
        assert c.article(pid) == ""
        for other in ("blank", "empty", "blank2", "wire"):
            if other != pid:
                assert c.explain(pid, other) is None
    assert c.query(blank) == []
    assert c.query("") == []


ZH_PAGE = "\n".join(
    [
        "首页",
        "国内",
        "登录后阅读全文",
        "山间小镇暴雨引发山洪，数百名居民连夜转移",
        "据当地应急管理部门周三通报，连续三天的强降雨使河水暴涨，冲毁了通往镇上的两座木桥，"
        "约四百名居民在夜间被转移到中学体育馆。",
        "一位在镇上经营茶馆三十年的老人说：“我从来没见过这么大的水，半夜听到响声，出门一看，"
        "院子里已经全是泥浆了。”",
        "救援人员表示，目前没有人员失踪，但镇上的电力和通讯仍未完全恢复，预计抢修工作还需要至少两天。",
        "广告",
        "气象部门提醒，未来一周山区仍有较强降雨，请居民远离河道和陡坡，注意防范山体滑坡。",
        "版权所有",
    ]
)

JA_PAGE = "\n".join(
    [
        "ホーム",
        "ニュース",
        "ログインして続きを読む",
        "北部の港町で百年続いた灯台が、住民の寄付によって修復され、今月から再び夜の海を照らし始めた。",
        "灯台を管理する保存会の会長は「子どもの頃から見てきた光が戻ってきて、町のみんなが本当に"
        "喜んでいます」と話した。",
        "修復には約二年かかり、老朽化したレンズや階段が職人の手で一つずつ直されたという。",
        "保存会は来年の夏から、灯台の内部を観光客に公開することも検討している。",
        "広告",
    ]
)


def test_identical_cjk_pages_cluster() -> None:
    c = Corpus()
    c.add("zh1", ZH_PAGE, source="a.example.cn")
    c.add("zh2", ZH_PAGE, source="b.example.cn")
    c.add("ja1", JA_PAGE, source="a.example.jp")
    c.add("ja2", JA_PAGE, source="b.example.jp")
    c.add("en", wire(FERRY))
    assert sets(c) == {frozenset({"zh1", "zh2"}), frozenset({"ja1", "ja2"})}
    assert all(cl.kind == "syndicated" for cl in c.clusters())
    m = c.explain("zh1", "zh2")
    assert m is not None
    assert any("强降雨" in p.text for p in m.passages)
    for p in m.passages:
        assert ZH_PAGE[p.start : p.end] == p.text == p.other_text
    assert "登录后阅读全文" not in c.article("zh1")
    assert "灯台" in c.article("ja1")


# -- determinism -----------------------------------------------------------------------------


def mixed_records() -> list[dict[str, str | None]]:
    recs: list[dict[str, str | None]] = []
    stories = {
        "ferry": (FERRY, FERRY_REWRITE),
        "rail": (RAIL, RAIL_REWRITE),
        "museum": (MUSEUM, None),
        "satellite": (SATELLITE, None),
        "orchard": (ORCHARD, None),
    }
    for name, (story, rewrite) in stories.items():
        recs.append({"id": f"{name}-wire", "text": wire(story), "source": None})
        for outlet in (HARBOUR, MERIDIAN):
            others = [s for k, (s, _) in stories.items() if k != name][:2]
            recs.append(
                {
                    "id": f"{name}-{outlet.name[:4]}",
                    "text": page(
                        outlet,
                        f"{name} headline",
                        story,
                        rail=[rail_item(o, "Teaser headline here") for o in others],
                    ),
                    "source": outlet.name,
                }
            )
        if rewrite:
            recs.append(
                {
                    "id": f"{name}-rw",
                    "text": page(VALLEY, "Rewrite", rewrite),
                    "source": VALLEY.name,
                }
            )
    for n in range(4):
        recs.append(
            {"id": f"filler{n}", "text": page(VALLEY, "Local", filler(n)), "source": VALLEY.name}
        )
    return recs


def summary(c: Corpus) -> list[tuple[str, tuple[str, ...], str]]:
    return sorted((cl.representative, tuple(sorted(cl.ids)), cl.kind) for cl in c.clusters())


def test_mixed_corpus_finds_every_story() -> None:
    c = Corpus()
    c.add_many(mixed_records())
    got = {frozenset(cl.ids) for cl in c.clusters()}
    want = set()
    for name in ("ferry", "rail", "museum", "satellite", "orchard"):
        ids = {f"{name}-wire", f"{name}-harb", f"{name}-meri"}
        if name in ("ferry", "rail"):
            ids.add(f"{name}-rw")
        want.add(frozenset(ids))
    assert got == want


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_clusters_do_not_depend_on_insertion_order(rng: random.Random) -> None:
    recs = mixed_records()
    base = Corpus()
    base.add_many(recs)
    shuffled = list(recs)
    rng.shuffle(shuffled)
    other = Corpus()
    other.add_many(shuffled)
    assert summary(other) == summary(base)


# A passage whose inside is a common phrase (on more pages than the cap) counts only
# through the rare k-grams at its edges, which reach into each page's own context.
COMMON = (
    "officials said further details would be released once the relevant authorities had "
    "been informed of the findings"
)
PRE = "In a short statement on its website"
WALL = "nobody could have predicted that the old harbour wall would give way so quickly"


def edge_records() -> list[dict[str, str]]:
    recs = [
        {"id": f"bg{i}", "text": "\n".join([*filler(500 + i, 2), f"{PRE}, {COMMON}."])}
        for i in range(12)
    ]
    a = [
        filler(1)[0],
        f"Residents told reporters that {WALL}, and they demanded answers.",
        f"Late on Friday evening, {COMMON}.",
        filler(2)[0],
    ]
    b = [filler(3)[0], f"A fisherman said {WALL}, standing on the quay.", f"{PRE}, {COMMON}."]
    recs.append({"id": "a", "text": "\n".join(a)})
    recs.append({"id": "b", "text": "\n".join([*b, filler(4)[0]])})
    return recs


def test_explain_is_symmetric() -> None:
    c = Corpus()
    c.add_many(edge_records())
    x, y = c.explain("a", "b"), c.explain("b", "a")
    assert (x is None) == (y is None), (x, y)
    if x is not None and y is not None:
        assert (x.kind, x.shared_tokens, x.score) == (y.kind, y.shared_tokens, y.score)


def test_pair_found_whatever_the_insertion_order() -> None:
    forward, backward = Corpus(), Corpus()
    recs = edge_records()
    forward.add_many(recs)
    backward.add_many([*recs[:-2], recs[-1], recs[-2]])
    assert summary(forward) == summary(backward)


SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from test_news_stages import mixed_records, summary
    from dedup import Corpus
    c = Corpus()
    c.add_many(mixed_records())
    ms = sorted(
        (m.id, m.other, m.kind, round(m.score, 9), [list(vars(p).values()) for p in m.passages])
        for pid in c.ids
        for m in c.matches(pid)
    )
    print(json.dumps({"clusters": summary(c), "matches": ms}))
    """
)


def test_same_result_with_one_or_two_threads() -> None:
    out = []
    for threads in ("1", "2"):
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        r = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(Path(__file__).parent)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        out.append(json.loads(r.stdout))
    assert out[0]["clusters"]
    assert out[0] == out[1]


# -- scale of syndication ------------------------------------------------------------------


def test_a_story_carried_by_many_outlets_is_one_cluster_with_its_rewrite() -> None:
    """Forty outlets run one wire story verbatim, each in its own chrome, and one more
    rewrites it around its quote. Counting phrases per page would make every line and
    every k-gram of the story look as common as boilerplate; counted per distinct text
    they stay rare, so all the copies and the rewrite form one story."""
    c = Corpus()
    copies = []
    for n in range(40):
        outlet = Outlet(
            name=f"outlet{n}.example",
            menu=(f"Home {n}", "News", "Sport"),
            login=f"Log in to Outlet {n} to keep reading without limits today",
            ad="Advertisement",
            footer=(f"Outlet {n} news company, all rights reserved",),
        )
        pid = f"copy{n}"
        copies.append(pid)
        c.add(pid, page(outlet, "Ferry hits reef", FERRY), source=outlet.name)
    c.add("rewrite", page(VALLEY, "Night rescue at sea", FERRY_REWRITE), source=VALLEY.name)
    for n in range(30):
        c.add(f"other{n}", page(HARBOUR, f"Council news {n}", filler(n)), source=HARBOUR.name)
    clusters = c.clusters()
    assert len(clusters) == 1, [cl.ids for cl in clusters]
    assert set(clusters[0].ids) == {*copies, "rewrite"}


def test_a_heavy_rewrite_that_keeps_only_the_quote_is_found() -> None:
    """A heavy rewrite keeps nothing of the wire story but its quote, printed next to a
    stock sentence that other, unrelated pages also carry. The quote alone is enough,
    and the stock sentence's matches elsewhere must not make the quote look like a
    teaser for another story."""
    stock = "The regional maritime authority was set up in 1961 to oversee such matters."
    c = Corpus()
    c.add("wire", wire(FERRY))
    c.add("copy", page(MERIDIAN, "Ferry hits reef", FERRY), source=MERIDIAN.name)
    heavy = [
        "Islanders on the Karvel ferry route are asking hard questions this week.",
        FERRY_QUOTE,
        stock,
        "Local councillors plan a public meeting about the crossing on Thursday evening.",
    ]
    c.add("heavy", page(VALLEY, "Questions after reef scare", heavy), source=VALLEY.name)
    for n in range(6):
        body = [*filler(200 + n), stock, *filler(300 + n, paragraphs=1)]
        c.add(f"other{n}", page(HARBOUR, f"Harbour works {n}", body), source=HARBOUR.name)
    story = next(cl for cl in c.clusters() if "wire" in cl.ids)
    assert set(story.ids) == {"wire", "copy", "heavy"}
    m = c.explain("heavy", "wire")
    assert m is not None and m.kind == "rewritten"


# -- identical copies ----------------------------------------------------------------------


def test_identical_pages_form_one_story_whatever_their_outlets() -> None:
    """Identical articles are verified and clustered once, through their first copy,
    and still reported page by page: 600 copies spread over outlets (some outlets
    carrying the same page many times, as a crawler that fetched it twice would)."""
    c = Corpus(progress=False)
    for n in range(600):
        outlet = OUTLETS[n % 3] if n % 2 else HARBOUR
        c.add(f"p{n}", page(outlet, "Ferry hits reef", FERRY), source=outlet.name)
    c.add("rewrite", page(VALLEY, "Night rescue at sea", FERRY_REWRITE), source=VALLEY.name)
    c.add("other", page(VALLEY, "Council news", filler(7)), source=VALLEY.name)
    clusters = c.clusters()
    assert len(clusters) == 1
    assert set(clusters[0].ids) == {f"p{n}" for n in range(600)} | {"rewrite"}
    assert clusters[0].kind == "rewritten"
    # p598 is a Harbour page; the rewrite is Valley's (pages of one outlet relate only
    # when they share most of their text, as outlets reuse their own template text).
    matches = c.matches("p598")
    assert {m.other for m in matches} == ({f"p{n}" for n in range(600)} - {"p598"}) | {"rewrite"}
    quote = next(m for m in matches if m.other == "rewrite")
    text = c.text("p598")
    assert all(text[p.start : p.end] == p.text for p in quote.passages)


def test_a_page_crawled_twice_by_one_outlet_is_a_syndicated_pair() -> None:
    c = Corpus(progress=False)
    text = page(MERIDIAN, "Ferry hits reef", FERRY)
    c.add("first", text, source=MERIDIAN.name)
    c.add("again", text, source=MERIDIAN.name)
    c.add("other", page(MERIDIAN, "Council news", filler(8)), source=MERIDIAN.name)
    clusters = c.clusters()
    assert [(set(cl.ids), cl.kind) for cl in clusters] == [({"first", "again"}, "syndicated")]


def test_without_sources_outlets_are_inferred_from_their_page_template() -> None:
    """Pages added without `source`. Each outlet shows the same rail of two bare ledes
    (no titles, no time stamps) on all its pages; the rail's two stories also have
    real copies elsewhere. The rail lines recur on few distinct texts and sit next
    to each other on the same pages, so only the outlet's own repetition gives them
    away. The outlet is inferred from the page's header and footer, so the rail is
    chrome just as when the sources are given, and the stories come out the same."""
    extra = {"fa": filler(90), "fb": filler(91)}
    stories = {**STORIES, **extra}
    rails = {0: ("satellite", "orchard"), 1: ("ferry", "museum"), 2: ("fa", "fb")}
    carried = {
        0: ("ferry", "museum", "rail", "fa"),
        1: ("rail", "fa", "fb", "satellite"),
        2: ("ferry", "museum", "satellite", "orchard"),
    }
    records = []
    for k, outlet in enumerate(OUTLETS):
        rail = [[lede(stories[name]), "Read more"] for name in rails[k]]
        bodies = [(name, stories[name]) for name in carried[k]]
        bodies += [(f"local{k}-{n}", filler(50 + 10 * k + n)) for n in range(2)]
        for name, body in bodies:
            text = page(outlet, f"{name} news", body, rail=rail)
            records.append({"id": f"{name}@{k}", "text": text, "source": outlet.name})
    want = set()
    for name in stories:
        copies = frozenset(f"{name}@{k}" for k in range(3) if name in carried[k])
        if len(copies) > 1:
            want.add(copies)
    for with_source in (True, False):
        c = Corpus(progress=False)
        c.add_many({**r, "source": r["source"] if with_source else None} for r in records)
        assert sets(c) == want, with_source
