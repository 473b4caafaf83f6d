"""The three storages behind `dedup._storage.Storage` keep the same promises: pages go
into the core with their texts, texts come back as added, removed pages are
forgotten, and a storage that held pages before gives them back in their order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import dedup
import dedup._storage
from conftest import FERRY, HARBOUR, RAIL, page, wire
from dedup._core import NewsCorpus, featurize
from dedup._ingest import Intake
from dedup._page import Page
from dedup._storage import DiskStorage, MemoryStorage, SavedFile, Storage

TEXTS = {
    "wire": wire(FERRY),
    "copy": page(HARBOUR, "Ferry hits reef", FERRY),
    "rail": "Tram \u00e9t\u00e9 \U0001f68b\n" + wire(RAIL),
}
KINDS = ["memory", "disk", "saved"]


def make(kind: str, tmp_path: Path) -> Storage:
    if kind == "memory":
        return MemoryStorage()
    if kind == "disk":
        return DiskStorage.open(str(tmp_path / "s.dedup"), create_with={})
    path = tmp_path / "c.dedup"
    SavedFile.write(path, {}, [], lambda p: "")
    return SavedFile(path)


def pages(intake: Intake, ids: list[str]) -> list[Page]:
    return [
        intake.new_page(n, pid, HARBOUR.name, None, len(TEXTS[pid])) for n, pid in enumerate(ids)
    ]


@pytest.fixture(params=KINDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    s = make(request.param, tmp_path)
    yield s
    s.close()


def test_pages_go_into_the_core_and_texts_come_back(storage: Storage) -> None:
    core = NewsCorpus({})
    batch = pages(Intake({}), list(TEXTS))
    storage.add(core, batch, list(TEXTS.values()))
    assert sorted(p.slot for p in batch) == [0, 1, 2] and len(core) == 3
    assert all(p.has_text for p in batch)
    assert [storage.text(p) for p in batch] == list(TEXTS.values())
    groups = core.analyze().groups
    assert [sorted(g) for g in groups] == [[batch[0].slot, batch[1].slot]]


def test_texts_added_as_utf8_make_the_pages_their_str_makes() -> None:
    texts = list(TEXTS.values())
    as_str, as_bytes = NewsCorpus({}), NewsCorpus({})
    as_str.add_many(texts, [None, "harbour", None])
    as_bytes.add_encoded([t.encode() for t in texts], [None, "harbour", None])
    assert as_bytes.analyze().groups == as_str.analyze().groups
    assert [as_bytes.article_spans(s, t) for s, t in enumerate(texts)] == [
        as_str.article_spans(s, t) for s, t in enumerate(texts)
    ]
    # Bytes that are not UTF-8 are refused, and nothing of the batch is added.
    with pytest.raises(dedup.InvalidInputError, match=r"texts\[1\] is not UTF-8"):
        as_bytes.add_encoded([b"fine", b"caf\xe9"], [None, None])
    assert len(as_bytes) == 3


def test_features_are_added_without_text(storage: Storage) -> None:
    core = NewsCorpus({})
    batch = pages(Intake({}), ["wire"])
    storage.add_features(core, batch, featurize([TEXTS["wire"]]))
    assert batch[0].slot == 0 and not batch[0].has_text and len(core) == 1


def test_removed_pages_are_forgotten_and_the_rest_survive_compaction(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup._storage, "SPILL_COMPACT_BYTES", 0)
    core = NewsCorpus({})
    batch = pages(Intake({}), list(TEXTS))
    storage.add(core, batch, list(TEXTS.values()))
    storage.remove(batch[:2])
    for p in batch[:2]:
        core.remove(p.slot)
    storage.compact(batch[2:])
    assert storage.text(batch[2]) == TEXTS["rail"]
    if isinstance(storage, MemoryStorage):
        assert storage.size == len(TEXTS["rail"].encode("utf-8"))


@pytest.mark.parametrize("kind", ["disk", "saved"])
def test_a_storage_gives_back_the_pages_it_held(kind: str, tmp_path: Path) -> None:
    first = make("memory" if kind == "saved" else kind, tmp_path)
    batch = pages(Intake({}), list(TEXTS))
    first.add(NewsCorpus({}), batch, list(TEXTS.values()))
    if kind == "saved":
        SavedFile.write(tmp_path / "c.dedup", {"min_passage": 9.0}, batch, first.text)
    first.close()
    again = (
        SavedFile(tmp_path / "c.dedup")
        if kind == "saved"
        else DiskStorage.open(str(tmp_path / "s.dedup"), create_with={})
    )
    core, known = NewsCorpus({}), {}
    intake = Intake(known)
    for restored in again.restore(core, intake):
        known.update((p.id, p) for p in restored)
    assert list(known) == list(TEXTS) and len(core) == 3
    assert [again.text(p) for p in known.values()] == list(TEXTS.values())
    assert [p.source for p in known.values()] == [HARBOUR.name] * 3
    if kind == "saved":
        assert isinstance(again, SavedFile) and again.options == {"min_passage": 9.0}
    again.close()
    again.close()  # closing twice is harmless


def test_a_new_storage_holds_nothing(storage: Storage) -> None:
    assert list(storage.restore(NewsCorpus({}), Intake({}))) == []
