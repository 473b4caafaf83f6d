"""The stages of the news pipeline as Spark steps, so that they run on the executors
(issue 13; docs/spark.md, "What would distribute the rest").

Each global count of a stage is a Spark aggregation; each per-page step is a
`mapInArrow` over the pages, joined to the counts of their own keys, that calls the
core's piece for one page (`dedup_core::news::parts`): the code the embedded
`Corpus` runs. Pages are numbered (``slot``) in the order of their ids, as a
`Corpus` given the pages in that order numbers them, so every intermediate result
can be compared with it. Nothing here collects pages to the driver.

Built so far: numbering the pages and their outlets, and stage 1 (chrome removal
with the lines an outlet repeats and the lines in many texts, the latter counted
over near-duplicate groups of the preliminary articles). `dedup.spark.cluster`
does not use these steps yet.

The frames carry ``slot`` (long), ``features`` (binary: `featurize`'s bytes),
``source`` (the outlet's number, or null) and ``keep`` (binary: kept-line bits).
Hashes and keys are longs holding the bits of the core's unsigned 64-bit values.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from dedup import _core
from dedup._spark_graph import components

SLOT, FEATURES, SOURCE, KEEP, KINDS = "slot", "features", "source", "keep", "kinds"

# The sign bit of a long: XOR with it turns unsigned order into signed order.
_TOP_BIT = -(2**63)

_ARROW_TYPES = ("long", "binary", "boolean", "double", "string", "array<long>", "array<boolean>")


def _sf() -> Any:
    import pyspark.sql.functions as sf

    return sf


def _arrow_schema(ddl: str) -> Any:
    """The Arrow schema of a Spark DDL string of the types in `_ARROW_TYPES`."""
    import pyarrow as pa

    types = {
        "long": pa.int64(),
        "binary": pa.binary(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "array<long>": pa.list_(pa.int64()),
        "array<boolean>": pa.list_(pa.bool_()),
        "string": pa.string(),
    }
    fields = []
    for part in ddl.split(","):
        name, kind = part.strip().split(" ", 1)
        fields.append(pa.field(name, types[kind.strip()]))
    return pa.schema(fields)


def _map(
    frame: Any, kernel: Callable[[dict[str, list[Any]]], dict[str, list[Any]]], ddl: str
) -> Any:
    """`frame` mapped batch by batch on the executors: `kernel` takes the batch's
    columns as lists and returns the columns of `ddl`."""
    schema = _arrow_schema(ddl)

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            if batch.num_rows:
                yield pa.RecordBatch.from_pydict(kernel(batch.to_pydict()), schema=schema)

    return frame.mapInArrow(run, ddl)


def _pairs(counts: list[dict[str, int]] | None) -> list[tuple[int, int]]:
    return [(c["key"], c["n"]) for c in counts or ()]


# -- pages --------------------------------------------------------------------------------


def number_pages(
    frame: Any,
    id_col: str,
    source_col: str | None,
    features_col: str,
    published_col: str | None = None,
    chars_col: str | None = None,
) -> Any:
    """``(slot, id, features, source, published, chars)`` of a frame of ids, outlet
    names, features, and optionally publication dates (ISO strings) and text
    lengths: slots in the order of the ids as strings, outlets numbered in the
    order of their names (an empty name is no outlet). The names are the one
    aggregate brought to the driver, one string an outlet."""
    sf = _sf()
    spark = frame.sparkSession
    name = sf.col(source_col) if source_col else sf.lit(None).cast("string")
    name = sf.when(name == "", None).otherwise(name)
    published = sf.col(published_col) if published_col else sf.lit(None).cast("string")
    chars = sf.col(chars_col) if chars_col else sf.lit(None).cast("long")
    rows = frame.select(
        sf.col(id_col).cast("string").alias("id"),
        name.alias("name"),
        sf.col(features_col).alias("f"),
        published.alias("published"),
        chars.cast("long").alias("chars"),
    )
    names = sorted(
        r[0] for r in rows.select("name").where(sf.col("name").isNotNull()).distinct().collect()
    )
    outlets = spark.createDataFrame([(n, i) for i, n in enumerate(names)], "oname string, oid long")
    ordered = rows.orderBy("id").rdd.zipWithIndex().map(lambda r: (r[1], *r[0]))
    numbered = spark.createDataFrame(
        ordered,
        f"{SLOT} long, id string, name string, {FEATURES} binary, published string, chars long",
    )
    joined = numbered.join(sf.broadcast(outlets), sf.col("name") == sf.col("oname"), "left")
    return joined.select(SLOT, "id", FEATURES, sf.col("oid").alias(SOURCE), "published", "chars")


# -- stage 1: chrome removal -----------------------------------------------------------------


def page_lines(pages: Any) -> Any:
    """``(slot, outlet, page_hash, keys)``: each page's outlet (its source, or one
    from its template), the hash of its lines and its distinct line keys."""

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        outlets, hashes, keys = _core.stage_page_lines(b[FEATURES], b[SOURCE])
        return {SLOT: b[SLOT], "outlet": outlets, "page_hash": hashes, "keys": keys}

    return _map(
        pages.select(SLOT, FEATURES, SOURCE),
        kernel,
        "slot long, outlet long, page_hash long, keys array<long>",
    )


def outlet_line_counts(lines: Any, least: int) -> Any:
    """``(outlet, key, n)``: distinct pages of each outlet carrying each line
    (identical pages of an outlet counted once), where `n` reaches `least`."""
    sf = _sf()
    pages = lines.where(sf.col("outlet").isNotNull()).dropDuplicates(["outlet", "page_hash"])
    keys = pages.select("outlet", sf.explode("keys").alias("key"))
    return keys.groupBy("outlet", "key").agg(sf.count("*").alias("n")).where(sf.col("n") >= least)


def line_text_counts(lines: Any, groups: Any, least: int) -> Any:
    """``(key, n)``: distinct texts (near-duplicate groups, ``(slot, group)``) each
    line key occurs in, where `n` reaches `least`."""
    sf = _sf()
    keys = lines.join(groups, SLOT).select("group", sf.explode("keys").alias("key")).distinct()
    return keys.groupBy("key").agg(sf.count("*").alias("n")).where(sf.col("n") >= least)


def _counts_by_page(lines: Any, table: Any, by_outlet: bool, name: str) -> Any:
    """``(slot, name)``: the rows of `table` (counts by key, or by outlet and key)
    for each page's keys, as a list of (key, n) structs; pages without any have no
    row."""
    sf = _sf()
    on = ["outlet", "key"] if by_outlet else ["key"]
    exploded = lines.select(SLOT, "outlet", sf.explode("keys").alias("key"))
    found = exploded.join(table, on).select(SLOT, sf.struct("key", "n").alias("c"))
    return found.groupBy(SLOT).agg(sf.collect_list("c").alias(name))


def first_keep(
    pages: Any, lines: Any, outlet_counts: Any, text_counts: Any | None, options: dict[str, float]
) -> Any:
    """``(slot, keep, kinds)``: each page's first-article kept lines (and line kinds,
    a byte a line) given the outlet line
    counts and, in the second pass, the line text counts (without them, the
    preliminary articles whose groups the text counts come from)."""
    frame = pages.select(SLOT, FEATURES, SOURCE).join(
        _counts_by_page(lines, outlet_counts, True, "oc"), SLOT, "left"
    )
    if text_counts is not None:
        frame = frame.join(_counts_by_page(lines, text_counts, False, "tc"), SLOT, "left")

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        oc = [_pairs(c) for c in b["oc"]]
        tc = [_pairs(c) for c in b["tc"]] if "tc" in b else None
        keeps, kinds = _core.stage_first_keep(options, b[FEATURES], b[SOURCE], oc, tc)
        return {SLOT: b[SLOT], KEEP: keeps, KINDS: kinds}

    return _map(frame, kernel, "slot long, keep binary, kinds binary")


# -- near-duplicate groups ------------------------------------------------------------------


def sketches(pages: Any, keeps: Any, options: dict[str, float]) -> Any:
    """``(slot, hash, bands, empty)``: each article's hash, LSH band keys and
    whether it has no k-grams."""
    frame = pages.select(SLOT, FEATURES).join(keeps, SLOT)

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        hashes, bands, empty = _core.stage_sketch(options, b[FEATURES], b[KEEP])
        return {SLOT: b[SLOT], "hash": hashes, "bands": bands, "empty": empty}

    return _map(frame, kernel, "slot long, hash long, bands array<long>, empty boolean")


def near_dup_groups(
    pages: Any, keeps: Any, options: dict[str, float], min_jaccard: float, sk: Any | None = None
) -> Any:
    """``(slot, group)``: near-duplicate groups of the articles under `keeps`, as the
    core forms them. In each LSH band, every article is checked against the first
    article of its bucket (the smallest by article hash, then slot) on the exact
    Jaccard of their k-gram sets; the checked pairs' connected components are the
    groups, each numbered by its smallest slot. Articles without k-grams are
    groups of their own. `sk`: the articles' `sketches`, if already made."""
    sf = _sf()
    if sk is None:
        sk = sketches(pages, keeps, options).localCheckpoint()
    # The core orders by the unsigned hash: flipping the top bit gives that order
    # to the signed longs.
    order = sf.col("hash").bitwiseXOR(sf.lit(_TOP_BIT)).alias("order")
    ex = sk.select(SLOT, order, sf.posexplode("bands").alias("band", "key"))
    first = ex.groupBy("band", "key").agg(sf.min(sf.struct("order", SLOT)).alias("f"))
    pairs = (
        ex.join(first, ["band", "key"])
        .select(sf.col("f.slot").alias("a"), sf.col(SLOT).alias("b"))
        .where(sf.col("a") != sf.col("b"))
        .distinct()
    )
    side = pages.select(SLOT, FEATURES).join(keeps, SLOT)
    both = pairs.join(
        side.select(
            sf.col(SLOT).alias("a"), sf.col(FEATURES).alias("fa"), sf.col(KEEP).alias("ka")
        ),
        "a",
    ).join(
        side.select(
            sf.col(SLOT).alias("b"), sf.col(FEATURES).alias("fb"), sf.col(KEEP).alias("kb")
        ),
        "b",
    )

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        j = _core.stage_jaccard(options, b["fa"], b["ka"], b["fb"], b["kb"])
        return {"a": b["a"], "b": b["b"], "j": j}

    checked = _map(both, kernel, "a long, b long, j double")
    edges = checked.where(sf.col("j") >= min_jaccard).select("a", "b")
    comps = components(edges.select(sf.col("a").alias("u"), sf.col("b").alias("v")))
    return (
        sk.select(SLOT)
        .join(comps, sf.col(SLOT) == sf.col("node"), "left")
        .select(SLOT, sf.coalesce(sf.col("component"), sf.col(SLOT)).alias("group"))
    )


