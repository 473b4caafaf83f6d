//! Stage 1, chrome removal: which lines of a page are its article.
//!
//! The rules that read a page's own lines are in [`rules`]; the corpus counts they
//! take (lines an outlet repeats, lines in many texts) are in the analysis.

mod rules;

pub use rules::*;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::article::{to_bits, Article, Keep};
use super::features::{page_hash, Doc};
use super::page::{Line, Page};
use super::stats::{near_dup_groups, NearDupMemo};
use super::Pages;
use crate::lsh::fmix64;

/// Line kinds, kept lines and the article of a page before the coherence pass.
pub(crate) type FirstPass = (Vec<Kind>, Vec<bool>, Article);

/// Line counts chrome removal looks up.
#[derive(Debug, Default)]
pub(crate) struct LineStats {
    /// Hash of (outlet, line key) → distinct pages of that outlet with that line,
    /// kept only where the count can reach `same_source_pages` (with a query).
    pub(crate) outlet_lines: HashMap<u64, u32>,
    /// (outlet, page hash) of every page with an outlet.
    pub(crate) outlet_pages: HashSet<(u32, u64)>,
    /// Distinct texts each line occurs in, kept where the count can pass `line_cap`.
    pub(crate) line_df: HashMap<u64, u32>,
    /// Texts above which a line recurs.
    pub(crate) line_cap: u32,
}

/// Line kinds of a page, with corpus recurrence applied. `extra` is 1 for a page
/// that is not in the corpus (a query), so it counts itself; `line_df` says
/// whether recurrence across the corpus counts yet (not in the first pass).
pub(crate) fn kinds(px: &Pages<'_>, doc: &Doc, st: &LineStats, line_df: bool, extra: u32) -> Vec<Kind> {
    // A query identical to a page its outlet already has adds no new copy.
    let extra_source = match doc.outlet {
        Some(s) if extra > 0 && st.outlet_pages.contains(&(s, page_hash(&doc.page))) => 0,
        _ => extra,
    };
    let o = &px.opts.chrome;
    doc.page
        .lines
        .iter()
        .map(|l| {
            let kind = line_kind(l.len(), l.digit(), l.sentence(), o);
            let key = doc.page.key(l);
            let widespread = line_df && st.line_df.get(&key).copied().unwrap_or(0) + extra > st.line_cap;
            let in_source = doc
                .outlet
                .map_or(0, |s| st.outlet_lines.get(&outlet_key(s, key)).copied().unwrap_or(0) + extra_source);
            let recurs = widespread || in_source >= o.same_source_pages;
            match kind {
                Kind::Prose if recurs => Kind::Recur,
                Kind::Head if recurs => Kind::Boiler,
                k => k,
            }
        })
        .collect()
}

/// First-pass article of a page: chrome removal from shape and recurrence.
pub(crate) fn first_article(
    px: &Pages<'_>,
    doc: &Doc,
    st: &LineStats,
    line_df: bool,
    extra: u32,
) -> FirstPass {
    let (kinds, keep) = first_lines(px, doc, st, line_df, extra);
    let art = Article::from_lines(&doc.page, &keep, px.opts);
    (kinds, keep, art)
}

/// Line kinds and kept lines of [`first_article`], without deriving the article
/// (the corpus-wide passes over every page need only the lines).
pub(crate) fn first_lines(
    px: &Pages<'_>,
    doc: &Doc,
    st: &LineStats,
    line_df: bool,
    extra: u32,
) -> (Vec<Kind>, Vec<bool>) {
    let kinds = kinds(px, doc, st, line_df, extra);
    let keep = body_lines(&kinds, &line_shapes(&doc.page, &px.opts.chrome), &px.opts.chrome);
    (kinds, keep)
}

/// Lines each outlet repeats on its pages, counting identical pages of an outlet
/// once: their lines recur because the page does, not because they are the
/// outlet's template.
pub(crate) fn outlet_stats(px: &Pages<'_>) -> LineStats {
    let mut pages: Vec<(u32, u64, u32)> = px
        .docs
        .par_iter()
        .enumerate()
        .filter_map(|(slot, d)| {
            crate::interrupt::check_every(slot);
            let d = d.as_ref()?;
            Some((d.outlet?, page_hash(&d.page), slot as u32))
        })
        .collect();
    pages.par_sort_unstable();
    pages.dedup_by_key(|p| (p.0, p.1));
    let mut keys: Vec<u64> = pages
        .par_iter()
        .flat_map_iter(|&(s, _, slot)| {
            crate::interrupt::check();
            let d = px.docs[slot as usize].as_ref().expect("listed pages are present");
            distinct_keys(&d.page).into_iter().map(move |k| outlet_key(s, k))
        })
        .collect();
    crate::interrupt::check();
    keys.par_sort_unstable();
    crate::interrupt::check();
    // A query page adds at most one page to a count.
    let least = px.opts.chrome.same_source_pages.saturating_sub(1).max(1);
    let outlet_lines = run_counts(&keys, least);
    let outlet_pages = pages.into_iter().map(|(s, h, _)| (s, h)).collect();
    LineStats { outlet_lines, outlet_pages, line_df: HashMap::default(), line_cap: 0 }
}

