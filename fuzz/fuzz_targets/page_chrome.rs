//! Pages and the news pipeline on arbitrary text. The input is cut at 0xFF bytes
//! (never in UTF-8) into up to five pages; the first byte picks outlets and small
//! option values so short inputs can relate. Checks: page lines and flags are
//! consistent, relation passages are token ranges within both pages,
//! clusters are disjoint sorted sets of live slots, and queries behave alike.
#![no_main]

use dedup_core::news::{NewsCorpus, NewsOptions, Relation};
use dedup_core::news::page::{logical_lines, token_spans, Page};
use libfuzzer_sys::fuzz_target;

fn check_page(text: &str) {
    let (p, spans) = Page::with_spans(text);
    assert_eq!(p.tokens.len(), spans.len());
    assert_eq!(token_spans(text), spans);
    assert_eq!(p.quoted.len(), p.tokens.len().div_ceil(64));
    let mut buf = Vec::new();
    p.encode(&mut buf);
    assert_eq!(Page::decode(&buf).expect("a page decodes").0, p);
    let mut next = 0;
    for l in &p.lines {
        assert!(l.tok_start >= next && l.tok_start < l.tok_end() && l.tok_end() as usize <= p.len(), "{l:?}");
        next = l.tok_end();
    }
    let mut last = 0;
    for (s, e) in logical_lines(text) {
        assert!(s >= last && s <= e && e <= text.len());
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        last = e;
    }
}

fn check_relation(r: &Relation, ta: &str, tb: &str) {
    assert!((0.0..=1.0).contains(&r.score) && (0.0..=1.0).contains(&r.containment), "{r:?}");
    assert!((0.0..=1.0).contains(&r.jaccard), "{r:?}");
    let (na, nb) = (token_spans(ta).len(), token_spans(tb).len());
    for &(a0, a1, b0, b1) in &r.passages {
        let (a0, a1, b0, b1) = (a0 as usize, a1 as usize, b0 as usize, b1 as usize);
        assert!(a0 < a1 && a1 <= na && b0 < b1 && b1 <= nb, "{r:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let mut texts: Vec<String> =
        rest.split(|&b| b == 0xFF).take(5).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
    if ctl & 0x80 != 0 {
        // A copy with chrome around it, so syndication is in reach.
        let copy = format!("Menu\n{}\nRead more", texts[0]);
        texts.push(copy);
    }
    for t in &texts {
        check_page(t);
    }
    let mut opts = NewsOptions::default();
    if ctl & 0x40 != 0 {
        for (name, v) in [("k", 2.0), ("window", 2.0), ("min_passage", 2.0), ("prose_min", 2.0)] {
            opts.set(name, v).expect("valid option");
        }
        opts.set("rewritten_longest", 3.0).expect("valid");
        opts.set("rewritten_shared", 3.0).expect("valid");
        opts.set("short_max", 0.0).expect("valid");
        opts.set("coherence", f64::from(ctl & 1)).expect("valid");
    }
    let sources: Vec<Option<u32>> =
        (0..texts.len()).map(|i| if ctl >> (i % 6) & 1 == 0 { None } else { Some((i % 2) as u32) }).collect();
    let mut c = NewsCorpus::new(opts);
    let docs = NewsCorpus::prepare(texts.clone(), sources);
    let slots = c.insert(docs);
    assert_eq!(slots.len(), texts.len());

    let rels = c.relations();
    for r in &rels {
        assert!(r.a < r.b && (r.b as usize) < texts.len());
        assert!(r.passages.is_empty() && r.jaccard.is_nan(), "relations leave passages to explain");
        let e = c.explain(r.a, r.b).expect("a found relation explains");
        check_relation(&e, &texts[r.a as usize], &texts[r.b as usize]);
        assert_eq!((e.kind, e.score, e.shared_tokens), (r.kind, r.score, r.shared_tokens));
    }
    let cl = c.cluster(&rels);
    let mut seen = vec![false; texts.len()];
    for g in &cl.groups {
        assert!(g.len() >= 2 && g.windows(2).all(|w| w[0] < w[1]), "{g:?}");
        for &s in g {
            assert!(!seen[s as usize], "slot {s} in two clusters");
            seen[s as usize] = true;
            assert!(!c.doc(s).expect("live").page.is_empty(), "a page without tokens clustered");
        }
    }
    for s in 0..texts.len() as u32 {
        let _ = c.article_share(s);
        let ident = c.identical(s);
        assert!(ident.contains(&s));
        if let Some(a) = c.article_of(s) {
            assert_eq!(a.tokens.len(), a.hashes.len());
            assert_eq!(a.tokens.len(), a.line_of.len());
        }
    }
    for r in c.query(&texts[0], None) {
        assert_eq!(r.a, u32::MAX);
        check_relation(&r, &texts[0], &texts[r.b as usize]);
    }
    // Removing a page never leaves a relation to it.
    assert!(c.remove(0));
    assert!(!c.remove(0));
    for r in c.relations() {
        assert!(r.a != 0 && r.b != 0);
    }
    let _ = c.explain(0, 1);
    let _ = c.explain(u32::MAX, 1);
    let _ = c.article_share(u32::MAX);
    let _ = c.identical(u32::MAX);
    let _ = c.cluster(&[]);
});