# -- stage 1 whole ------------------------------------------------------------------------


def first_pass(pages: Any, options: dict[str, float]) -> Any:
    """``(slot, keep, kinds)``: stage 1, the kept lines of each page's first article
    (as the core's first pass gives them, `NewsCorpus.first_keeps`) and its line
    kinds."""
    limits = _core.stage_thresholds(options)
    lines = page_lines(pages).localCheckpoint()
    outlets = outlet_line_counts(lines, int(limits["outlet_least"])).localCheckpoint()
    prelim = first_keep(pages, lines, outlets, None, options).localCheckpoint()
    groups = near_dup_groups(pages, prelim.select(SLOT, KEEP), options, limits["min_jaccard"])
    texts = line_text_counts(lines, groups, max(int(limits["line_cap"]), 1)).localCheckpoint()
    return first_keep(pages, lines, outlets, texts, options)


# -- stage 2: statistics --------------------------------------------------------------------


def statistics(pages: Any, keeps: Any, options: dict[str, float]) -> dict[str, Any]:
    """Stage 2 on the articles under `keeps` (``(slot, keep)``), as frames:

    - ``pages``: ``(slot, hash, unit, group)``: each article's hash (0: empty), its
      unit (the smallest slot with the same article; itself when empty) and its
      near-duplicate group (null for an article without k-grams alone in its group);
    - ``common``: ``(kgram, n)``, the k-grams of more distinct texts (groups) than
      the cap, with that number;
    - ``postings``: ``(kgram, slot)``, the rare winnowed fingerprints of each unit.

    and ``cap``, the cap. Only units (first pages of identical articles) are
    counted. The number of distinct texts (for the cap) is the one figure brought
    to the driver."""
    sf = _sf()
    limits = _core.stage_thresholds(options)
    sk = sketches(pages, keeps, options).localCheckpoint()
    raw = near_dup_groups(pages, keeps, options, limits["min_jaccard"], sk)
    firsts = sk.where(sf.col("hash") != 0).groupBy("hash").agg(sf.min(SLOT).alias("first"))
    per_page = (
        sk.join(raw, SLOT)
        .join(firsts, "hash", "left")
        .select(
            SLOT,
            "hash",
            sf.coalesce(sf.col("first"), sf.col(SLOT)).alias("unit"),
            sf.when((sf.col("group") == sf.col(SLOT)) & sf.col("empty"), None)
            .otherwise(sf.col("group"))
            .alias("group"),
        )
        .localCheckpoint()
    )
    units = per_page.where((sf.col("unit") == sf.col(SLOT)) & (sf.col("hash") != 0))
    texts = units.where(sf.col("group").isNotNull()).select("group").distinct().count()
    cap = _core.stage_common_cap(options, texts)
    frame = pages.select(SLOT, FEATURES).join(keeps, SLOT).join(units.select(SLOT, "group"), SLOT)

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        kgrams, fps = _core.stage_kgrams(options, b[FEATURES], b[KEEP])
        return {SLOT: b[SLOT], "group": b["group"], "kgrams": kgrams, "fps": fps}

    grams = _map(frame, kernel, "slot long, group long, kgrams array<long>, fps array<boolean>")
    entries = grams.select(
        SLOT, "group", sf.explode(sf.arrays_zip("kgrams", "fps")).alias("e")
    ).select(SLOT, "group", sf.col("e.kgrams").alias("kgram"), sf.col("e.fps").alias("fp"))
    entries = entries.localCheckpoint()
    common = (
        entries.groupBy("kgram")
        .agg(sf.count_distinct("group").alias("n"))
        .where(sf.col("n") > cap)
        .localCheckpoint()
    )
    postings = entries.where("fp").join(common, "kgram", "left_anti").select("kgram", SLOT)
    return {"pages": per_page, "common": common, "postings": postings, "cap": cap}


