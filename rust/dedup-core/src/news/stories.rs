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
//!
//! Density alone cannot build a star: a long wire story and ten briefs, each cut
//! from a different part of it, are linked only through the wire, so after two
//! briefs every further brief is too sparse towards the group. [`attach`] then
//! joins each group left apart to the group its content mostly comes from.
//! "Mostly" (at least half of its content) is what keeps this from chaining: a page
//! cannot be mostly derived from two unrelated stories, so a page that quotes two
//! stories still joins one of them, never both.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use super::stats::Analysis;
use super::verify::{Kind, Relation};
use super::Pages;

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

/// What one analysis of a corpus found: the verified relations (sorted by pair),
/// the stories they form, and the relations of each page, so that a caller
/// looks them up here rather than indexing them again.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Verified relations, sorted by pair.
    pub relations: Vec<Relation>,
    /// The stories.
    pub clustering: Clustering,
    /// Whether each story (as `clustering.groups`) holds a rewritten relation
    /// between two of its pages; else every copy in it is near-verbatim.
    pub rewritten: Vec<bool>,
    /// The relations of slot `s` are `numbers[starts[s]..starts[s + 1]]`.
    starts: Vec<u32>,
    numbers: Vec<u32>,
}

impl Findings {
    /// Indexes `relations` between pages of `slots` slots, and the stories.
    pub fn new(slots: usize, relations: Vec<Relation>, clustering: Clustering) -> Self {
        let mut starts = vec![0u32; slots + 1];
        for r in &relations {
            starts[r.a as usize + 1] += 1;
            starts[r.b as usize + 1] += 1;
        }
        for s in 0..slots {
            starts[s + 1] += starts[s];
        }
        let mut fill = starts.clone();
        let mut numbers = vec![0u32; starts[slots] as usize];
        for (n, r) in relations.iter().enumerate() {
            for s in [r.a, r.b] {
                numbers[fill[s as usize] as usize] = n as u32;
                fill[s as usize] += 1;
            }
        }
        let mut story = vec![u32::MAX; slots];
        for (n, g) in clustering.groups.iter().enumerate() {
            for &s in g {
                story[s as usize] = n as u32;
            }
        }
        let mut rewritten = vec![false; clustering.groups.len()];
        for r in relations.iter().filter(|r| r.kind == Kind::Rewritten) {
            let st = story[r.a as usize];
            if st != u32::MAX && st == story[r.b as usize] {
                rewritten[st as usize] = true;
            }
        }
        Self { relations, clustering, rewritten, starts, numbers }
    }

    /// Numbers (into `relations`) of the relations of slot `s`, in order.
    pub fn of_slot(&self, s: u32) -> &[u32] {
        match (self.starts.get(s as usize), self.starts.get(s as usize + 1)) {
            (Some(&a), Some(&b)) => &self.numbers[a as usize..b as usize],
            _ => &[],
        }
    }
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

/// Item `from` is derived from item `to`: `share` of its content comes from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Derived {
    /// The derived item.
    pub from: u32,
    /// The item it comes from.
    pub to: u32,
    /// Share of `from`'s content found in `to`, in [0, 1].
    pub share: f64,
}

