"""Writes docs/api.md, the API reference, from the docstrings and signatures of the
installed `dedup` package.

    python docs/gen_api.py          # rewrite docs/api.md
    python docs/gen_api.py --check  # exit 1 if docs/api.md is out of date (tests run this)
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

OUT = Path(__file__).with_name("api.md")

# (module, names): the public surface, in reading order.
SECTIONS: list[tuple[str, str, list[str] | None]] = [
    ("News corpus", "dedup", ["Corpus", "featurize"]),
    ("Results", "dedup.results", None),
    ("Reading input", "dedup.io", None),
    ("HTML pages", "dedup.html", None),
    ("Report", "dedup.report", ["write_report", "render_report", "highlight"]),
    ("Spark", "dedup.spark", None),
    ("Fingerprinting core", "dedup", ["Shingler", "MinHasher", "LSHIndex", "estimate_jaccard"]),
    ("Errors", "dedup.errors", None),
]


def signature(obj: Any, name: str) -> str:
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return name
    sig = sig.replace("(self, /, ", "(").replace("(self, ", "(").replace("(self)", "()")
    # Annotations are strings under `from __future__ import annotations`: unquote them.
    sig = re.sub(r"(: |-> )'([^']*)'", r"\1\2", sig)
    return name + sig


def doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__) if obj.__doc__ else ""


def _extension(cls: type) -> bool:
    """A class written in Rust: none of its attributes is a Python function."""
    return not any(inspect.isfunction(v) for v in vars(cls).values())


def members(cls: type) -> list[tuple[str, Any]]:
    out = []
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__len__", "__contains__"):
            continue
        if name == "__init__" and _extension(cls):
            continue
        wanted = callable(value) or isinstance(value, property | classmethod | staticmethod)
        if not wanted and type(value).__name__ != "getset_descriptor":
            continue
        out.append((name, value))
    if _extension(cls):
        # An extension type's attribute order varies from run to run: sort it.
        out.sort(key=lambda kv: (type(kv[1]).__name__ == "getset_descriptor", kv[0]))
    return out


def document_class(cls: type, lines: list[str]) -> None:
    is_exc = issubclass(cls, BaseException)
    bases = ", ".join(b.__name__ for b in cls.__bases__ if b is not object)
    if is_exc:
        head = f"class {cls.__name__}({bases})"
    else:
        head = "class " + signature(cls, cls.__name__).removesuffix(" -> None")
    lines += [f"### `{cls.__name__}`", "", "```python", head, "```", "", doc(cls), ""]
    init = vars(cls).get("__init__")
    if init is not None and not _extension(cls) and doc(init):
        lines += [doc(init), ""]
    if is_exc:
        return
    for name, value in members(cls):
        if name == "__init__":
            continue
        if isinstance(value, property) or type(value).__name__ == "getset_descriptor":
            text = doc(value)
            lines += [f"- **`{name}`** (property)" + (f": {text}" if text else ""), ""]
            continue
        func = value.__func__ if isinstance(value, classmethod | staticmethod) else value
        lines += [f"#### `{cls.__name__}.{name}`", "", "```python", signature(func, name), "```"]
        text = doc(func)
        lines += ["", text, ""] if text else [""]


def document(obj: Any, name: str, lines: list[str]) -> None:
    if inspect.isclass(obj):
        document_class(obj, lines)
    elif not callable(obj):
        # A constant: its value is its documentation (strings double-quoted, as the
        # formatter writes them).
        value = repr(obj)
        if isinstance(obj, tuple) and all(isinstance(x, str) for x in obj):
            value = "(" + ", ".join(json.dumps(x) for x in obj) + ")"
        lines += [f"### `{name}`", "", "```python", f"{name} = {value}", "```", ""]
    else:
        lines += [f"### `{name}`", "", "```python", signature(obj, name), "```", "", doc(obj), ""]


def render() -> str:
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings by `python docs/gen_api.py`; do not edit by hand.",
        "",
    ]
    for title, modname, names in SECTIONS:
        module: ModuleType = importlib.import_module(modname)
        lines += [f"## {title} (`{modname}`)", ""]
        if names is None:
            if module.__doc__:
                lines += [inspect.cleandoc(module.__doc__), ""]
            names = list(module.__all__)
        for name in names:
            document(getattr(module, name), name, lines)
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python docs/gen_api.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
