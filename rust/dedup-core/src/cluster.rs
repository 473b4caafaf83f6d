//! Clustering verified pairs into stories without chaining.
//!
//! Union-find over candidate pairs glues stories together through any page that
//! touches two of them. Here two groups merge only when the verified links between
//! them are *dense*: the summed edge weight between groups X and Y, divided by
//! `|X| * |Y|`, must reach `min_density` (average linkage over the sparse graph,
//! missing pairs counting zero). Merges happen best first. A bridge page linked to
//! all of story X and all of story Y joins one of them, and the merged group is then
//! too sparse towards the other to absorb it. Groups never grow beyond `max_size`;
//! merges refused for that reason are counted so the caller can report them.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

/// A weighted undirected edge between two items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// First item.
    pub a: u32,
    /// Second item.
    pub b: u32,
    /// Strength in (0, 1].
    pub weight: f64,
}

/// Tuning of [`cluster`].
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions {
    /// Least average link weight between two groups for them to merge.
    pub min_density: f64,
    /// Largest group size.
    pub max_size: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        Self { min_density: 0.5, max_size: 1000 }
    }
}

/// The groups found, and how many merges `max_size` refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clustering {
    /// Groups of at least two items, each sorted, ordered by their smallest item.
    pub groups: Vec<Vec<u32>>,
    /// Merges that met `min_density` but would have exceeded `max_size`.
    pub refused_oversized: usize,
}

/// Order key for the merge queue: higher density first, then the smaller pair of
/// group ids, so results do not depend on hash-map iteration order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cand {
    density: f64,
    x: u32,
    y: u32,
}

impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cand {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.density
            .total_cmp(&other.density)
            .then_with(|| other.x.cmp(&self.x))
            .then_with(|| other.y.cmp(&self.y))
    }
}

/// Clusters `n` items linked by `edges`.
pub fn cluster(n: usize, edges: &[Edge], opts: ClusterOptions) -> Clustering {
    cluster_weighted(&vec![1; n], edges, opts)
}

