//! Chrome removal without per-site rules or word lists: which lines of a page are
//! the article.
//!
//! Each line gets a kind from its own shape: a *stamp* (a few tokens with a digit:
//! times, dates), *short* (menus, markers, bylines), *prose* (sentence-like and long
//! enough), or a *head* (titles, truncated teasers, captions without punctuation).
//! Corpus recurrence (a line on many pages, or on several pages of its own outlet)
//! turns prose into *recur* and heads into *boiler*; the caller decides that, since it
//! needs corpus counts.
//!
//! Context then decides, in the spirit of jusText (Pomikálek, "Removing Boilerplate
//! and Duplicate Content from Web Corpora", 2011): runs of prose may bridge a few
//! short lines (an advertisement marker inside the article); a run with two or more
//! fresh prose lines is article body; a recurring line is kept only right next to
//! fresh prose of its run (a lede that the outlet's rail also quotes, inside the real
//! copy); a lone prose line is a rail teaser when a stamp is near, the article when it
//! is long, and otherwise dropped.
//!
//! Recurrence needs several pages of an outlet. In a corpus of a few pages from each
//! of many outlets, the shape of lines in a run carries chrome removal alone
//! ([`Shape`]: tokens, how the line ends, whether it is quoted):
//! - *rails*: three or more teaser-shaped lines in a row (short, unquoted, ending in
//!   an ellipsis, a question or exclamation mark, or nothing: "Fans left baffled as
//!   ...", "Is this the best ...?"), or a run made mostly of them;
//! - *widgets*: three or more short lines each standing apart between buttons or
//!   labels (vote, comment, share and sign-in prompts), and a short prompt at the
//!   edge of a run, reached only across a full bridge of short lines.
//!
//! An article has such lines one at a time (a quote that asks, a closing line that
//! exclaims, an interview's questions between answers); rails and widgets have them
//! in runs. A page whose only prose is such lines has no article. These are
//! decisions on the page alone, so a page gives the same article in a corpus of
//! five pages or of a million, where recurrence would also have caught its chrome.

use crate::news::page::Ending;

/// The kind of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A few tokens with a digit: "4 hours ago", "14 September 2023".
    Stamp,
    /// Very few tokens: menu entries, markers.
    Short,
    /// Sentence-like text of some length.
    Prose,
    /// Neither short nor sentence-like: titles, teasers, captions, bylines.
    Head,
    /// Prose that recurs across the corpus or the outlet.
    Recur,
    /// A head that recurs across the corpus or the outlet.
    Boiler,
}

/// Thresholds of chrome removal.
#[derive(Debug, Clone, Copy)]
pub struct ChromeOptions {
    /// A line with at most this many tokens is `Short`.
    pub short_max: usize,
    /// A line with at most this many tokens, one with a digit, is a `Stamp`.
    pub stamp_max: usize,
    /// `Prose` needs this many tokens and sentence punctuation ...
    pub prose_min: usize,
    /// ... or this many tokens without it.
    pub prose_long: usize,
    /// Short lines a run of prose may bridge.
    pub bridge_max: usize,
    /// A lone prose line with this many tokens is the article.
    pub lone_body_tokens: usize,
    /// A lone prose line with a stamp this close (in lines) is a teaser ...
    pub stamp_radius: usize,
    /// ... unless it has more tokens than this (an article printed as one line
    /// under a dateline or a numeric title; teasers are a sentence or two).
    pub teaser_max: usize,
    /// A prose line of at most this many tokens can be shaped like a teaser or a
    /// prompt ([`teaser_shaped`]).
    pub teaser_tokens: usize,
    /// This many teaser-shaped prose lines in a row are a rail.
    pub rail_lines: usize,
    /// Lines of at most this many tokens, three or more in a row each standing
    /// apart between buttons and labels, are a widget; a line this short at the
    /// edge of a run of prose, across `bridge_max` short lines, is a prompt.
    pub widget_tokens: usize,
    /// A line on this many pages of its outlet recurs.
    pub same_source_pages: u32,
    /// A line found in more distinct texts than this (near-duplicate copies count
    /// once) recurs.
    pub recur_texts: u32,
}

