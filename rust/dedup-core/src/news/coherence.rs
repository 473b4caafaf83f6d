//! Stage 3, coherence: an article line whose partner pages (pages sharing rare
//! fingerprints with it) overlap neither its neighbours' partners nor any other
//! line's quotes a different story than the article (a rail of ledes that looked
//! like prose), and is dropped.

use rayon::prelude::*;

use super::article::{to_bits, Article, Keep};
use super::chrome::{mostly_quoted, Kind};
use super::page::Page;
use super::stats::neardup::common_sorted_by;
use super::stats::Analysis;
use super::{NewsOptions, Pages};

/// The kept lines of every page once the lines that quote other stories are
/// dropped, from the first-pass line kinds and kept lines (`firsts`) and the
/// statistics of the first-pass articles; and how many pages lost lines.
pub(crate) fn refine(
    px: &Pages<'_>,
    firsts: Vec<Option<(Vec<Kind>, Vec<bool>)>>,
    an: &Analysis,
) -> (Vec<Option<Keep>>, usize) {
    let refined: Vec<Option<(Keep, bool)>> = firsts
        .into_par_iter()
        .enumerate()
        .map(|(slot, f)| {
            crate::interrupt::check();
            let (kinds, mut keep) = f?;
            if !an.shared[an.unit[slot] as usize] {
                return Some((to_bits(&keep), false)); // no partners, nothing foreign
            }
            let doc = px.docs[slot].as_ref().expect("page present");
            let art = Article::from_lines(&doc.page, &keep, px.opts);
            let foreign = foreign_lines(px, slot as u32, &doc.page, &kinds, &keep, &art, an);
            for &l in &foreign {
                keep[l] = false;
            }
            Some((to_bits(&keep), !foreign.is_empty()))
        })
        .collect();
    let changed = refined.iter().flatten().filter(|r| r.1).count();
    (refined.into_iter().map(|r| r.map(|r| r.0)).collect(), changed)
}

/// Lines of an article that quote other stories than their neighbours: each
/// fresh prose line's partner pages (sharing enough rare fingerprints with it)
/// must overlap a neighbouring line's partners.
pub(crate) fn foreign_lines(
    px: &Pages<'_>,
    slot: u32,
    page: &Page,
    kinds: &[Kind],
    keep: &[bool],
    art: &Article,
    an: &Analysis,
) -> Vec<usize> {
    // Identical articles are indexed once, through their first page: that page
    // is the page itself for every copy, so each copy sees the same partners.
    let own = an.unit.get(slot as usize).copied().unwrap_or(slot);
    // (line, partner page) for each rare fingerprint they share, packed in a u64
    // (line high); counted by sorting. A fingerprint of this page alone has no
    // partner: its posting is not read.
    let fps: Vec<(u64, u32)> = art
        .fingerprints(px.opts.window)
        .into_iter()
        .filter(|&(h, _)| an.is_rare(h) && an.index.maybe_shared(h))
        .collect();
    let hs: Vec<u64> = fps.iter().map(|f| f.0).collect();
    let mut hits: Vec<u64> = Vec::new();
    for (&(_, pos), (s, e)) in fps.iter().zip(an.index.ranges(&hs)) {
        let line = u64::from(art.line_of[pos as usize]) << 32;
        hits.extend(
            an.index.pages[s as usize..e as usize]
                .iter()
                .filter(|&&o| o != slot && o != own)
                .map(|&o| line | u64::from(o)),
        );
    }
    foreign_from_hits(px.opts, page, kinds, keep, hits)
}

