"""The HTML report: marking, escaping, collapsing, the seed acceptance, and a real
browser (headless Chromium) showing the marks."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, shared_dir
from dedup import Corpus, InvalidOptionError, cli
from dedup.report import highlight, render_report
from test_inputs import records

# -- parsing the report back ----------------------------------------------------------------


class Copies(HTMLParser):
    """Per copy (``section.copy``): its plain text and the character ranges inside
    ``<mark>``. Also checks that elements close in the order they opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.current: str | None = None
        self.text: dict[str, list[str]] = {}
        self.marks: dict[str, list[tuple[int, int]]] = {}
        self.mark_start: int | None = None
        self.in_text = False
        self.remote: list[str] = []

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key) and not str(a[key]).startswith("#"):
                self.remote.append(str(a[key]))
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "section" and a.get("class") == "copy":
            self.current = a["data-id"]
            self.text[self.current or ""] = []
            self.marks[self.current or ""] = []
        if tag == "div" and a.get("class") == "text" and self.current is not None:
            self.in_text = True
        if tag == "mark" and self.in_text:
            assert self.mark_start is None, "nested mark"
            self.mark_start = self._pos()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        if tag == "mark" and self.in_text and self.mark_start is not None:
            self.marks[self.current or ""].append((self.mark_start, self._pos()))
            self.mark_start = None
        if tag == "div" and self.in_text:
            self.in_text = False
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.in_text and self.current is not None:
            self.text[self.current].append(data)

    def _pos(self) -> int:
        return sum(map(len, self.text[self.current or ""]))

    def page(self, pid: str) -> tuple[str, list[tuple[int, int]]]:
        return "".join(self.text[pid]), self.marks[pid]


def parse(html: str) -> Copies:
    p = Copies()
    p.feed(html)
    p.close()
    assert p.stack == []
    return p


def marked(text: str, marks: list[tuple[int, int]], start: int, end: int) -> bool:
    """Every non-space character of text[start:end] lies inside a mark."""
    inside = [False] * len(text)
    for s, e in marks:
        for i in range(s, e):
            inside[i] = True
    return all(inside[i] or text[i].isspace() for i in range(start, end))


# -- highlight ----------------------------------------------------------------------------


def test_highlight_escapes_and_merges_overlaps() -> None:
    text = 'a <b> & "c" d e f g'
    out = highlight(text, [(0, 5, "x"), (3, 9, "y"), (14, 15, "x")])
    assert "<b>" not in out and "&lt;" in out and "&gt;" in out and "&amp;" in out
    p = Copies()
    p.feed(f'<section class="copy" data-id="t"><div class="text">{out}</div></section>')
    got, marks = p.page("t")
    assert got == text
    # overlapping ranges become adjacent, non-nested marks covering their union
    assert marked(text, marks, 0, 9) and marked(text, marks, 14, 15)
    assert not marked(text, marks, 10, 13)
    assert out.count("<mark") == 4  # x | x,y | y ; then x again
    assert 'title="shared with x, y"' in out


def test_highlight_never_crosses_chrome_and_marks() -> None:
    text = "menu\nbody text here\nfooter"
    out = highlight(text, [(2, 12, "o")], article=[(5, 19)])
    p = parse(f'<section class="copy" data-id="t"><div class="text">{out}</div></section>')
    got, marks = p.page("t")
    assert got == text
    assert marked(text, marks, 2, 12) and not marked(text, marks, 13, len(text))
    assert out.startswith('<span class="chrome">me</span><span class="chrome"><mark')
    assert highlight("", [(0, 3, "z")]) == ""
    assert highlight("abc", [(5, 9, "z"), (2, 1, "z")]) == "abc"


# -- report on invented pages ---------------------------------------------------------------


def small_corpus() -> Corpus:
    c = Corpus(progress=False)
    c.add_many(records())
    return c


def test_report_lists_stories_and_marks_shared_passages(tmp_path: Path) -> None:
    c = small_corpus()
    path = tmp_path / "report.html"
    c.report(path, title="Stories <today>")
    html = path.read_text(encoding="utf-8")
    assert "Stories &lt;today&gt;" in html
    assert "Content-Security-Policy" in html and "<script" not in html
    p = parse(html)
    assert p.remote == []
    for n, cl in enumerate(c.clusters()):
        assert f'id="story-{n}"' in html
        for pid in cl.ids:
            text, marks = p.page(pid)
            assert text == c.text(pid)
            assert marks, pid
            for other in cl.ids:
                m = c.explain(pid, other) if other != pid else None
                for ps in m.passages if m else []:
                    assert marked(text, marks, ps.start, ps.end), (pid, other, ps.text)
        for src in {s for s in cl.sources if s}:
            assert src in html
    alone = set(c.ids) - {pid for cl in c.clusters() for pid in cl.ids}
    assert not alone & set(p.text)