impl Default for ChromeOptions {
    fn default() -> Self {
        Self {
            short_max: 4,
            stamp_max: 5,
            prose_min: 8,
            prose_long: 25,
            bridge_max: 3,
            lone_body_tokens: 40,
            stamp_radius: 2,
            teaser_max: 80,
            teaser_tokens: 30,
            rail_lines: 3,
            widget_tokens: 16,
            same_source_pages: 3,
            recur_texts: 10,
        }
    }
}

/// What chrome removal reads of a line besides its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Tokens in the line.
    pub tokens: usize,
    /// How the line ends.
    pub ending: Ending,
    /// Most of the line stands inside quotation marks: someone's words, which may
    /// ask or exclaim, not the page addressing its reader. Only read for lines of
    /// at most `teaser_tokens` or `widget_tokens` tokens.
    pub quoted: bool,
}

impl Shape {
    /// A line of `tokens` tokens ending in a full stop, outside quotation marks.
    pub fn stop(tokens: usize) -> Self {
        Self { tokens, ending: Ending::Stop, quoted: false }
    }
}

/// The kind of a line from its own shape.
pub fn line_kind(tokens: usize, digit: bool, sentence: bool, o: &ChromeOptions) -> Kind {
    if tokens <= o.stamp_max && digit {
        Kind::Stamp
    } else if tokens <= o.short_max {
        Kind::Short
    } else if tokens >= o.prose_long || (tokens >= o.prose_min && sentence) {
        Kind::Prose
    } else {
        Kind::Head
    }
}

/// A line shaped like a teaser or an interface prompt rather than a paragraph: not
/// long, outside quotation marks, and ending in a question or exclamation mark, an
/// ellipsis or no punctuation at all. Articles have such lines one at a time;
/// rails and widgets have them in runs.
pub fn teaser_shaped(shape: Shape, o: &ChromeOptions) -> bool {
    shape.tokens <= o.teaser_tokens && !shape.quoted && shape.ending != Ending::Stop
}