/// [`foreign_lines`] from the rare fingerprints the article shares: `hits` holds,
/// for each fingerprint of a line and each other page holding it, the line (high
/// 32 bits) and the page (low 32 bits), in any order.
pub(crate) fn foreign_from_hits(
    opts: &NewsOptions,
    page: &Page,
    kinds: &[Kind],
    keep: &[bool],
    mut hits: Vec<u64>,
) -> Vec<usize> {
    hits.sort_unstable();
    let need = opts.coherence_fingerprints;
    // (line, partner page) pairs sharing enough fingerprints: sorted by line, then
    // partner, each once. Sorted slices rather than hash sets: most pages have few.
    let pairs: Vec<(u32, u32)> = hits
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() >= need)
        .map(|run| ((run[0] >> 32) as u32, run[0] as u32))
        .collect();
    if pairs.is_empty() {
        return Vec::new(); // no line has partners: none is foreign
    }
    let partners = |line: usize| -> &[(u32, u32)] {
        let l = line as u32;
        let s = pairs.partition_point(|p| p.0 < l);
        let e = s + pairs[s..].partition_point(|p| p.0 == l);
        &pairs[s..e]
    };
    // Pages that are partners of two or more lines: what the article as a whole
    // is related to. A line sharing one of them belongs to the article, however
    // its neighbours read (independent reports of one hearing quote different
    // parts of it, paragraph by paragraph).
    let mut by_partner: Vec<u32> = pairs.iter().map(|p| p.1).collect();
    by_partner.sort_unstable();
    let lines_of = |page: u32| {
        let s = by_partner.partition_point(|&x| x < page);
        by_partner[s..].partition_point(|&x| x == page)
    };
    let fresh: Vec<usize> = (0..kinds.len()).filter(|&i| keep[i] && kinds[i] == Kind::Prose).collect();
    let mut foreign = Vec::new();
    for (x, &line) in fresh.iter().enumerate() {
        let a = partners(line);
        if a.is_empty()
            || (opts.coherence_keeps_quotes && mostly_quoted(page, page.lines[line]))
            || a.iter().any(|p| lines_of(p.1) >= 2)
        {
            continue;
        }
        let mut best: Option<f64> = None;
        for y in [x.wrapping_sub(1), x + 1] {
            let Some(&nb) = fresh.get(y) else { continue };
            let b = partners(nb);
            if b.is_empty() {
                continue;
            }
            let overlap = sorted_common(a, b) as f64 / a.len().min(b.len()) as f64;
            best = Some(best.map_or(overlap, |v: f64| v.max(overlap)));
        }
        if best.is_some_and(|v| v < opts.coherence_overlap) {
            foreign.push(line);
        }
    }
    foreign
}

/// Partner pages two lines share: both slices are sorted by partner, each once.
fn sorted_common(a: &[(u32, u32)], b: &[(u32, u32)]) -> usize {
    common_sorted_by(a, b, |p| p.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::chrome::first_article;
    use crate::news::testing::{analysed, docs, SILO, TRAM};
    use crate::news::{NewsOptions, Pages};

    #[test]
    fn sorted_common_counts_the_partners_two_lines_share() {
        let line = |l: u32, ps: &[u32]| ps.iter().map(|&p| (l, p)).collect::<Vec<_>>();
        for (a, b, n) in [
            (vec![], vec![1], 0),
            (vec![1, 2, 3], vec![2, 3, 4], 2),
            (vec![5], vec![5], 1),
            (vec![1, 3, 5, 7], vec![0, 2, 4, 6, 8], 0),
            (vec![0, 9, 10, 11], vec![0, 10, 12], 2),
        ] {
            assert_eq!(sorted_common(&line(0, &a), &line(1, &b)), n, "{a:?} {b:?}");
            assert_eq!(sorted_common(&line(1, &b), &line(0, &a)), n);
        }
    }

    #[test]
    fn a_line_quoting_another_story_is_foreign_and_the_article_is_not() {
        // Page 0 prints the silo story with a tram lede in the middle, as a rail
        // of ledes does; pages 1 and 2 carry the tram and silo stories.
        let tram_page = format!("{TRAM} The line will open in four years, the council said.");
        let mixed = format!("{}\n{}\n{TRAM}\n{}\n{}", SILO[0], SILO[1], SILO[2], SILO[3]);
        let pages = docs(&[(&mixed, Some(0)), (&tram_page, Some(1)), (&SILO.join("\n"), Some(2))]);
        // The statistics of the first-pass articles, which the coherence pass reads.
        let opts = NewsOptions { coherence: false, ..NewsOptions::default() };
        let an = analysed(&pages, &opts);
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let doc = pages[0].as_ref().expect("page");
        let (kinds, keep, art) = first_article(&px, doc, &an.lines, true, 0);
        let foreign = foreign_lines(&px, 0, &doc.page, &kinds, &keep, &art, &an);
        assert_eq!(foreign, [2], "the tram lede, and only it");
        // The quote line, whatever its partners, is never dropped.
        assert!(!foreign.contains(&1));
    }
}