# -- stage 3: coherence ---------------------------------------------------------------------


def coherence(pages: Any, firsts: Any, stats: dict[str, Any], options: dict[str, float]) -> Any:
    """``(slot, keep)``: stage 3, each page's kept lines once the lines quoting other
    stories are dropped, from the first pass (``(slot, keep, kinds)``) and the
    statistics of its articles. Each page's winnowed fingerprints meet the
    postings (rare fingerprints of the units) in a join; hits on other units (not
    the page, not its own unit) are what the core's piece reads, and a page
    without any keeps its lines."""
    sf = _sf()
    frame = pages.select(SLOT, FEATURES).join(firsts.select(SLOT, KEEP), SLOT)

    def fps_kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        hashes, lines = _core.stage_fingerprints(options, b[FEATURES], b[KEEP])
        return {SLOT: b[SLOT], "fps": hashes, "lines": lines}

    fps = _map(frame, fps_kernel, "slot long, fps array<long>, lines array<long>")
    exploded = fps.select(SLOT, sf.explode(sf.arrays_zip("fps", "lines")).alias("e")).select(
        SLOT, sf.col("e.fps").alias("kgram"), sf.col("e.lines").alias("line")
    )
    units = stats["pages"].select(SLOT, "unit")
    partners = stats["postings"].select("kgram", sf.col(SLOT).alias("partner"))
    hits = (
        exploded.join(units, SLOT)
        .join(partners, "kgram")
        .where((sf.col("partner") != sf.col(SLOT)) & (sf.col("partner") != sf.col("unit")))
        .groupBy(SLOT)
        .agg(sf.collect_list(sf.struct("line", "partner")).alias("hits"))
    )
    todo = pages.select(SLOT, FEATURES).join(firsts, SLOT).join(hits, SLOT)

    def refine_kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        found = [[(h["line"], h["partner"]) for h in row] for row in b["hits"]]
        refined = _core.stage_refine(options, b[FEATURES], b[KINDS], b[KEEP], found)
        return {SLOT: b[SLOT], "refined": refined}

    refined = _map(todo, refine_kernel, "slot long, refined binary")
    return firsts.join(refined, SLOT, "left").select(
        SLOT, sf.coalesce(sf.col("refined"), sf.col(KEEP)).alias(KEEP)
    )


