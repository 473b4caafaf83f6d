"""Main-text extraction from HTML pages with trafilatura (``pip install 'dedup[html]'``).

trafilatura's ``deduplicate`` option stays off: it remembers text it has seen in a
process-wide cache and drops it from later pages, so every repeat copy of a
syndicated story would come out empty, which is exactly what `dedup` is looking for.
Extraction keeps one paragraph a line, so the chrome removal that follows still sees
lines; when trafilatura finds no main text, the page's plain text is used instead.
"""

from __future__ import annotations

from typing import Any

from dedup.errors import InputTypeError, MissingDependencyError

__all__ = ["extract_text"]


def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as e:
        raise MissingDependencyError(
            f"HTML extraction needs trafilatura: pip install 'dedup[html]' ({e})"
        ) from None
    return trafilatura


def extract_text(html: str | bytes) -> str:
    """The main text of an HTML page, one paragraph a line ("" for an empty page).

    Offsets of passages found later refer to this text, not to the HTML."""
    if not isinstance(html, str | bytes):
        raise InputTypeError(f"html must be str or bytes, got {type(html).__name__}")
    if not html.strip():
        return ""
    t = _trafilatura()
    text = t.extract(
        html,
        deduplicate=False,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        output_format="txt",
        with_metadata=False,
    )
    if not text:
        text = t.html2txt(html)
    return str(text or "").strip()