/// Runs of prose (and recurring prose) lines, bridging up to `bridge_max` short
/// lines.
fn prose_runs(kinds: &[Kind], o: &ChromeOptions) -> Vec<Vec<usize>> {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let mut gap = 0;
    for (i, &k) in kinds.iter().enumerate() {
        match k {
            Kind::Prose | Kind::Recur => {
                cur.push(i);
                gap = 0;
            }
            Kind::Short if !cur.is_empty() && gap < o.bridge_max => gap += 1,
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
                gap = 0;
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Splits a run of prose (line indices, in order) into pieces, each marked true when
/// the shape of its lines says it is chrome:
/// - a streak of `rail_lines` or more teaser-shaped lines is a rail ("most read",
///   "you may like"), except for a line of it right next to a paragraph;
/// - three or more short lines, each apart from the next (buttons or labels between
///   them), are a widget: votes, comments, sign-in prompts;
/// - a short line at either end, reached only across a full bridge of short lines,
///   is a prompt next to the article (it is left as a piece of its own, which the
///   caller drops as a lone short line);
/// - a piece of two or more lines, most of them teaser-shaped and holding most of
///   its tokens, is a rail (a long paragraph with a few teasers bridged onto it
///   stays).
fn split_run(run: &[usize], shapes: &[Shape], o: &ChromeOptions) -> Vec<(Vec<usize>, bool)> {
    let mut out: Vec<(Vec<usize>, bool)> = Vec::new();
    let mut pieces = Vec::new();
    for piece in cut_rails(run, shapes, o, &mut out) {
        pieces.extend(cut_widgets(&piece, shapes, o, &mut out));
    }
    let short = |i: usize| shapes[i].tokens <= o.widget_tokens;
    for mut piece in pieces {
        if piece.len() >= 2 && piece[1] - piece[0] > o.bridge_max && short(piece[0]) {
            out.push((vec![piece.remove(0)], false));
        }
        let m = piece.len();
        if m >= 2 && piece[m - 1] - piece[m - 2] > o.bridge_max && short(piece[m - 1]) {
            out.push((vec![piece.pop().expect("two lines")], false));
        }
        let tokens = |lines: &[usize]| lines.iter().map(|&i| shapes[i].tokens).sum::<usize>();
        let teasers: Vec<usize> = piece.iter().copied().filter(|&i| teaser_shaped(shapes[i], o)).collect();
        let rail =
            piece.len() >= 2 && 2 * teasers.len() > piece.len() && 2 * tokens(&teasers) > tokens(&piece);
        out.push((piece, rail));
    }
    out
}

/// Moves streaks of teaser-shaped lines from `run` to `out` as chrome; returns the
/// pieces of the run around them.
fn cut_rails(
    run: &[usize],
    shapes: &[Shape],
    o: &ChromeOptions,
    out: &mut Vec<(Vec<usize>, bool)>,
) -> Vec<Vec<usize>> {
    let teaser = |i: usize| teaser_shaped(shapes[i], o);
    let mut rest: Vec<Vec<usize>> = Vec::new();
    let mut piece: Vec<usize> = Vec::new();
    let mut x = 0;
    while x < run.len() {
        let mut y = x;
        while y < run.len() && teaser(run[y]) {
            y += 1;
        }
        if y - x < o.rail_lines.max(1) {
            let end = y.max(x + 1);
            piece.extend_from_slice(&run[x..end]);
            x = end;
            continue;
        }
        // A line of the streak right next to a paragraph (no line between them)
        // ends or opens the article, which may ask or exclaim.
        let a = if x > 0 && run[x] == run[x - 1] + 1 { x + 1 } else { x };
        let b = if y < run.len() && run[y] == run[y - 1] + 1 { y - 1 } else { y };
        let b = b.max(a);
        piece.extend_from_slice(&run[x..a]);
        if !piece.is_empty() {
            rest.push(std::mem::take(&mut piece));
        }
        out.push((run[a..b].to_vec(), true));
        piece.extend_from_slice(&run[b..y]);
        x = y;
    }
    if !piece.is_empty() {
        rest.push(piece);
    }
    rest
}

/// Moves widgets from `piece` to `out` as chrome: three or more short lines in a
/// row, each apart from the next, mostly unquoted (a cross-examination, questions
/// between short answers, is quoted), and not continuing a longer paragraph right
/// next to them. Returns the pieces around them.
fn cut_widgets(
    piece: &[usize],
    shapes: &[Shape],
    o: &ChromeOptions,
    out: &mut Vec<(Vec<usize>, bool)>,
) -> Vec<Vec<usize>> {
    let short = |i: usize| shapes[i].tokens <= o.widget_tokens;
    let mut rest: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let mut x = 0;
    while x < piece.len() {
        let mut y = x + 1;
        while short(piece[x]) && y < piece.len() && short(piece[y]) && piece[y] - piece[y - 1] > 1 {
            y += 1;
        }
        let chain = &piece[x..y];
        let quoted = chain.iter().filter(|&&i| shapes[i].quoted).count();
        let attached = (x > 0 && piece[x] - piece[x - 1] == 1 && !short(piece[x - 1]))
            || (y < piece.len() && piece[y] - piece[y - 1] == 1 && !short(piece[y]));
        if chain.len() >= 3 && 2 * quoted < chain.len() && !attached {
            if !cur.is_empty() {
                rest.push(std::mem::take(&mut cur));
            }
            out.push((chain.to_vec(), true));
        } else {
            cur.extend_from_slice(chain);
        }
        x = y;
    }
    if !cur.is_empty() {
        rest.push(cur);
    }
    rest
}

/// Marks the article lines of a page from the kinds of its lines (recurrence
/// already applied) and their shapes, one of each a line.
pub fn body_lines(kinds: &[Kind], shapes: &[Shape], o: &ChromeOptions) -> Vec<bool> {
    let n = kinds.len();
    let mut body = vec![false; n];
    // Pieces of prose runs that shape alone does not mark as chrome.
    let runs: Vec<Vec<usize>> = prose_runs(kinds, o)
        .iter()
        .flat_map(|r| split_run(r, shapes, o))
        .filter_map(|(lines, chrome)| (!chrome).then_some(lines))
        .collect();
    // run[i]: the run a line belongs to (prose and recur lines of kept runs only).
    let mut run = vec![usize::MAX; n];
    for (r, lines) in runs.iter().enumerate() {
        for &i in lines {
            run[i] = r;
        }
    }
    let sizes = |i: usize| shapes[i].tokens;
    // A recurring line stays only when a neighbouring line is fresh prose of its run.
    let recur_ok = |i: usize| {
        [i.wrapping_sub(1), i + 1].into_iter().any(|j| j < n && kinds[j] == Kind::Prose && run[j] == run[i])
    };
    let fresh_of = |lines: &[usize]| lines.iter().filter(|&&i| kinds[i] == Kind::Prose).count();
    let fresh_tokens = |lines: &[usize]| {
        lines.iter().filter(|&&i| kinds[i] == Kind::Prose).map(|&i| sizes(i)).sum::<usize>()
    };
    // A page with a body of several paragraphs has its article; a lone long line
    // elsewhere on it is a teaser or a standfirst, not a second article, unless it
    // is longer than that body (an article printed as one line, next to a list of
    // short items that passed for paragraphs).
    let body_tokens = runs.iter().filter(|r| fresh_of(r) >= 2).map(|r| fresh_tokens(r)).max().unwrap_or(0);
    for lines in &runs {
        let fresh: Vec<usize> = lines.iter().copied().filter(|&i| kinds[i] == Kind::Prose).collect();
        let keep_run = match fresh.len() {
            0 => false,
            1 => {
                let i = fresh[0];
                let lo = i.saturating_sub(o.stamp_radius);
                let hi = (i + o.stamp_radius + 1).min(n);
                let near_stamp = kinds[lo..hi].contains(&Kind::Stamp) && sizes(i) <= o.teaser_max;
                !near_stamp && sizes(i) > body_tokens && sizes(i) >= o.lone_body_tokens
            }
            _ => true,
        };
        if keep_run {
            for &i in lines {
                body[i] = kinds[i] == Kind::Prose || recur_ok(i);
            }
        }
    }
    // A bare text without any chrome (a wire brief of one paragraph, perhaps under
    // its headline) is all article, however short: nothing on it looks like page
    // furniture that a lone teaser would stand among, and its prose is no teaser.
    let bare = kinds.iter().all(|&k| matches!(k, Kind::Prose | Kind::Head))
        && kinds.iter().zip(shapes).all(|(&k, &sh)| k != Kind::Prose || !teaser_shaped(sh, o));
    if bare && !body.contains(&true) {
        for (b, &k) in body.iter_mut().zip(kinds) {
            *b = k == Kind::Prose;
        }
    }
    // A page whose only prose is one line of finished sentences, with no date or
    // time next to it, prints a brief: a rail of teasers has several such lines,
    // and a teaser alone sits next to its date.
    let prose: Vec<usize> = (0..n).filter(|&i| kinds[i] == Kind::Prose).collect();
    if let [i] = prose[..] {
        let lo = i.saturating_sub(o.stamp_radius);
        let hi = (i + o.stamp_radius + 1).min(n);
        let brief = shapes[i].ending == Ending::Stop && !kinds[lo..hi].contains(&Kind::Stamp);
        if brief && !body.contains(&true) {
            body[i] = true;
        }
    }
    body
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