def analysis(pages: Any, options: dict[str, float]) -> dict[str, Any]:
    """Stages 1 to 3: the first pass, the statistics of its articles, the coherence
    pass and the statistics of the final articles, counted again (the core
    updates them for the pages that changed; the result is the same). Returns
    `statistics`' frames and ``keep``: ``(slot, keep)``."""
    firsts = first_pass(pages, options).localCheckpoint()
    stats = statistics(pages, firsts.select(SLOT, KEEP), options)
    if options.get("coherence", 1.0) == 0:
        return {**stats, "keep": firsts.select(SLOT, KEEP)}
    keeps = coherence(pages, firsts, stats, options).localCheckpoint()
    return {**statistics(pages, keeps, options), "keep": keeps}


# -- word weights ---------------------------------------------------------------------------


def word_counts(pages: Any, stats: dict[str, Any]) -> tuple[bytes, int]:
    """The word-weight counters of the distinct texts, summed, and the number of
    texts: one page of each near-duplicate group (the smallest by article hash,
    then slot) and each article too short to be grouped. Counted per partition on
    the executors and summed in a tree; the driver receives the table (at most
    2^22 counters: 16 MB, however many pages)."""
    import numpy as np

    sf = _sf()
    per_page = stats["pages"]
    order = sf.col("hash").bitwiseXOR(sf.lit(_TOP_BIT))
    grouped = per_page.where(sf.col("group").isNotNull() & (sf.col("hash") != 0))
    reps = grouped.groupBy("group").agg(sf.min(sf.struct(order.alias("o"), SLOT)).alias("r"))
    texts = (
        per_page.where(
            (sf.col("hash") != 0) & sf.col("group").isNull() & (sf.col("unit") == sf.col(SLOT))
        )
        .select(SLOT)
        .union(reps.select(sf.col("r.slot").alias(SLOT)))
        .localCheckpoint()
    )
    n = texts.count()
    bits = _core.stage_weight_bits(n)
    frame = pages.select(SLOT, FEATURES).join(stats["keep"], SLOT).join(texts, SLOT)

    def count(rows: Iterator[Any]) -> Iterator[Any]:
        total = np.zeros(1 << bits, dtype=np.uint32)
        features: list[bytes] = []
        keeps: list[bytes] = []
        for row in itertools.chain(rows, [None]):
            if row is not None:
                features.append(row[FEATURES])
                keeps.append(row[KEEP])
            if features and (row is None or len(features) >= 2000):
                part = _core.stage_token_counts(features, keeps, bits)
                total += np.frombuffer(part, dtype=np.uint32)
                features, keeps = [], []
        yield total

    counts = frame.rdd.mapPartitions(count).treeReduce(lambda x, y: x + y)
    return counts.astype("<u4").tobytes(), n


# -- stage 4: candidates --------------------------------------------------------------------


def _pairs_sharing(postings: Any, need: int) -> Any:
    """``(a, b)``, ``a < b``: pairs of slots together in at least `need` of the
    postings (``(kgram, slot)``)."""
    sf = _sf()
    x = postings.select("kgram", sf.col(SLOT).alias("a"))
    y = postings.select("kgram", sf.col(SLOT).alias("b"))
    together = x.join(y, "kgram").where(sf.col("a") < sf.col("b"))
    return together.groupBy("a", "b").count().where(sf.col("count") >= need).select("a", "b")


def candidates(
    pages: Any, stats: dict[str, Any], counts: Any, texts: int, options: dict[str, float]
) -> Any:
    """``(a, b)``, ``a < b``: stage 4, the pairs worth verifying, as the core's
    candidates: units sharing rare fingerprints, units sharing short fingerprints
    that are rare (in at most as many distinct texts as the common cap), each
    page with the unit of its article, and the units of one near-duplicate group.
    `counts` is the broadcast word-counter table of `texts` texts."""
    sf = _sf()
    limits = _core.stage_thresholds(options)
    per_page = stats["pages"]
    long = _pairs_sharing(stats["postings"], int(limits["min_shared_fingerprints"]))
    units = per_page.where((sf.col("unit") == sf.col(SLOT)) & (sf.col("hash") != 0))
    frame = (
        pages.select(SLOT, FEATURES)
        .join(stats["keep"], SLOT)
        .join(units.select(SLOT, "group"), SLOT)
    )

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        fps = _core.stage_short_fingerprints(options, counts.value, texts, b[FEATURES], b[KEEP])
        return {SLOT: b[SLOT], "group": b["group"], "fps": fps}

    short_fps = _map(frame, kernel, "slot long, group long, fps array<long>").select(
        SLOT,
        sf.coalesce(sf.col("group"), sf.lit(-1)).alias("group"),
        sf.explode("fps").alias("kgram"),
    )
    rare = (
        short_fps.groupBy("kgram")
        .agg(sf.count("*").alias("pages"), sf.count_distinct("group").alias("groups"))
        .where((sf.col("pages") >= 2) & (sf.col("groups") <= stats["cap"]))
        .select("kgram")
    )
    short = _pairs_sharing(
        short_fps.join(rare, "kgram").select("kgram", SLOT), int(limits["min_shared_short"])
    )
    copies = per_page.where(sf.col("unit") != sf.col(SLOT)).select(
        sf.col("unit").alias("a"), sf.col(SLOT).alias("b")
    )
    grouped = units.where(sf.col("group").isNotNull())
    near = (
        grouped.select("group", sf.col(SLOT).alias("a"))
        .join(grouped.select("group", sf.col(SLOT).alias("b")), "group")
        .where(sf.col("a") < sf.col("b"))
        .select("a", "b")
    )
    return long.union(short).union(copies).union(near).distinct()