/// Joins each group of `c` (an item in no group counts as a group of its own) to
/// the group its content mostly comes from: for each member, the item outside the
/// group it is most derived from, when that share reaches `min_share` (of two
/// sources within 0.05 of each other, the one the member covers more of: a wire
/// story rather than a digest that also prints the brief; then the smaller item);
/// a group joins another when members holding more than half of its copies come
/// from there. A star of briefs around one long story is joined this way, and so
/// is a pair of briefs that density first put together. Attachments are decided
/// on the groups as they were, then applied together in group order, so the
/// result does not depend on their order; a group never grows beyond `max_size`
/// (in copies, as `sizes` counts them).
pub fn attach(c: &mut Clustering, sizes: &[usize], links: &[Derived], min_share: f64, max_size: usize) {
    let n = sizes.len();
    // The choice of a best source below is not transitive (near ties), so the
    // links are taken in a fixed order: in the order given (pages' slots), the
    // stories depended on the order pages were added in.
    let mut links = links.to_vec();
    links.sort_unstable_by(|x, y| (x.from, x.to).cmp(&(y.from, y.to)).then(x.share.total_cmp(&y.share)));
    let links = &links[..];
    // Group of each item: its group in `c`, or a group of its own after those.
    let mut group_of: Vec<u32> = vec![u32::MAX; n];
    for (g, members) in c.groups.iter().enumerate() {
        for &i in members {
            group_of[i as usize] = g as u32;
        }
    }
    let mut next = c.groups.len() as u32;
    for g in &mut group_of {
        if *g == u32::MAX {
            *g = next;
            next += 1;
        }
    }
    let groups = next as usize;
    let mut copies = vec![0usize; groups];
    for (i, &g) in group_of.iter().enumerate() {
        copies[g as usize] += sizes[i];
    }
    // Share the other way round, to break near ties.
    let mut back: HashMap<(u32, u32), f64> = HashMap::default();
    for l in crate::interrupt::checked(links) {
        back.insert((l.to, l.from), l.share);
    }
    let reverse = |l: &Derived| back.get(&(l.from, l.to)).copied().unwrap_or(0.0);
    // Best source outside its group of each item.
    let mut best: Vec<Option<&Derived>> = vec![None; n];
    for l in crate::interrupt::checked(links) {
        if l.share < min_share || group_of[l.from as usize] == group_of[l.to as usize] {
            continue;
        }
        let b = &mut best[l.from as usize];
        let better = match *b {
            None => true,
            Some(cur) if (l.share - cur.share).abs() > 0.05 => l.share > cur.share,
            Some(cur) => (reverse(l), l.share, std::cmp::Reverse(l.to))
                .partial_cmp(&(reverse(cur), cur.share, std::cmp::Reverse(cur.to)))
                .is_some_and(std::cmp::Ordering::is_gt),
        };
        if better {
            *b = Some(l);
        }
    }
    // Copies of each group coming from each other group.
    let mut from: std::collections::BTreeMap<(u32, u32), usize> = std::collections::BTreeMap::new();
    for (i, b) in best.iter().enumerate() {
        if let Some(l) = b {
            *from.entry((group_of[i], group_of[l.to as usize])).or_insert(0) += sizes[i];
        }
    }
    let mut target: Vec<Option<u32>> = vec![None; groups];
    for (&(g, h), &k) in &from {
        if 2 * k > copies[g as usize] {
            target[g as usize] = Some(h);
        }
    }
    let mut parent: Vec<u32> = (0..groups as u32).collect();
    let mut size = copies.clone();
    for (g, t) in target.iter().enumerate() {
        let Some(h) = *t else { continue };
        let (x, y) = (find(&mut parent, g as u32), find(&mut parent, h));
        if x == y {
            continue;
        }
        if size[x as usize] + size[y as usize] > max_size {
            c.refused_oversized += 1;
            continue;
        }
        let (keep, gone) = if x < y { (x, y) } else { (y, x) };
        parent[gone as usize] = keep;
        size[keep as usize] += size[gone as usize];
    }
    let mut out: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
    for i in 0..n as u32 {
        let root = find(&mut parent, group_of[i as usize]);
        out.entry(root).or_default().push(i);
    }
    c.groups =
        out.into_values().filter(|g| g.iter().map(|&i| sizes[i as usize]).sum::<usize>() >= 2).collect();
    c.groups.sort_unstable_by_key(|g| g[0]);
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[parent[i as usize] as usize];
        parent[i as usize] = p;
        i = p;
    }
    i
}

/// Clusters `n` items linked by `edges`.
pub fn cluster(n: usize, edges: &[Edge], opts: ClusterOptions) -> Clustering {
    cluster_weighted(&vec![1; n], edges, opts)
}

