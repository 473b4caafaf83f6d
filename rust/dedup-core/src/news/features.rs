//! A page as the corpus keeps it: its tokenisation ([`Page`]), its outlet and the
//! hash of its text, and the bytes a worker ships instead of the text.

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

use super::page::Page;

/// One page in the corpus: its compact tokenisation, not its text.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Outlet id, if known.
    pub source: Option<u32>,
    /// The outlet whose template lines chrome removal counts: `source`, or for a
    /// page without one, an id inferred from its header and footer lines.
    pub outlet: Option<u32>,
    /// Hash of the original text: orders pages whose articles are equal.
    pub text_hash: u64,
    /// Tokens and lines.
    pub page: Page,
}

impl Doc {
    /// Tokenises a page.
    pub fn new(text: &str, source: Option<u32>) -> Self {
        Self::from_page(Page::new(text), xxh3_64(text.as_bytes()), source)
    }

    /// A page from its tokenisation and the hash of its text.
    pub fn from_page(page: Page, text_hash: u64, source: Option<u32>) -> Self {
        let outlet = source.or_else(|| template_outlet(&page));
        Self { source, outlet, text_hash, page }
    }
}

/// What a page contributes to a corpus, as bytes: its encoded [`Page`] and the hash
/// of its text. Workers compute these where the texts are (a Spark executor, a
/// reader thread); [`decode_features`] reads them back.
pub fn encode_features(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    Page::new(text).encode(&mut out);
    out.extend_from_slice(&xxh3_64(text.as_bytes()).to_le_bytes());
    out
}

/// Reads [`encode_features`]' bytes: the page and its text hash.
///
/// # Errors
/// [`Error::InvalidInput`] for bytes that are not page features.
pub fn decode_features(bytes: &[u8]) -> Result<(Page, u64)> {
    let (page, rest) = Page::decode(bytes).map_err(Error::InvalidInput)?;
    let hash: [u8; 8] = rest
        .try_into()
        .map_err(|_| Error::InvalidInput("page features must end with the 8-byte text hash".into()))?;
    Ok((page, u64::from_le_bytes(hash)))
}

/// An outlet id for a page whose outlet is unknown, from its page template: the
/// first two and last two lines that look like chrome (short or headline-shaped,
/// no digits, so dates and counters do not vary it). Pages of one site share their
/// menu and footer; ids have the top bit set, so they never equal a given source.
fn template_outlet(page: &Page) -> Option<u32> {
    let chrome: Vec<u64> = page
        .lines
        .iter()
        .filter(|l| !l.digit() && !l.sentence() && l.len() <= 12)
        .map(|l| page.key(l))
        .collect();
    if chrome.len() < 4 {
        return None;
    }
    let ends = [chrome[0], chrome[1], chrome[chrome.len() - 2], chrome[chrome.len() - 1]];
    let bytes: Vec<u8> = ends.iter().flat_map(|k| k.to_le_bytes()).collect();
    Some(0x8000_0000 | (xxh3_64(&bytes) as u32 & 0x7FFF_FFFF))
}

/// Hash of a page's lines, in order: equal for pages with the same tokenised text.
pub(crate) fn page_hash(page: &Page) -> u64 {
    lines_hash(&page.line_keys())
}

/// [`page_hash`] from the keys of the page's lines, in order: the hash of their
/// little-endian bytes.
pub(crate) fn lines_hash(keys: &[u64]) -> u64 {
    if cfg!(target_endian = "little") {
        return xxh3_64(bytemuck::cast_slice(keys));
    }
    let bytes: Vec<u8> = keys.iter().flat_map(|k| k.to_le_bytes()).collect();
    xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_round_trip_and_garbage_is_refused() {
        let text = "Home\nA short article about the harbour, told in two sentences. It ends here.\nFooter";
        let bytes = encode_features(text);
        let (page, hash) = decode_features(&bytes).expect("valid features");
        assert_eq!(page, Page::new(text));
        assert_eq!(hash, xxh3_64(text.as_bytes()));
        assert!(decode_features(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_features(b"not features at all").is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_features(&longer).is_err());
    }

    #[test]
    fn pages_without_a_source_get_an_outlet_from_their_template() {
        let site =
            |body: &str, footer: &str| format!("Home\nWorld\nSport\n{body}\nAbout us | Contact\n{footer}");
        let a = Doc::new(
            &site("A first article about the port strike, told at length here.", "Harbour Herald"),
            None,
        );
        let b = Doc::new(
            &site("Another article on the drought relief package for farmers.", "Harbour Herald"),
            None,
        );
        let c = Doc::new(
            &site("A first article about the port strike, told at length here.", "Valley Gazette"),
            None,
        );
        assert!(a.outlet.is_some());
        assert_eq!(a.outlet, b.outlet);
        assert_ne!(a.outlet, c.outlet);
        // A given source always wins, and a bare text has no template.
        assert_eq!(Doc::new(&site("Text.", "Harbour Herald"), Some(3)).outlet, Some(3));
        assert_eq!(Doc::new("Just one paragraph of wire copy, nothing else.", None).outlet, None);
    }
}