# -- stage 5: verification ------------------------------------------------------------------

#: The columns of a relation frame, as `Relation`'s fields.
RELATION_COLUMNS = (
    "a long, b long, kind string, score double, containment double, coverage_a double, "
    "coverage_b double, vocabulary_a double, vocabulary_b double, runs_a double, runs_b double, "
    "shared_tokens long, by_passage boolean"
)


def verification(
    pages: Any,
    stats: dict[str, Any],
    pairs: Any,
    counts: Any,
    texts: int,
    common: Any,
    options: dict[str, float],
) -> Any:
    """Stage 5: the relations of the candidate `pairs`, verified on the executors,
    each pair joined to both pages' features, kept lines and outlets (a page's
    source when every page with its article ran there, else none). `counts` and
    `common` are broadcast: the word counters of `texts` texts and the common
    k-grams."""
    sf = _sf()
    per_page = stats["pages"].join(pages.select(SLOT, SOURCE), SLOT)
    uniform = (
        per_page.groupBy("unit")
        .agg(sf.count_distinct(sf.coalesce(sf.col(SOURCE), sf.lit(-1))).alias("k"))
        .where(sf.col("k") == 1)
        .select("unit", sf.lit(True).alias("uniform"))
    )
    outlets = per_page.join(uniform, "unit", "left").select(
        SLOT, sf.when(sf.col("uniform"), sf.col(SOURCE)).alias("outlet")
    )
    side = pages.select(SLOT, FEATURES).join(stats["keep"], SLOT).join(outlets, SLOT)

    def named(prefix: str) -> Any:
        return side.select(
            *[sf.col(c).alias(f"{prefix}{c}") for c in (SLOT, FEATURES, KEEP, "outlet")]
        )

    both = pairs.join(named("a_"), sf.col("a") == sf.col("a_slot")).join(
        named("b_"), sf.col("b") == sf.col("b_slot")
    )
    fields = [f.split()[0] for f in RELATION_COLUMNS.split(",")]

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        sides = [
            (b[f"{p}slot"], b[f"{p}features"], b[f"{p}keep"], b[f"{p}outlet"]) for p in ("a_", "b_")
        ]
        rels = [
            r
            for r in _core.stage_verify(
                options, common.value, counts.value, texts, sides[0], sides[1]
            )
            if r is not None
        ]
        return {f: [getattr(r, f) for r in rels] for f in fields}

    return _map(both, kernel, RELATION_COLUMNS)


def relations(pages: Any, options: dict[str, float]) -> dict[str, Any]:
    """Stages 1 to 5: `analysis`, the word weights, candidates and verification.
    Returns the analysis frames with ``relations`` and ``candidates``, and the
    broadcast word counters (``counts``, of ``texts`` texts) and common k-grams
    (``common_list``) later steps read again. The
    driver receives the number of texts, the word counters (at most 16 MB) and
    the common k-grams, and broadcasts them."""
    sc = pages.sparkSession.sparkContext
    stats = analysis(pages, options)
    table, texts = word_counts(pages, stats)
    counts = sc.broadcast(table)
    common = sc.broadcast([r[0] for r in stats["common"].select("kgram").collect()])
    pairs = candidates(pages, stats, counts, texts, options).localCheckpoint()
    rels = verification(pages, stats, pairs, counts, texts, common, options)
    return {
        **stats,
        "candidates": pairs,
        "relations": rels,
        "counts": counts,
        "texts": texts,
        "common_list": common,
    }


# -- stage 6: stories -----------------------------------------------------------------------


