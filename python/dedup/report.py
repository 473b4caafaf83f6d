"""A self-contained HTML report of the stories in a corpus.

One file, no network requests: the CSS is inline, there are no scripts, fonts or
images, and a Content-Security-Policy forbids loading anything. Each story is a
``<details>`` element listing its copies (outlet, time, kind and score against the
representative), then the copies side by side with every passage they share with
another shown copy wrapped in ``<mark>``. Overlapping passages are merged, so marks
never nest; a mark's ``title`` names the copies that share it. Page chrome (the lines
chrome removal dropped) is shown dimmed. Large corpora stay readable: only the first
stories are expanded, and at most `max_copies` copies of a story are shown in full.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise
from os import PathLike
from typing import TYPE_CHECKING

from dedup.errors import InvalidOptionError, StorageError

if TYPE_CHECKING:
    from dedup.corpus import Corpus
    from dedup.results import Cluster, Match

__all__ = ["render_report", "write_report"]

_CSS = """
:root { color-scheme: light; --mark: #ffe27a; --line: #d8d8d8; --dim: #8a8a8a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 110rem; color: #1d1d1d; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { text-align: left; padding: 0.2rem 0.7rem 0.2rem 0; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
details.story { border: 1px solid var(--line); border-radius: 6px; margin: 0.8rem 0;
                padding: 0.3rem 0.8rem; }
details.story > summary { cursor: pointer; font-weight: 600; padding: 0.3rem 0; }
.kind { display: inline-block; padding: 0 0.4rem; border-radius: 4px; font-size: 0.85em;
        background: #e8eefc; font-weight: 500; }
.kind.syndicated { background: #e3f4e1; }
.copies { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr));
          gap: 0.8rem; margin: 0.5rem 0; }
.copy { border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
.copy > header { padding: 0.4rem 0.6rem; background: #f6f6f6; border-bottom: 1px solid var(--line);
                 font-size: 0.9em; }
.copy .text { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.5rem 0.6rem;
              max-height: 36rem; overflow-y: auto; font-size: 0.92em; }
.chrome { color: var(--dim); }
mark { background: var(--mark); color: inherit; padding: 0 1px; border-radius: 2px; }
.note { color: #555; font-size: 0.9em; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def write_report(
    corpus: Corpus,
    path: str | PathLike[str],
    *,
    title: str = "dedup report",
    max_clusters: int = 1000,
    max_copies: int = 6,
    expanded: int = 20,
) -> None:
    """Writes `render_report` to `path` (UTF-8)."""
    text = render_report(
        corpus, title=title, max_clusters=max_clusters, max_copies=max_copies, expanded=expanded
    )
    target = os.fspath(path)
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise StorageError(f"{target}: cannot write: {e.strerror or e}") from e


def render_report(
    corpus: Corpus,
    *,
    title: str = "dedup report",
    max_clusters: int = 1000,
    max_copies: int = 6,
    expanded: int = 20,
) -> str:
    """The report as one HTML document. At most `max_clusters` stories are listed
    (largest first), the first `expanded` of them open; each shows at most
    `max_copies` copies side by side (its representative first)."""
    for name, value, least in (
        ("max_clusters", max_clusters, 0),
        ("max_copies", max_copies, 1),
        ("expanded", expanded, 0),
    ):
        if not isinstance(value, int) or value < least:
            raise InvalidOptionError(f"`{name}` must be a whole number >= {least}, got {value!r}")
    clusters = corpus.clusters()
    pairs = _pair_index(corpus)
    in_story = sum(len(c) for c in clusters)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">{len(corpus)} pages; {len(clusters)} stories carried by two or more '
        f"pages ({in_story} pages); {len(corpus) - in_story} pages in no story. Shared passages "
        "are <mark>marked</mark>; page chrome is "
        '<span class="chrome">dimmed</span>.</p>',
    ]
    shown = clusters[:max_clusters]
    if shown:
        out.append(_summary_table(corpus, shown))
    for n, c in enumerate(shown):
        out.append(_story(corpus, pairs, n, c, max_copies, open_=n < expanded))
    if len(clusters) > len(shown):
        out.append(
            f'<p class="note">{len(clusters) - len(shown)} more stories are not shown '
            "(raise max_clusters to include them).</p>"
        )
    out.append("</body></html>\n")
    return "\n".join(out)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _when(t: _dt.datetime | None) -> str:
    if t is None:
        return "\u2014"
    t = t.astimezone(_dt.UTC)
    if (t.hour, t.minute, t.second) == (0, 0, 0):
        return t.strftime("%Y-%m-%d")
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _pair_index(corpus: Corpus) -> dict[tuple[str, str], Match]:
    index: dict[tuple[str, str], Match] = {}
    for m in corpus.all_matches():
        index[(m.id, m.other)] = m
        index[(m.other, m.id)] = m.flipped()
    return index


def _summary_table(corpus: Corpus, clusters: list[Cluster]) -> str:
    rows = [
        "<table><thead><tr><th>story</th><th>kind</th><th>pages</th><th>first</th>"
        "<th>outlets</th></tr></thead><tbody>"
    ]
    for n, c in enumerate(clusters):
        outlets = ", ".join(dict.fromkeys(s or "?" for s in c.sources))
        rows.append(
            f'<tr><td><a href="#story-{n}">{n}</a></td>'
            f'<td><span class="kind {c.kind}">{c.kind}</span></td>'
            f'<td class="num">{len(c)}</td><td>{_when(corpus.published(c.representative))}</td>'
            f"<td>{_e(outlets)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _story(
    corpus: Corpus,
    pairs: dict[tuple[str, str], Match],
    n: int,
    c: Cluster,
    max_copies: int,
    *,
    open_: bool,
) -> str:
    rep = c.representative
    shown = c.ids[:max_copies]
    outlets = ", ".join(dict.fromkeys(s or "?" for s in c.sources))
    out = [
        f'<details class="story" id="story-{n}"{" open" if open_ else ""}>',
        f'<summary>Story {n}: <span class="kind {c.kind}">{c.kind}</span> '
        f"{len(c)} pages \u00b7 {_e(outlets)} \u00b7 first {_when(corpus.published(rep))}"
        "</summary>",
        "<table><thead><tr><th>page</th><th>outlet</th><th>published</th><th>kind</th>"
        '<th class="num">score</th><th class="num" title="share of the page that comes from '
        'the representative">from it</th><th class="num">passages</th></tr></thead><tbody>',
    ]
    for pid in c.ids:
        m = pairs.get((pid, rep))
        if pid == rep:
            kind, score, share, npass = "representative", "\u2014", "\u2014", "\u2014"
        elif m is None:
            kind, score, share, npass = "linked through other copies", "\u2014", "\u2014", "\u2014"
        else:
            kind, score, npass = m.kind, f"{m.score:.2f}", str(len(m.passages))
            share = f"{m.coverage:.0%}"
        out.append(
            f"<tr><td>{_e(pid)}</td><td>{_e(corpus.source(pid) or '?')}</td>"
            f"<td>{_when(corpus.published(pid))}</td><td>{_e(kind)}</td>"
            f'<td class="num">{score}</td><td class="num">{share}</td>'
            f'<td class="num">{npass}</td></tr>'
        )
    out.append("</tbody></table>")
    if len(c) > len(shown):
        out.append(
            f'<p class="note">The first {len(shown)} of {len(c)} copies are shown below.</p>'
        )
    out.append('<div class="copies">')
    for i, pid in enumerate(shown):
        marks: list[tuple[int, int, str]] = []
        for other in shown:
            m = pairs.get((pid, other)) if other != pid else None
            if m is not None:
                marks.extend((p.start, p.end, other) for p in m.passages)
        anchor = f"story-{n}-copy-{i}"
        header = (
            f"<strong>{_e(pid)}</strong> \u00b7 {_e(corpus.source(pid) or '?')} \u00b7 "
            f"{_when(corpus.published(pid))}"
        )
        if marks:
            header += f' \u00b7 <a href="#{anchor}">first shared passage</a>'
        body = highlight(corpus.text(pid), marks, corpus.article_spans(pid), first_id=anchor)
        out.append(
            f'<section class="copy" data-id="{_e(pid)}"><header>{header}</header>'
            f'<div class="text">{body}</div></section>'
        )
    out.append("</div></details>")
    return "\n".join(out)


def highlight(
    text: str,
    marks: Iterable[tuple[int, int, str]],
    article: Iterable[tuple[int, int]] | None = None,
    *,
    first_id: str | None = None,
) -> str:
    """`text` as escaped HTML with each ``(start, end, other)`` range in ``<mark>``.

    Overlapping and adjacent ranges merge into one mark (its ``title`` lists every
    `other` sharing it), so marks never nest or cross. With `article` spans, text
    outside them is wrapped in ``<span class="chrome">``; the two kinds of element
    never straddle each other. `first_id` becomes the ``id`` of the first mark."""
    n = len(text)
    events: dict[int, list[tuple[int, str | None]]] = {0: [], n: []}
    for s, e, other in marks:
        s, e = max(0, s), min(n, e)
        if s < e:
            events.setdefault(s, []).append((1, other))
            events.setdefault(e, []).append((-1, other))
    spans = [(0, n)] if article is None else list(article)
    for s, e in spans:
        s, e = max(0, s), min(n, e)
        if s < e:
            events.setdefault(s, []).append((1, None))
            events.setdefault(e, []).append((-1, None))
    active: Counter[str] = Counter()
    in_article = 0
    segments: list[tuple[int, int, frozenset[str], bool]] = []
    points = sorted(events)
    for a, b in pairwise(points):
        for delta, who in events[a]:
            if who is None:
                in_article += delta
            else:
                active[who] += delta
        if a == b:
            continue
        key = (frozenset(o for o, k in active.items() if k > 0), in_article > 0)
        if segments and segments[-1][1] == a and segments[-1][2:] == key:
            segments[-1] = (segments[-1][0], b, *key)
        else:
            segments.append((a, b, *key))
    parts: list[str] = []
    for a, b, others, art in segments:
        piece = _e(text[a:b])
        if others:
            names = ", ".join(sorted(others))
            anchor = f' id="{_e(first_id)}"' if first_id is not None else ""
            first_id = None
            piece = f'<mark{anchor} title="shared with {_e(names)}">{piece}</mark>'
        if not art:
            piece = f'<span class="chrome">{piece}</span>'
        parts.append(piece)
    return "".join(parts)