/// Clusters items that each stand for `sizes[i]` identical copies (already one
/// group): an edge between two items links every copy of one to every copy of the
/// other. Groups are reported when they hold at least two copies.
pub fn cluster_weighted(sizes: &[usize], edges: &[Edge], opts: ClusterOptions) -> Clustering {
    let start: Vec<u32> = (0..sizes.len() as u32).collect();
    cluster_from(&start, sizes, edges, opts)
}

/// Groups of items to start clustering from, and the summed weights between them.
struct Groups {
    /// Copies in each group (dense ids, in order of each group's first item).
    size: Vec<usize>,
    /// Items of each group.
    members: Vec<Vec<u32>>,
    /// `links[g]`: summed weight from group g to each neighbouring group (an edge
    /// links every copy of one item to every copy of the other).
    links: Vec<HashMap<u32, f64>>,
}

impl Groups {
    fn new(start: &[u32], sizes: &[usize], edges: &[Edge]) -> Self {
        let items = sizes.len();
        let mut id: HashMap<u32, u32> = HashMap::default();
        let of: Vec<u32> = crate::interrupt::checked(start)
            .map(|&g| {
                let next = id.len() as u32;
                *id.entry(g).or_insert(next)
            })
            .collect();
        let n = id.len();
        let mut size = vec![0usize; n];
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, &g) in of.iter().enumerate() {
            size[g as usize] += sizes[i];
            members[g as usize].push(i as u32);
        }
        // The strongest edge between two items, then summed between their groups.
        let mut best: HashMap<(u32, u32), f64> = HashMap::default();
        for e in crate::interrupt::checked(edges) {
            if e.a == e.b || e.weight <= 0.0 || e.a as usize >= items || e.b as usize >= items {
                continue;
            }
            let cur = best.entry((e.a.min(e.b), e.a.max(e.b))).or_insert(0.0);
            *cur = cur.max(e.weight.min(1.0));
        }
        let mut pairs: Vec<((u32, u32), f64)> = best.into_iter().collect();
        pairs.sort_unstable_by_key(|x| x.0);
        let mut links: Vec<HashMap<u32, f64>> = vec![HashMap::default(); n];
        for ((a, b), w) in crate::interrupt::checked(pairs) {
            let (x, y) = (of[a as usize], of[b as usize]);
            if x == y {
                continue;
            }
            let w = w * (sizes[a as usize] * sizes[b as usize]) as f64;
            *links[x as usize].entry(y).or_insert(0.0) += w;
            *links[y as usize].entry(x).or_insert(0.0) += w;
        }
        Self { size, members, links }
    }
}