def stories(
    pages: Any, stats: dict[str, Any], rels: Any, options: dict[str, float]
) -> dict[str, Any]:
    """Stage 6: the stories, as ``(slot, story)`` (``story``: the smallest unit of
    the story) and ``(story, rewritten)``, and the merges the size limit refused.

    Stories merge only along verified relations, so the connected components of the
    relations between units are clustered apart, each by the core's piece on one
    executor (a component larger than the cluster size limit is clustered whole
    there too: its memory grows with the component, not the corpus). A unit with
    identical copies and no relation is a story of its copies."""
    sf = _sf()
    per_page = stats["pages"]
    sizes = per_page.groupBy(sf.col("unit").alias(SLOT)).agg(sf.count("*").alias("npages"))

    def facts_kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        hashes, shares = _core.stage_page_facts(b[FEATURES], b[KEEP])
        return {SLOT: b[SLOT], "text_hash": hashes, "share": shares}

    facts = _map(
        pages.select(SLOT, FEATURES).join(stats["keep"], SLOT),
        facts_kernel,
        "slot long, text_hash long, share double",
    ).localCheckpoint()
    units = (
        per_page.where(sf.col("unit") == sf.col(SLOT))
        .select(SLOT, "hash")
        .join(sizes, SLOT)
        .join(facts.select(SLOT, "text_hash"), SLOT)
    )
    unit_slots = units.select(SLOT)
    between = (
        rels.join(unit_slots.withColumnRenamed(SLOT, "a"), "a")
        .join(unit_slots.withColumnRenamed(SLOT, "b"), "b")
        .localCheckpoint()
    )
    comps = components(
        between.select(sf.col("a").alias("u"), sf.col("b").alias("v"))
    ).localCheckpoint()
    unit_rows = (
        units.join(comps, sf.col(SLOT) == sf.col("node"))
        .groupBy("component")
        .agg(sf.collect_list(sf.struct(SLOT, "hash", "text_hash", "npages")).alias("units"))
    )
    rel_rows = (
        between.join(comps, sf.col("a") == sf.col("node"))
        .groupBy("component")
        .agg(
            sf.collect_list(
                sf.struct("a", "b", "kind", "score", "vocabulary_a", "vocabulary_b", "by_passage")
            ).alias("rels")
        )
    )
    work = unit_rows.join(rel_rows, "component")

    def stories_kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"unit": [], "story": [], "refused": []}
        for us, rs in zip(b["units"], b["rels"], strict=True):

            def col(rows: list[dict[str, Any]], k: str) -> list[Any]:
                return [r[k] for r in rows]

            unit_cols = (col(us, SLOT), col(us, "hash"), col(us, "text_hash"), col(us, "npages"))
            rel_cols = (
                col(rs, "a"),
                col(rs, "b"),
                col(rs, "kind"),
                col(rs, "score"),
                col(rs, "vocabulary_a"),
                col(rs, "vocabulary_b"),
                col(rs, "by_passage"),
            )
            groups, refused = _core.stage_stories(options, unit_cols, rel_cols)
            out["unit"].append(-1)
            out["story"].append(-1)
            out["refused"].append(refused)
            for g in groups:
                out["unit"].extend(g)
                out["story"].extend([g[0]] * len(g))
                out["refused"].extend([0] * len(g))
        return out

    clustered = _map(work, stories_kernel, "unit long, story long, refused long").localCheckpoint()
    refused = clustered.agg(sf.sum("refused")).collect()[0][0] or 0
    in_groups = clustered.where(sf.col("unit") >= 0).select("unit", "story")
    # Units of identical copies that no relation joins to another unit.
    alone = (
        units.where(sf.col("npages") >= 2)
        .join(comps, sf.col(SLOT) == sf.col("node"), "left_anti")
        .select(sf.col(SLOT).alias("unit"), sf.col(SLOT).alias("story"))
    )
    story_of_unit = in_groups.union(alone)
    page_story = per_page.join(story_of_unit, "unit").select(SLOT, "story").localCheckpoint()
    a_story = page_story.select(sf.col(SLOT).alias("a"), sf.col("story").alias("sa"))
    b_story = page_story.select(sf.col(SLOT).alias("b"), sf.col("story").alias("sb"))
    rewritten = (
        rels.where(sf.col("kind") == "rewritten")
        .join(a_story, "a")
        .join(b_story, "b")
        .where(sf.col("sa") == sf.col("sb"))
        .select(sf.col("sa").alias("story"))
        .distinct()
        .select("story", sf.lit(True).alias("rewritten"))
    )
    kinds = (
        page_story.select("story")
        .distinct()
        .join(rewritten, "story", "left")
        .select("story", sf.coalesce(sf.col("rewritten"), sf.lit(False)).alias("rewritten"))
    )
    return {"pages": page_story, "stories": kinds, "refused": int(refused), "facts": facts}


def story_table(pages: Any, found: dict[str, Any]) -> Any:
    """``(id, cluster_id, is_representative, kind)`` of the pages in a story, as
    `Corpus.cluster_table` gives them: each story's representative is its earliest
    published page, else the page whose kept lines hold most of its tokens, else
    the longest (then the smallest id); stories are numbered largest first, ties
    by their representatives' dates and ids."""
    from dedup._ingest import parse_published

    sf = _sf()
    members = (
        found["pages"]
        .join(pages.select(SLOT, "id", "published", "chars"), SLOT)
        .join(found["facts"].select(SLOT, "share"), SLOT)
    )
    grouped = members.groupBy("story").agg(
        sf.collect_list(sf.struct(SLOT, "id", "published", "chars", "share")).alias("m")
    )

    def pick(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"story": [], "rep": [], "size": [], "ts": [], "rep_id": []}
        for story, ms in zip(b["story"], b["m"], strict=True):
            dated = []
            for m in ms:
                when = parse_published(m["published"], f"published of {m['id']!r}")
                if when is not None:
                    dated.append((when.timestamp(), m["id"], m[SLOT]))
            if dated:
                ts, rep_id, rep = min(dated)
            else:
                best = min(ms, key=lambda m: (-round(m["share"], 2), -(m["chars"] or 0), m["id"]))
                ts, rep_id, rep = None, best["id"], best[SLOT]
            out["story"].append(story)
            out["rep"].append(rep)
            out["size"].append(len(ms))
            out["ts"].append(ts)
            out["rep_id"].append(rep_id)
        return out

    reps = _map(grouped, pick, "story long, rep long, size long, ts double, rep_id string")
    ordered = reps.orderBy(sf.col("size").desc(), sf.col("ts").asc_nulls_last(), sf.col("rep_id"))
    numbered = pages.sparkSession.createDataFrame(
        ordered.rdd.zipWithIndex().map(lambda r: (r[0]["story"], r[0]["rep"], r[1])),
        "story long, rep long, cluster_id long",
    )
    return (
        members.select(SLOT, "id", "story")
        .join(numbered, "story")
        .join(found["stories"], "story")
        .select(
            "id",
            "cluster_id",
            (sf.col(SLOT) == sf.col("rep")).alias("is_representative"),
            sf.when(sf.col("rewritten"), "rewritten").otherwise("syndicated").alias("kind"),
        )
    )