/// How many distinct texts (near-duplicate groups of a preliminary article
/// extraction) each line occurs in. Counting texts rather than pages keeps the
/// lines of a story syndicated by many outlets from looking like chrome. Only
/// counts a query page could push past `line_cap` are kept. Also returns what
/// computing the groups knew, for the next computation ([`NearDupMemo`]).
pub(crate) fn line_texts(px: &Pages<'_>, st: &LineStats, line_cap: u32) -> (HashMap<u64, u32>, NearDupMemo) {
    let keep: Vec<Option<Keep>> = px
        .docs
        .par_iter()
        .map(|d| {
            crate::interrupt::check();
            d.as_ref().map(|d| to_bits(&first_lines(px, d, st, false, 0).1))
        })
        .collect();
    let (group, _, memo) = near_dup_groups(px, &keep, NearDupMemo::default());
    let mut keys =
        per_group_keys(&group, |i| px.docs[i].as_ref().map(|d| distinct_keys(&d.page)).unwrap_or_default());
    crate::interrupt::check();
    keys.par_sort_unstable();
    crate::interrupt::check();
    (run_counts(&keys, line_cap.max(1)), memo)
}

/// The key of a line of an outlet's template.
pub(crate) fn outlet_key(outlet: u32, key: u64) -> u64 {
    fmix64(key ^ fmix64(u64::from(outlet) + 1))
}

/// Keys occurring at least `least` times in a sorted list, with their counts.
pub(crate) fn run_counts(sorted: &[u64], least: u32) -> HashMap<u64, u32> {
    crate::interrupt::checked(sorted.chunk_by(|a, b| a == b))
        .filter(|run| run.len() >= least as usize)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

/// For each group of items, the distinct keys its items carry, concatenated: each
/// key occurs once per group that has it. `keys(i)` gives item `i`'s keys.
pub(crate) fn per_group_keys(group: &[u32], keys: impl Fn(usize) -> Vec<u64> + Sync) -> Vec<u64> {
    let mut order: Vec<u32> = (0..group.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| (group[i as usize], i));
    let runs: Vec<&[u32]> = order.chunk_by(|&a, &b| group[a as usize] == group[b as usize]).collect();
    runs.par_iter()
        .flat_map_iter(|run| {
            crate::interrupt::check();
            let mut v: Vec<u64> = Vec::new();
            for &i in *run {
                v.extend(keys(i as usize));
            }
            if run.len() > 1 {
                v.sort_unstable();
                v.dedup();
            }
            v
        })
        .collect()
}

/// True when at least half of a line's tokens stand inside quotation marks (a quote
/// with its attribution: `"...," the minister said on Monday.`).
pub(crate) fn mostly_quoted(page: &Page, line: Line) -> bool {
    let inside = (line.tok_start..line.tok_end()).filter(|&i| page.is_quoted(i as usize)).count();
    2 * inside >= line.len()
}

/// The shape of each line of a page, for chrome removal. Whether a line is quoted
/// matters only for lines short enough to be teasers or prompts, so only theirs is
/// looked up.
fn line_shapes(page: &Page, o: &ChromeOptions) -> Vec<Shape> {
    let short = o.teaser_tokens.max(o.widget_tokens);
    page.lines
        .iter()
        .map(|l| Shape {
            tokens: l.len(),
            ending: l.ending(),
            quoted: l.len() <= short && mostly_quoted(page, *l),
        })
        .collect()
}

pub(crate) fn distinct_keys(page: &Page) -> Vec<u64> {
    distinct(page.line_keys())
}

/// Keys (of lines, of k-grams) sorted, each once.
pub(crate) fn distinct(mut keys: Vec<u64>) -> Vec<u64> {
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod stage_tests {
    use super::*;
    use crate::news::testing::{docs, SILO, TRAM};
    use crate::news::NewsOptions;

    #[test]
    fn lines_an_outlet_repeats_are_chrome_and_identical_pages_count_once() {
        let page = |body: &str| {
            format!("Harbour Herald\nSubscribe to our newsletter for the day's top stories\n{body}")
        };
        let (a, b) = (page(&SILO.join("\n")), page(TRAM));
        // outlet 0 prints both stories; outlet 1 prints the silo page four times over
        let pages = docs(&[(&a, Some(0)), (&b, Some(0)), (&a, Some(1)), (&a, Some(1)), (&a, Some(1))]);
        let opts = NewsOptions {
            chrome: ChromeOptions { same_source_pages: 2, ..ChromeOptions::default() },
            ..NewsOptions::default()
        };
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let st = outlet_stats(&px);
        let k0 = kinds(&px, pages[0].as_ref().expect("page"), &st, false, 0);
        // the newsletter line recurs on two pages of outlet 0: boilerplate
        assert_eq!(k0[1], Kind::Boiler);
        assert_eq!(k0[2], Kind::Prose);
        // outlet 1's three identical pages count as one page: nothing recurs there
        let k2 = kinds(&px, pages[2].as_ref().expect("page"), &st, false, 0);
        assert_eq!(k2[1], Kind::Head);
    }
}
