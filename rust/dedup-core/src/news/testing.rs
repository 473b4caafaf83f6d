//! Invented pages and helpers for the stages' unit tests.

use super::stats::Analysis;
use super::{analyse, Doc, NewsOptions, Pages};

/// Paragraphs of an invented wire story about a grain silo fire.
pub(crate) const SILO: [&str; 4] = [
    "Firefighters spent most of Sunday night pumping water into a grain silo on the edge of Harnley after a smouldering fire deep inside the stored barley threatened to spread, the county fire service said.",
    "\u{201c}A fire like this can burn for days without anyone seeing a flame, and the dust makes every opening of the hatch dangerous,\u{201d} said station commander Priya Oduya, who led the crews at the scene.",
    "The cooperative that owns the silo said the harvest inside was insured and that no worker had been hurt, although two neighbouring farms were asked to keep their livestock indoors because of the smoke.",
    "Engineers will decide on Tuesday whether the structure can be emptied safely or has to be sealed until the fire starves of oxygen.",
];

/// An unrelated story on one line.
pub(crate) const TRAM: &str = "The city council voted on Thursday to extend the tram line from the central station to the new hospital campus in Vellmoor, ending a decade of arguments over the route and its cost.";

/// Another unrelated story, in Vietnamese.
pub(crate) const RIVER: &str = "Chính quyền tỉnh cho biết hôm thứ Tư rằng cây cầu treo bắc qua sông đã được sửa chữa xong sau ba tháng thi công, và học sinh ở các bản vùng cao có thể trở lại trường bằng đường bộ thay vì đi thuyền.";

/// Pages from texts and sources.
pub(crate) fn docs(pages: &[(&str, Option<u32>)]) -> Vec<Option<Doc>> {
    pages.iter().map(|&(t, s)| Some(Doc::new(t, s))).collect()
}

/// The analysis of `docs` under default options.
pub(crate) fn analysed(docs: &[Option<Doc>], opts: &NewsOptions) -> Analysis {
    analyse(&Pages { docs, opts, live: docs.iter().flatten().count() })
}