/// Clusters items that each stand for `sizes[i]` identical copies (already one
/// group): an edge between two items links every copy of one to every copy of the
/// other. Groups are reported when they hold at least two copies.
pub fn cluster_weighted(sizes: &[usize], edges: &[Edge], opts: ClusterOptions) -> Clustering {
    let n = sizes.len();
    // links[g]: summed weight from group g to each neighbouring group.
    let mut links: Vec<HashMap<u32, f64>> = vec![HashMap::default(); n];
    for e in edges {
        if e.a == e.b || e.weight <= 0.0 {
            continue;
        }
        let w = e.weight.min(1.0) * (sizes[e.a as usize] * sizes[e.b as usize]) as f64;
        let cur = links[e.a as usize].entry(e.b).or_insert(0.0);
        *cur = cur.max(w);
        let cur = links[e.b as usize].entry(e.a).or_insert(0.0);
        *cur = cur.max(w);
    }
    let mut size = sizes.to_vec();
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let mut alive = vec![true; n];
    let mut heap = std::collections::BinaryHeap::new();
    for (x, l) in links.iter().enumerate() {
        for (&y, &w) in l {
            let d = w / (size[x] * size[y as usize]) as f64;
            if (x as u32) < y && d >= opts.min_density {
                heap.push(Cand { density: d, x: x as u32, y });
            }
        }
    }
    let mut refused = 0;
    let mut refused_pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
    while let Some(c) = heap.pop() {
        let (x, y) = (c.x as usize, c.y as usize);
        if !alive[x] || !alive[y] {
            continue;
        }
        // Skip stale entries: the density must still be current.
        let w = links[x].get(&c.y).copied().unwrap_or(0.0);
        let d = w / (size[x] * size[y]) as f64;
        if (d - c.density).abs() > 1e-12 {
            continue;
        }
        if size[x] + size[y] > opts.max_size {
            if refused_pairs.insert((c.x, c.y)) {
                refused += 1;
            }
            continue;
        }
        // Merge y into x.
        alive[y] = false;
        let ly = std::mem::take(&mut links[y]);
        for (&z, &wz) in &ly {
            if z as usize == x {
                continue;
            }
            *links[x].entry(z).or_insert(0.0) += wz;
            let lz = &mut links[z as usize];
            lz.remove(&c.y);
            *lz.entry(c.x).or_insert(0.0) += wz;
        }
        links[x].remove(&c.y);
        size[x] += size[y];
        let my = std::mem::take(&mut members[y]);
        members[x].extend(my);
        for (&z, &wz) in &links[x] {
            let dz = wz / (size[x] * size[z as usize]) as f64;
            if dz >= opts.min_density {
                let (a, b) = if c.x < z { (c.x, z) } else { (z, c.x) };
                heap.push(Cand { density: dz, x: a, y: b });
            }
        }
    }
    let mut groups: Vec<Vec<u32>> = members
        .into_iter()
        .enumerate()
        .filter(|(i, _)| alive[*i] && size[*i] >= 2)
        .map(|(_, mut m)| {
            m.sort_unstable();
            m
        })
        .collect();
    groups.sort_unstable_by_key(|g| g[0]);
    Clustering { groups, refused_oversized: refused }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clique(items: &[u32], w: f64) -> Vec<Edge> {
        let mut out = Vec::new();
        for (i, &a) in items.iter().enumerate() {
            for &b in &items[i + 1..] {
                out.push(Edge { a, b, weight: w });
            }
        }
        out
    }

    #[test]
    fn a_bridge_page_does_not_glue_two_stories() {
        // Stories {0,1,2} and {3,4,5}; page 6 quotes both.
        let mut edges = clique(&[0, 1, 2], 0.9);
        edges.extend(clique(&[3, 4, 5], 0.9));
        for x in [0, 1, 2, 3, 4, 5] {
            edges.push(Edge { a: 6, b: x, weight: 0.9 });
        }
        let c = cluster(7, &edges, ClusterOptions::default());
        assert_eq!(c.groups.len(), 2);
        assert!(c.groups.iter().any(|g| g == &[0, 1, 2] || g == &[0, 1, 2, 6]));
        assert!(c.groups.iter().any(|g| g == &[3, 4, 5] || g == &[3, 4, 5, 6]));
    }

    #[test]
    fn a_chain_does_not_become_one_cluster() {
        let edges: Vec<Edge> = (0..9).map(|i| Edge { a: i, b: i + 1, weight: 1.0 }).collect();
        let c = cluster(10, &edges, ClusterOptions::default());
        assert!(c.groups.iter().all(|g| g.len() <= 3), "{:?}", c.groups);
    }

    #[test]
    fn oversized_merges_are_refused_and_counted() {
        let edges = clique(&[0, 1, 2, 3], 1.0);
        let c = cluster(4, &edges, ClusterOptions { min_density: 0.5, max_size: 2 });
        assert!(c.groups.iter().all(|g| g.len() <= 2));
        assert!(c.refused_oversized > 0);
    }

    #[test]
    fn weighted_items_behave_like_their_copies() {
        // Item 0 stands for three identical pages, item 1 for one page linked to
        // all three, item 2 for two identical pages and nothing else.
        let c =
            cluster_weighted(&[3, 1, 2, 1], &[Edge { a: 0, b: 1, weight: 1.0 }], ClusterOptions::default());
        assert_eq!(c.groups, [vec![0, 1], vec![2]]);
        // Spelled out copy by copy, the same stories come out.
        let mut edges = clique(&[0, 1, 2, 3], 1.0);
        edges.extend(clique(&[4, 5], 1.0));
        let flat = cluster(7, &edges, ClusterOptions::default());
        assert_eq!(flat.groups, [vec![0, 1, 2, 3], vec![4, 5]]);
    }

    #[test]
    fn result_does_not_depend_on_edge_order() {
        let mut edges = clique(&[0, 1, 2, 3], 0.8);
        edges.extend(clique(&[4, 5, 6], 0.7));
        edges.push(Edge { a: 3, b: 4, weight: 1.0 });
        let a = cluster(7, &edges, ClusterOptions::default());
        edges.reverse();
        assert_eq!(a, cluster(7, &edges, ClusterOptions::default()));
    }
}
