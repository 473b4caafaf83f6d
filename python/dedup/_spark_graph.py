"""Connected components in Spark, by alternating large-star and small-star rounds
(Kiveris, Lattanzi, Mirrokni, Rastogi and Vassilvitskii, "Connected Components in
MapReduce and Beyond", SoCC 2014): each node is linked to the smallest node of its
neighbourhood until every component is a star around its smallest node, in
O(log² n) rounds. `dedup.spark.connected_components` checks its arguments and
calls `components`; the Spark stages call it directly."""

from __future__ import annotations

from typing import Any

from dedup.errors import InternalError


def components(edges: Any, max_rounds: int = 100) -> Any:
    """``(node, component)`` of the undirected edges ``(u, v)`` (rows with a null end
    ignored, a self loop keeps its node); ``component`` is the smallest node of the
    component. Each round is checkpointed locally, so the query plan does not grow
    with the rounds."""
    import pyspark.sql.functions as sf

    u, v = sf.col("u"), sf.col("v")
    e = edges.where(u.isNotNull() & v.isNotNull())
    nodes = e.select(u.alias("node")).union(e.select(v.alias("node"))).distinct()
    # Edges are kept oriented, larger end first (u > v), without self loops.
    e = e.where(u != v).select(sf.greatest(u, v).alias("u"), sf.least(u, v).alias("v")).distinct()
    e = e.localCheckpoint()
    for _ in range(max_rounds):
        # One checkpoint a round keeps the query plan short.
        e = _small_star(_large_star(e, sf), sf).localCheckpoint()
        if _stars(e, sf):
            break
    else:
        raise InternalError(
            f"connected components did not converge in {max_rounds} rounds; raise max_rounds"
        )
    # Every node is now a centre (the smallest of its component, never in u) or a
    # leaf with exactly one edge, to its centre.
    parent = e.select(sf.col("u").alias("leaf"), sf.col("v").alias("centre"))
    out = nodes.join(parent, sf.col("node") == sf.col("leaf"), "left")
    return out.select("node", sf.coalesce(sf.col("centre"), sf.col("node")).alias("component"))


def _large_star(e: Any, sf: Any) -> Any:
    """Links every node to the smallest node of its closed neighbourhood m(x), for
    each neighbour larger than x: edge (y, x) with y > x becomes (y, m(x))."""
    smallest = e.groupBy("u").agg(sf.min("v").alias("m")).withColumnRenamed("u", "x")
    linked = e.join(smallest, sf.col("v") == sf.col("x"), "left")
    return linked.select("u", sf.coalesce(sf.col("m"), sf.col("v")).alias("v")).distinct()


def _small_star(e: Any, sf: Any) -> Any:
    """For every node x with smaller neighbours N, links x and each of N to m =
    min(N): edges (x, m) and (n, m) for n in N other than m."""
    smallest = e.groupBy("u").agg(sf.min("v").alias("m"))
    spokes = (
        e.join(smallest, "u")
        .where(sf.col("v") != sf.col("m"))
        .select(sf.col("v").alias("u"), sf.col("m").alias("v"))
    )
    return spokes.union(smallest.select("u", sf.col("m").alias("v"))).distinct()


def _stars(e: Any, sf: Any) -> bool:
    """True when every component is a star around its smallest node: no node has
    two edges to smaller nodes, and none with an edge to a smaller node has an edge
    to a larger one. One Spark job."""
    ends = e.select(sf.col("u").alias("n"), sf.lit(1).alias("down"), sf.lit(0).alias("up")).union(
        e.select(sf.col("v").alias("n"), sf.lit(0).alias("down"), sf.lit(1).alias("up"))
    )
    per_node = ends.groupBy("n").agg(sf.sum("down").alias("down"), sf.max("up").alias("up"))
    bad = per_node.where((sf.col("down") > 1) | ((sf.col("down") == 1) & (sf.col("up") == 1)))
    return bool(bad.isEmpty())
