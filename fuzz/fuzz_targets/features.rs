//! Page features from arbitrary bytes (what `NewsCorpus.add_features` accepts from
//! a worker or a file): decoding never panics, whatever decodes round-trips, and a
//! corpus holding such pages analyses, clusters and answers queries without
//! panicking. Half the inputs start from real features with bytes flipped, so the
//! decoder's later checks are reached.
#![no_main]

use dedup_core::news::{decode_features, encode_features, Doc, NewsCorpus, NewsOptions};
use libfuzzer_sys::fuzz_target;

const BASE: &str = "Menu\nHome\n“We will stay until the work is done,” the mayor said on Monday.\nThe council met for three hours and agreed the budget for the new bridge.\nRead more\nFooter";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut b = encode_features(BASE);
        for (i, &x) in rest.iter().enumerate() {
            let at = (usize::from(x) * 7 + i * 13) % b.len();
            b[at] ^= rest[(i + 1) % rest.len()];
        }
        b
    };
    let Ok((page, hash)) = decode_features(&bytes) else { return };
    let mut again = Vec::new();
    page.encode(&mut again);
    again.extend_from_slice(&hash.to_le_bytes());
    let (back, _) = decode_features(&again).expect("encoded features decode");
    assert_eq!(back, page);
    let mut c = NewsCorpus::new(NewsOptions::default());
    let docs = vec![
        Doc::from_page(page.clone(), hash, Some(0)),
        Doc::from_page(page, hash ^ 1, None),
        Doc::new(BASE, Some(1)),
    ];
    c.insert(docs);
    let rels = c.relations();
    let _ = c.cluster(&rels);
    let _ = c.query(BASE, None);
    for s in 0..3 {
        let _ = c.article_of(s);
        let _ = c.explain(s, (s + 1) % 3);
    }
});