/// [`cluster_weighted`] starting from groups already formed: `start[i]` is the
/// group of item `i` (any id; items with the same id start together).
pub fn cluster_from(start: &[u32], sizes: &[usize], edges: &[Edge], opts: ClusterOptions) -> Clustering {
    let Groups { mut size, mut members, mut links } = Groups::new(start, sizes, edges);
    let n = size.len();
    let mut alive = vec![true; n];
    let mut heap = std::collections::BinaryHeap::new();
    for (x, l) in links.iter().enumerate() {
        crate::interrupt::check_every(x);
        for (&y, &w) in l {
            let d = w / (size[x] * size[y as usize]) as f64;
            if (x as u32) < y && d >= opts.min_density {
                heap.push(Cand { density: d, x: x as u32, y });
            }
        }
    }
    let mut refused = 0;
    let mut refused_pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut steps = 0u32;
    while let Some(c) = heap.pop() {
        steps = steps.wrapping_add(1);
        if steps % 4096 == 0 {
            crate::interrupt::check();
        }
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

/// One unit of [`unit_stories`]: the first page of an article (its slot), the
/// article's hash and the page's text hash (which order the units), and how many
/// pages carry the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryUnit {
    /// Slot of the first page with the article.
    pub slot: u32,
    /// Article hash.
    pub hash: u64,
    /// Hash of the page's text.
    pub text_hash: u64,
    /// Pages with the article.
    pub pages: usize,
}

/// The stories of the corpus from its verified relations, as groups of pages:
/// [`unit_stories`] over every unit, each unit then standing for its pages.
pub(crate) fn stories(px: &Pages<'_>, an: &Analysis, relations: &[Relation]) -> Clustering {
    let n = px.docs.len();
    let mut pages = vec![0usize; n];
    for (slot, d) in px.docs.iter().enumerate() {
        crate::interrupt::check_every(slot);
        if d.is_some() {
            pages[an.unit[slot] as usize] += 1;
        }
    }
    let units: Vec<StoryUnit> = (0..n)
        .filter(|&s| pages[s] > 0)
        .map(|s| StoryUnit {
            slot: s as u32,
            hash: an.hash[s],
            text_hash: px.docs[s].as_ref().map_or(0, |d| d.text_hash),
            pages: pages[s],
        })
        .collect();
    let mut c = unit_stories(&px.opts.cluster, px.opts.attach_vocabulary, &units, relations);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (slot, d) in px.docs.iter().enumerate() {
        crate::interrupt::check_every(slot);
        if d.is_some() {
            members[an.unit[slot] as usize].push(slot as u32);
        }
    }
    for g in &mut c.groups {
        let mut pages: Vec<u32> = g.iter().flat_map(|&u| members[u as usize].iter().copied()).collect();
        pages.sort_unstable();
        *g = pages;
    }
    c.groups.sort_unstable_by_key(|g| g[0]);
    c
}

/// Stories of `units` (each standing for its identical pages) from the verified
/// `relations` between them (others are ignored), as groups of unit slots, each
/// sorted, ordered by their first unit. Copies and pages sharing a passage group
/// by density; then a page (or a group) mostly derived from another page joins
/// that page's story. Units are clustered in the order of their article hash,
/// text hash and slot, so stories do not depend on insertion order; a subset of
/// the units closed under the relations (a connected component) gets the
/// stories the whole corpus gives it.
pub fn unit_stories(
    opts: &ClusterOptions,
    attach_vocabulary: f64,
    units: &[StoryUnit],
    relations: &[Relation],
) -> Clustering {
    let mut order: Vec<&StoryUnit> = units.iter().collect();
    order.sort_unstable_by_key(|u| (u.hash, u.text_hash, u.slot));
    // rank[slot] of each unit: its item number; order[rank]: the unit back.
    let rank: HashMap<u32, u32> = order.iter().enumerate().map(|(r, u)| (u.slot, r as u32)).collect();
    let sizes: Vec<usize> = order.iter().map(|u| u.pages).collect();
    let between_units = || relations.iter().filter_map(|r| Some((r, *rank.get(&r.a)?, *rank.get(&r.b)?)));
    // Stronger relations merge first and count more: a page tied to all of one
    // story at 0.99 is not pulled into another it shares one sentence with.
    let edges: Vec<Edge> = between_units()
        .filter(|(r, _, _)| r.kind == Kind::Syndicated || r.by_passage)
        .map(|(r, a, b)| Edge { a, b, weight: r.score })
        .collect();
    let mut c = cluster_weighted(&sizes, &edges, *opts);
    let links: Vec<Derived> = between_units()
        .flat_map(|(r, a, b)| {
            [
                Derived { from: a, to: b, share: r.vocabulary_a },
                Derived { from: b, to: a, share: r.vocabulary_b },
            ]
        })
        .collect();
    attach(&mut c, &sizes, &links, attach_vocabulary, opts.max_size);
    for g in &mut c.groups {
        for u in g.iter_mut() {
            *u = order[*u as usize].slot;
        }
        g.sort_unstable();
    }
    c.groups.sort_unstable_by_key(|g| g[0]);
    c
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

    fn relation(a: u32, b: u32, kind: Kind) -> Relation {
        Relation::unmeasured((a, b), kind, 0.9, false)
    }

    #[test]
    fn findings_index_each_pages_relations_and_name_rewritten_stories() {
        let rels = vec![
            relation(0, 1, Kind::Syndicated),
            relation(0, 4, Kind::Rewritten),
            relation(1, 2, Kind::Syndicated),
            relation(3, 5, Kind::Rewritten),
            relation(4, 6, Kind::Rewritten),
        ];
        // Stories {0, 1, 2} and {4, 6}; 3 and 5 related but not a story, and the
        // rewritten 0-4 link runs between two stories.
        let clustering = Clustering { groups: vec![vec![0, 1, 2], vec![4, 6]], refused_oversized: 0 };
        let f = Findings::new(8, rels.clone(), clustering);
        // Against the obvious scan, for every slot and one past the end.
        for s in 0..9u32 {
            let slow: Vec<u32> = (0..rels.len() as u32)
                .filter(|&n| rels[n as usize].a == s || rels[n as usize].b == s)
                .collect();
            assert_eq!(f.of_slot(s), slow.as_slice(), "slot {s}");
        }
        assert_eq!(f.rewritten, [false, true]);
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
    fn attachment_does_not_depend_on_the_order_of_the_links() {
        // Item 0 is derived from 1, 2 and 3 with shares in a chain of near ties
        // (each within 0.05 of the next, the ends not), so no source beats both
        // others: which one wins must not depend on the order the links come in.
        // The reverse shares stay under `min_share`, so only item 0 moves.
        let links = [
            Derived { from: 0, to: 1, share: 0.60 },
            Derived { from: 0, to: 2, share: 0.64 },
            Derived { from: 0, to: 3, share: 0.68 },
            // The shares the other way, which break near ties: 1 beats 2 and 2
            // beats 3 on them, but 3 beats 1 on its share.
            Derived { from: 1, to: 0, share: 0.45 },
            Derived { from: 2, to: 0, share: 0.3 },
            Derived { from: 3, to: 0, share: 0.1 },
        ];
        let run = |order: &[usize]| {
            let ls: Vec<Derived> = order.iter().map(|&i| links[i]).collect();
            let mut c = Clustering { groups: Vec::new(), refused_oversized: 0 };
            attach(&mut c, &[1, 1, 1, 1], &ls, 0.5, 100);
            c.groups
        };
        let first = run(&[0, 1, 2, 3, 4, 5]);
        for order in [[1, 2, 0, 3, 4, 5], [2, 1, 0, 5, 4, 3], [5, 4, 3, 2, 1, 0], [0, 2, 1, 4, 3, 5]] {
            assert_eq!(run(&order), first, "{order:?}");
        }
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

    /// Density, then attachment.
    fn dense_then_derived(n: usize, links: &[Derived], edges: &[Edge], min_share: f64) -> Clustering {
        let mut c = cluster(n, edges, ClusterOptions::default());
        attach(&mut c, &vec![1; n], links, min_share, 1000);
        c
    }

    #[test]
    fn briefs_of_one_long_story_all_join_it() {
        // Item 0 is a wire story; items 1..=6 are briefs, each mostly derived from
        // it and unrelated to one another. Density alone stops after two briefs.
        let edges: Vec<Edge> = (1..=6).map(|b| Edge { a: 0, b, weight: 0.9 }).collect();
        assert!(cluster(7, &edges, ClusterOptions::default()).groups[0].len() < 7);
        let links: Vec<Derived> = (1..=6).map(|b| Derived { from: b, to: 0, share: 0.8 }).collect();
        assert_eq!(dense_then_derived(7, &links, &edges, 0.5).groups, [vec![0, 1, 2, 3, 4, 5, 6]]);
    }

    #[test]
    fn a_page_half_from_each_of_two_stories_joins_one() {
        // Stories {0,1,2} and {3,4,5}; page 6 takes half its text from 0 and half
        // from 3: it joins one of them (the tie goes to the smaller item), never
        // both, and below the share it joins neither.
        let mut edges = clique(&[0, 1, 2], 0.9);
        edges.extend(clique(&[3, 4, 5], 0.9));
        let links = [Derived { from: 6, to: 0, share: 0.5 }, Derived { from: 6, to: 3, share: 0.5 }];
        assert_eq!(dense_then_derived(7, &links, &edges, 0.5).groups, [vec![0, 1, 2, 6], vec![3, 4, 5]]);
        assert_eq!(dense_then_derived(7, &links, &edges, 0.55).groups, [vec![0, 1, 2], vec![3, 4, 5]]);
    }

    #[test]
    fn a_pair_of_briefs_joins_the_story_both_come_from() {
        // Items 1 and 2 are briefs that share a quote (density pairs them first);
        // both are mostly cut from the long story 0, which has its own copy 3.
        let mut edges = clique(&[0, 3], 1.0);
        edges.push(Edge { a: 1, b: 2, weight: 1.0 });
        edges.push(Edge { a: 1, b: 0, weight: 0.8 });
        edges.push(Edge { a: 2, b: 0, weight: 0.8 });
        let links = [Derived { from: 1, to: 0, share: 0.7 }, Derived { from: 2, to: 0, share: 0.6 }];
        assert_eq!(dense_then_derived(4, &links, &edges, 0.5).groups, [vec![0, 1, 2, 3]]);
        // one brief of two is not a majority
        assert_eq!(dense_then_derived(4, &links[..1], &edges, 0.5).groups, [vec![0, 3], vec![1, 2]]);
    }

    #[test]
    fn a_brief_printed_in_a_digest_joins_its_wire_not_the_digest() {
        // Brief 1 is wholly in wire 0 and wholly in digest 2, which also prints
        // brief 3 of wire 4. Each brief covers more of its wire than of the digest.
        let links = [
            Derived { from: 1, to: 0, share: 0.95 },
            Derived { from: 0, to: 1, share: 0.4 },
            Derived { from: 1, to: 2, share: 0.97 },
            Derived { from: 2, to: 1, share: 0.3 },
            Derived { from: 3, to: 4, share: 0.95 },
            Derived { from: 4, to: 3, share: 0.4 },
            Derived { from: 3, to: 2, share: 0.96 },
            Derived { from: 2, to: 3, share: 0.3 },
        ];
        let c = dense_then_derived(5, &links, &[], 0.5);
        assert_eq!(c.groups, [vec![0, 1], vec![3, 4]]);
    }

    #[test]
    fn attach_respects_the_size_limit_and_counts_refusals() {
        let edges = clique(&[0, 1], 1.0);
        let mut c = cluster(4, &edges, ClusterOptions::default());
        let links = [Derived { from: 2, to: 0, share: 0.9 }, Derived { from: 3, to: 0, share: 0.9 }];
        attach(&mut c, &[1; 4], &links, 0.5, 3);
        assert_eq!(c.groups, [vec![0, 1, 2]]);
        assert_eq!(c.refused_oversized, 1);
    }

    #[test]
    fn starting_groups_count_as_their_copies() {
        // Items 0 and 1 start together; 2 links to both: density 1 with the group.
        let edges = [Edge { a: 2, b: 0, weight: 1.0 }, Edge { a: 2, b: 1, weight: 1.0 }];
        let c = cluster_from(&[0, 0, 2], &[1, 1, 1], &edges, ClusterOptions::default());
        assert_eq!(c.groups, [vec![0, 1, 2]]);
        // linked to one of the two only: density 0.5 still merges, 1/3 does not
        let c = cluster_from(&[0, 0, 0, 3], &[1; 4], &edges[..1], ClusterOptions::default());
        assert_eq!(c.groups, [vec![0, 1, 2]]);
    }

    #[test]
    fn a_page_joins_the_group_it_is_tied_to_strongly() {
        // Item 0 stands for three identical copies of story A; item 1 (R) rewrites A
        // (0.99) and shares a quote with two of story B's four pages (0.6). With
        // equal weights, R's merges with A and with B's pages tie at density 1.
        let sizes = [3, 1, 1, 1, 1, 1];
        let mut edges = vec![
            Edge { a: 1, b: 2, weight: 0.6 },
            Edge { a: 1, b: 3, weight: 0.6 },
            Edge { a: 1, b: 0, weight: 0.99 },
        ];
        edges.extend(clique(&[2, 3, 4, 5], 0.9));
        let c = cluster_weighted(&sizes, &edges, ClusterOptions::default());
        assert_eq!(c.groups, [vec![0, 1], vec![2, 3, 4, 5]]);
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

    mod components {
        use super::*;
        use proptest::prelude::*;

        /// Connected components of the units under the relations, as lists of
        /// unit indices (the obvious way: union-find).
        fn find(p: &mut [usize], x: usize) -> usize {
            if p[x] == x {
                x
            } else {
                let r = find(p, p[x]);
                p[x] = r;
                r
            }
        }

        fn components(n: usize, rels: &[(usize, usize)]) -> Vec<Vec<usize>> {
            let mut parent: Vec<usize> = (0..n).collect();
            for &(a, b) in rels {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra] = rb;
            }
            let mut by: HashMap<usize, Vec<usize>> = HashMap::default();
            for x in 0..n {
                let r = find(&mut parent, x);
                by.entry(r).or_default().push(x);
            }
            by.into_values().collect()
        }

        proptest! {
            /// What lets a distributed run cluster each connected component of the
            /// relations on its own: the stories of the components together are
            /// the stories of all units at once.
            #[test]
            fn stories_of_the_components_are_the_stories_of_the_whole(
                units in proptest::collection::vec((0u64..6, 0u64..4, 1usize..4), 1..24),
                rels in proptest::collection::vec(
                    (0usize..24, 0usize..24, any::<bool>(), 0.3f64..1.0, 0.0f64..1.0, 0.0f64..1.0, any::<bool>()),
                    0..40,
                ),
                max_size in 2usize..12,
            ) {
                let n = units.len();
                let units: Vec<StoryUnit> = units
                    .iter()
                    .enumerate()
                    .map(|(i, &(h, t, p))| StoryUnit { slot: 3 * i as u32 + 1, hash: h << 60 | i as u64, text_hash: t, pages: p })
                    .collect();
                let rels: Vec<Relation> = rels
                    .into_iter()
                    .filter(|r| r.0 < n && r.1 < n && r.0 != r.1)
                    .map(|(a, b, syn, score, va, vb, by)| {
                        let kind = if syn { Kind::Syndicated } else { Kind::Rewritten };
                        let (a, b) = (units[a.min(b)].slot, units[a.max(b)].slot);
                        Relation { vocabulary_a: va, vocabulary_b: vb, ..Relation::unmeasured((a, b), kind, score, by) }
                    })
                    .collect();
                let opts = ClusterOptions { max_size, ..ClusterOptions::default() };
                let whole = unit_stories(&opts, 0.5, &units, &rels);
                let index = |slot: u32| (slot as usize - 1) / 3;
                let pairs: Vec<(usize, usize)> = rels.iter().map(|r| (index(r.a), index(r.b))).collect();
                let mut groups = Vec::new();
                let mut refused = 0;
                for comp in components(n, &pairs) {
                    let cu: Vec<StoryUnit> = comp.iter().map(|&i| units[i]).collect();
                    let cr: Vec<Relation> =
                        rels.iter().filter(|r| comp.contains(&index(r.a))).cloned().collect();
                    let c = unit_stories(&opts, 0.5, &cu, &cr);
                    groups.extend(c.groups);
                    refused += c.refused_oversized;
                }
                groups.sort_unstable_by_key(|g| g[0]);
                prop_assert_eq!(groups, whole.groups);
                prop_assert_eq!(refused, whole.refused_oversized);
            }
        }
    }
}