def test_large_reports_collapse_and_cap() -> None:
    c = small_corpus()
    html = render_report(c, max_clusters=2, max_copies=2, expanded=1)
    assert html.count("<details") == 2
    assert html.count('<details class="story" id="story-0" open>') == 1
    assert '<details class="story" id="story-1">' in html
    assert "more stories are not shown" in html
    assert "The first 2 of" in html
    assert max(html.count(f'data-id="{pid}"') for pid in c.ids) <= 1
    with pytest.raises(InvalidOptionError, match="max_copies"):
        render_report(c, max_copies=0)


# -- seed acceptance ------------------------------------------------------------------------

TRUE_STORY = ("000", "001", "002")


def seed_jsonl(tmp_path: Path) -> Path:
    d = shared_dir("seeds")
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    path = tmp_path / "seeds.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for name, m in sorted(meta.items()):
            text = (d / name).read_text(encoding="utf-8")
            f.write(json.dumps({"id": name[:3], "text": text, "source": m["source"]}) + "\n")
    return path


def words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


def longest_shared_by_all(c: Corpus) -> str:
    """The longest run of words that is inside a shared passage of every true pair."""
    runs = []
    for a, b in itertools.combinations(TRUE_STORY, 2):
        m = c.explain(a, b)
        assert m is not None
        runs.append([words(p.text) for p in m.passages])
    best: list[str] = []
    for ws in runs[0]:
        for i in range(len(ws)):
            for j in range(len(ws), i + len(best), -1):
                cand = ws[i:j]
                if all(any(_contains(o, cand) for o in other) for other in runs[1:]):
                    best = cand
                    break
    return " ".join(best)


def _contains(ws: list[str], sub: list[str]) -> bool:
    n = len(sub)
    return any(ws[i : i + n] == sub for i in range(len(ws) - n + 1))


def locate(text: str, quote: str) -> tuple[int, int]:
    pattern = r"\W+".join(map(re.escape, quote.split()))
    m = re.search(pattern, text, flags=re.IGNORECASE)
    assert m, quote
    return m.start(), m.end()


def test_seed_report_marks_the_shared_quote_in_all_three_copies(tmp_path: Path) -> None:
    path = seed_jsonl(tmp_path)
    out = tmp_path / "report.html"
    assert cli.main(["report", str(path), "-o", str(out), "--source-field", "source"]) == 0
    c = Corpus(progress=False)
    c.add_many(path)
    quote = longest_shared_by_all(c)
    assert len(quote.split()) >= 15, quote
    p = parse(out.read_text(encoding="utf-8"))
    for pid in TRUE_STORY:
        text, marks = p.page(pid)
        s, e = locate(text, quote)
        assert marked(text, marks, s, e), (pid, quote)
    assert "003" not in p.text and "004" not in p.text


# -- a real browser ---------------------------------------------------------------------------


def chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip(
            "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        )
    return browser, driver


def test_report_marks_are_visible_in_headless_chromium(tmp_path: Path) -> None:
    browser, driver_path = chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    c = small_corpus()
    report = tmp_path / "report.html"
    c.report(report, expanded=1)
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1600"):  # fmt: skip
        opts.add_argument(arg)
    try:
        driver = webdriver.Chrome(options=opts, service=Service(executable_path=driver_path))
    except Exception as e:  # pragma: no cover - a broken browser install
        pytest.skip(f"headless chromium would not start: {e}")
    try:
        driver.get(report.as_uri())
        first = driver.find_element(By.ID, "story-0")
        marks = first.find_elements(By.CSS_SELECTOR, "section.copy mark")
        assert marks
        visible = [m for m in marks if m.is_displayed() and m.size["width"] > 0]
        assert visible, "no mark of the open story is visible"
        bg = driver.execute_script(
            "return getComputedStyle(arguments[0]).backgroundColor", visible[0]
        )
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), bg
        for pid in c.clusters()[0].ids:
            copy = first.find_element(By.CSS_SELECTOR, f'section.copy[data-id="{pid}"]')
            assert copy.is_displayed()
            assert copy.find_elements(By.TAG_NAME, "mark"), pid
        # each copy's "first shared passage" link scrolls its box to the first mark
        for copy in first.find_elements(By.CSS_SELECTOR, "section.copy"):
            copy.find_element(By.LINK_TEXT, "first shared passage").click()
            in_box = driver.execute_script(
                "const m = arguments[0].querySelector('mark');"
                "const box = arguments[0].querySelector('.text').getBoundingClientRect();"
                "const r = m.getBoundingClientRect();"
                "return r.top >= box.top - 1 && r.top < box.bottom;",
                copy,
            )
            assert in_box, copy.get_attribute("data-id")
        # the collapsed stories hide their marks until opened
        second = driver.find_element(By.ID, "story-1")
        hidden = second.find_elements(By.CSS_SELECTOR, "section.copy mark")
        assert hidden and not any(m.is_displayed() for m in hidden)
        second.find_element(By.TAG_NAME, "summary").click()
        assert any(m.is_displayed() for m in hidden)
        # nothing was fetched: the page is self-contained
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert fetched == []
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        keep = REPO / "test-output"
        keep.mkdir(exist_ok=True)
        shutil.copy(shot, keep / "report.png")
    finally:
        driver.quit()


def test_api_reference_is_up_to_date() -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, str(REPO / "docs" / "gen_api.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