# -- what dedup.spark.cluster calls -----------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """Column names of the worker output of `dedup.spark` (id as a string, features,
    outlet name, publication date as an ISO string, text length)."""

    id: str
    features: str
    source: str
    published: str
    chars: str


class _UserColumns(Protocol):
    """The user's column names, for error messages."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def published(self) -> str | None: ...


def checked_options(options: dict[str, Any]) -> dict[str, float]:
    """`options` checked and made floats as `Corpus` checks them (typed errors for
    unknown names and bad values)."""
    from dedup.corpus import Corpus

    return dict(Corpus(progress=False, keep_texts=False, **options)._options)


def check_rows(frame: Any, names: Names, cols: _UserColumns) -> None:
    """Raises the error a user can act on for a null id, a repeated id, a null text
    or an unreadable date in the worker output, each found by a Spark job; only the
    first offending value reaches the driver."""
    from dedup._ingest import parse_published
    from dedup.errors import DuplicateIdError, InputTypeError, InvalidInputError

    sf = _sf()
    if not frame.where(sf.col(names.id).isNull()).isEmpty():
        raise InvalidInputError(
            f"id column {cols.id!r} has a null; every page needs an id: drop them first, "
            f"e.g. df.dropna(subset=[{cols.id!r}])"
        )
    repeated = (
        frame.groupBy(names.id)
        .count()
        .where(sf.col("count") > 1)
        .select(names.id)
        .limit(1)
        .collect()
    )
    if repeated:
        raise DuplicateIdError(
            f"id column {cols.id!r} has the value {repeated[0][0]!r} more than once; ids must "
            f"be unique: drop the duplicates first, e.g. df.dropDuplicates([{cols.id!r}])"
        )
    null_text = frame.where(sf.col(names.features).isNull()).select(names.id).limit(1).collect()
    if null_text:
        raise InvalidInputError(
            f"text column {cols.text!r} is null for id {null_text[0][0]!r}: fill or drop null "
            f"texts first, e.g. df.fillna({{{cols.text!r}: ''}})"
        )
    if cols.published is None:
        return

    def unreadable(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            bad: list[str] = []
            for pid, value in zip(
                batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
            ):
                try:
                    parse_published(value, "published")
                except (InvalidInputError, InputTypeError):
                    bad.append(pid)
                    break
            yield pa.RecordBatch.from_arrays([pa.array(bad, pa.string())], names=["id"])

    first = frame.select(names.id, names.published).mapInArrow(unreadable, "id string").limit(1)
    for row in first.collect():
        value = frame.where(sf.col(names.id) == row[0]).select(names.published).collect()[0][0]
        # The same check on the driver words the error.
        parse_published(value, f"published of id {row[0]!r}")


def story_frame(frame: Any, names: Names, options: dict[str, float]) -> Any | None:
    """``(id, cluster_id, is_representative, kind)`` of the pages of the worker
    output `frame` that are in a story, every stage run on the executors; None for
    a frame without rows. Warns (`DedupWarning`) when the cluster size limit
    refused merges, as `Corpus` does."""
    import warnings

    from dedup.errors import DedupWarning

    if frame.isEmpty():
        return None
    pages = number_pages(
        frame, names.id, names.source, names.features, names.published, names.chars
    ).localCheckpoint()
    found = relations(pages, options)
    told = stories(pages, found, found["relations"].localCheckpoint(), options)
    if told["refused"]:
        warnings.warn(
            f"{told['refused']} merges were refused because a story would have grown past "
            "the cluster size limit; the pages stay in smaller clusters",
            DedupWarning,
            stacklevel=3,
        )
    return story_table(pages, told)


# -- the edges: full measurement ---------------------------------------------------------------

_SHARES = ("coverage_a", "coverage_b", "vocabulary_a", "vocabulary_b", "runs_a", "runs_b")


def _measured(
    pairs: Any, side: Any, counts: Any, texts: int, common: Any, options: dict[str, float]
) -> Any:
    """``(a, b, ma, mb, shares...)``: `pairs` (``(a, b, x, y)``) with pages ``x`` and
    ``y`` measured in full (``ma``, ``mb``: the measured sides), where related."""
    sf = _sf()

    def named(prefix: str) -> Any:
        return side.select(
            *[sf.col(c).alias(f"{prefix}{c}") for c in (SLOT, FEATURES, KEEP, SOURCE)]
        )

    both = pairs.join(named("x_"), sf.col("x") == sf.col("x_slot")).join(
        named("y_"), sf.col("y") == sf.col("y_slot")
    )

    def kernel(b: dict[str, list[Any]]) -> dict[str, list[Any]]:
        sides = [
            (b[f"{p}slot"], b[f"{p}features"], b[f"{p}keep"], b[f"{p}source"]) for p in ("x_", "y_")
        ]
        rels = _core.stage_verify(
            options, common.value, counts.value, texts, sides[0], sides[1], full=True
        )
        out: dict[str, list[Any]] = {k: [] for k in ("a", "b", "rank", "ma", "mb", *_SHARES)}
        for n, r in enumerate(rels):
            if r is None:
                continue
            for k in ("a", "b", "rank"):
                out[k].append(b[k][n])
            out["ma"].append(r.a)
            out["mb"].append(r.b)
            for k in _SHARES:
                out[k].append(getattr(r, k))
        return out

    ddl = "a long, b long, rank long, ma long, mb long, " + ", ".join(
        f"{k} double" for k in _SHARES
    )
    return _map(both, kernel, ddl)


def measure(
    pages: Any,
    stats: dict[str, Any],
    rels: Any,
    counts: Any,
    texts: int,
    common: Any,
    options: dict[str, float],
) -> Any:
    """``(a, b, ma, mb, shares...)`` for each relation ``(a, b)`` that a full
    measurement relates, as `NewsCorpus.measure` measures it: the pair itself,
    else the first related pair of their identical copies (each side's copies in
    slot order; ``ma`` and ``mb`` say which pages were measured). Each page's own
    outlet is compared."""
    sf = _sf()
    per_page = stats["pages"]
    side = pages.select(SLOT, FEATURES, SOURCE).join(stats["keep"], SLOT)
    direct = _measured(
        rels.select(
            "a", "b", sf.col("a").alias("x"), sf.col("b").alias("y"), sf.lit(0).alias("rank")
        ),
        side,
        counts,
        texts,
        common,
        options,
    ).localCheckpoint()
    missing = rels.select("a", "b").join(direct.select("a", "b"), ["a", "b"], "left_anti")
    # Each page's copies: the pages with its article when it is on two or more
    # pages (article hash not 0), in slot order; else the page alone.
    shared = per_page.where(sf.col("hash") != 0).groupBy("unit").agg(sf.count("*").alias("n"))
    copies_of = per_page.join(shared.where(sf.col("n") >= 2), "unit", "left").select(
        SLOT, sf.when(sf.col("n").isNotNull(), sf.col("unit")).alias("unit")
    )
    members = per_page.where(sf.col("hash") != 0).select(sf.col("unit"), sf.col(SLOT).alias("copy"))

    def copies(end: str) -> Any:
        own = missing.select("a", "b", sf.col(end).alias(SLOT)).join(copies_of, SLOT)
        with_copies = own.join(members, "unit", "left")
        return with_copies.select(
            "a", "b", sf.coalesce(sf.col("copy"), sf.col(SLOT)).alias(f"c{end}")
        )

    ca, cb = copies("a"), copies("b")
    combos = ca.join(cb, ["a", "b"]).where(
        (sf.col("ca") != sf.col("cb"))
        & ~((sf.col("ca") == sf.col("a")) & (sf.col("cb") == sf.col("b")))
    )
    # The copy pairs in the order `explain_copies` tries them: by the first copy,
    # then the second.
    from pyspark.sql import Window

    ranked = combos.select(
        "a",
        "b",
        sf.col("ca").alias("x"),
        sf.col("cb").alias("y"),
        sf.row_number().over(Window.partitionBy("a", "b").orderBy("ca", "cb")).alias("rank"),
    )
    tried = _measured(ranked, side, counts, texts, common, options)
    first = tried.withColumn("best", sf.min("rank").over(Window.partitionBy("a", "b"))).where(
        sf.col("rank") == sf.col("best")
    )
    cols = ["a", "b", "ma", "mb", *_SHARES]
    return direct.select(*cols).union(first.select(*cols))


def match_frame(frame: Any, names: Names, options: dict[str, float]) -> Any | None:
    """The rows of `Corpus.match_table` for the pages of the worker output `frame`,
    every stage on the executors: ``(id, other, kind, score, coverage,
    other_coverage, vocabulary, other_vocabulary, runs, other_runs, containment,
    shared_tokens)``, ids as strings; None for a frame without rows."""
    sf = _sf()
    if frame.isEmpty():
        return None
    pages = number_pages(
        frame, names.id, names.source, names.features, names.published, names.chars
    ).localCheckpoint()
    found = relations(pages, options)
    rels = found["relations"].localCheckpoint()
    counts, texts, common = found["counts"], found["texts"], found["common_list"]
    measured = measure(pages, found, rels, counts, texts, common, options).select(
        "a", "b", "ma", "mb", *[sf.col(k).alias(f"m_{k}") for k in _SHARES]
    )
    rows = rels.select("a", "b", "kind", "score", "containment", "shared_tokens").join(
        measured, ["a", "b"], "left"
    )
    ids = pages.select(SLOT, "id")
    one = sf.coalesce(sf.col("ma"), sf.col("a"))
    other = sf.coalesce(sf.col("mb"), sf.col("b"))
    named = rows.join(ids.select(sf.col(SLOT).alias("i"), sf.col("id")), one == sf.col("i")).join(
        ids.select(sf.col(SLOT).alias("o"), sf.col("id").alias("other")), other == sf.col("o")
    )
    # A relation a full measurement refuses keeps unknown shares (NaN), as in Corpus.
    nan = sf.lit(float("nan"))
    share = {
        "coverage": "coverage_a",
        "other_coverage": "coverage_b",
        "vocabulary": "vocabulary_a",
        "other_vocabulary": "vocabulary_b",
        "runs": "runs_a",
        "other_runs": "runs_b",
    }
    return named.select(
        "id",
        "other",
        "kind",
        "score",
        *[sf.coalesce(sf.col(f"m_{k}"), nan).alias(name) for name, k in share.items()],
        "containment",
        "shared_tokens",
    )
