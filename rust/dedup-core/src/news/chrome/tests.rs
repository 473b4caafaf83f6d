//! Tests of chrome removal: kinds, the rules on kinds and recurrence, and the rules
//! on the shape of lines in a run, with a differential property against the rules
//! on kinds alone.

use super::Kind::{Head, Prose, Recur, Short, Stamp};
use super::*;

fn plain(sizes: &[usize]) -> Vec<Shape> {
    sizes.iter().map(|&n| Shape::stop(n)).collect()
}

/// Shapes from (tokens, ending) pairs: `.` a full stop, `?` a question, `~` an
/// ellipsis, anything else no punctuation; `Q` a quoted question.
fn shaped(lines: &[(usize, char)]) -> Vec<Shape> {
    lines
        .iter()
        .map(|&(tokens, e)| {
            let ending = match e {
                '.' => Ending::Stop,
                '?' | 'Q' => Ending::Ask,
                '~' => Ending::Cut,
                _ => Ending::Bare,
            };
            Shape { tokens, ending, quoted: e == 'Q' }
        })
        .collect()
}

#[test]
fn teaser_shape_is_a_short_unquoted_line_that_does_not_end_in_a_full_stop() {
    let o = ChromeOptions::default();
    let [stop, ask, cut, bare, quoted_ask] =
        shaped(&[(12, '.'), (12, '?'), (12, '~'), (12, ' '), (12, 'Q')])[..]
    else {
        unreachable!()
    };
    assert!(!teaser_shaped(stop, &o) && !teaser_shaped(quoted_ask, &o));
    assert!(teaser_shaped(ask, &o) && teaser_shaped(cut, &o) && teaser_shaped(bare, &o));
    assert!(!teaser_shaped(Shape { tokens: 31, ..ask }, &o), "a long paragraph ending in '?'");
}

#[test]
fn a_rail_of_teasers_right_after_the_article_is_cut_off_it() {
    // headline, four paragraphs (the last one exclaims), "Most read" (short, so
    // the rail joins the article's run), then teasers cut short or asking
    let kinds = [Head, Prose, Prose, Prose, Prose, Short, Prose, Prose, Prose, Prose, Prose, Short];
    let shapes = shaped(&[
        (6, ' '),
        (24, '.'),
        (30, '.'),
        (22, '.'),
        (14, '!'),
        (2, ' '),
        (13, '~'),
        (12, '~'),
        (11, '?'),
        (12, '!'),
        (14, '~'),
        (2, ' '),
    ]);
    let kept = body_lines(&kinds, &shapes, &ChromeOptions::default());
    assert_eq!(kept, [false, true, true, true, true, false, false, false, false, false, false, false]);
}

#[test]
fn a_page_whose_only_prose_is_teasers_has_no_article() {
    // two teasers in a run, three more bridged by "Read more" links, a stamped one
    let kinds = [Short, Head, Prose, Prose, Head, Prose, Short, Prose, Short, Prose, Stamp, Prose];
    let shapes = shaped(&[
        (1, ' '),
        (7, ' '),
        (12, '~'),
        (10, '?'),
        (8, ' '),
        (14, '!'),
        (2, ' '),
        (11, '~'),
        (2, ' '),
        (9, '~'),
        (3, ' '),
        (15, '~'),
    ]);
    assert_eq!(body_lines(&kinds, &shapes, &ChromeOptions::default()), [false; 12]);
}

#[test]
fn an_article_on_one_line_with_teasers_bridged_onto_it_stays() {
    // the whole article on one line, "You may like" (short), then teasers: most
    // lines of the run are teasers, but most of its words are the article's
    let kinds = [Head, Prose, Short, Prose, Prose, Prose, Prose];
    let shapes = shaped(&[(7, ' '), (115, '.'), (3, ' '), (16, '~'), (16, '~'), (13, '.'), (15, '~')]);
    let kept = body_lines(&kinds, &shapes, &ChromeOptions::default());
    assert!(kept[1], "the article");
    // teasers alone, two in a run: a rail
    let kinds = [Head, Prose, Prose, Head];
    let shapes = shaped(&[(7, ' '), (16, '~'), (13, '?'), (6, ' ')]);
    assert_eq!(body_lines(&kinds, &shapes, &ChromeOptions::default()), [false; 4]);
}

#[test]
fn an_interview_and_quoted_questions_are_article() {
    // questions (unquoted) and answers alternate; then three quoted questions in a row
    let kinds = [Head, Prose, Prose, Prose, Prose, Prose, Prose, Prose, Prose, Prose];
    let shapes = shaped(&[
        (6, ' '),
        (25, '.'),
        (11, '?'),
        (28, '.'),
        (12, '?'),
        (26, '.'),
        (14, 'Q'),
        (12, 'Q'),
        (16, 'Q'),
        (20, '.'),
    ]);
    let kept = body_lines(&kinds, &shapes, &ChromeOptions::default());
    assert_eq!(kept, [false, true, true, true, true, true, true, true, true, true]);
}

#[test]
fn a_widget_of_prompts_between_buttons_is_chrome() {
    // the article; "Share", "Comments", "Join in" (a full bridge), a sign-in
    // prompt; then questions and a thank-you, each followed by two buttons
    let kinds = [
        Prose, Prose, Short, Short, Short, Prose, Head, Prose, Short, Short, Prose, Short, Short, Prose,
        Short, Short, Prose,
    ];
    let shapes = shaped(&[
        (30, '.'),
        (28, '.'),
        (1, ' '),
        (1, ' '),
        (2, ' '),
        (10, '.'),
        (6, ' '),
        (9, '?'),
        (1, ' '),
        (1, ' '),
        (11, '?'),
        (1, ' '),
        (1, ' '),
        (13, '.'),
        (1, ' '),
        (1, ' '),
        (12, '.'),
    ]);
    let mut want = [false; 17];
    want[..2].copy_from_slice(&[true, true]);
    assert_eq!(body_lines(&kinds, &shapes, &ChromeOptions::default()), want);
}

#[test]
fn a_widget_that_ends_in_two_prompts_together_is_chrome() {
    // four questions, two buttons after each, then a thank-you and a notice with
    // nothing between them
    let kinds = [
        Prose, Short, Short, Prose, Short, Short, Prose, Short, Short, Prose, Short, Short, Prose, Prose,
        Short,
    ];
    let shapes = shaped(&[
        (8, '?'),
        (1, ' '),
        (1, ' '),
        (10, '.'),
        (1, ' '),
        (1, ' '),
        (10, '?'),
        (1, ' '),
        (1, ' '),
        (9, '?'),
        (1, ' '),
        (1, ' '),
        (12, '.'),
        (14, '.'),
        (3, ' '),
    ]);
    assert_eq!(body_lines(&kinds, &shapes, &ChromeOptions::default()), [false; 15]);
    // the same lines quoted (a cross-examination: questions, short answers) stay
    let quoted: Vec<Shape> = shapes.iter().map(|s| Shape { quoted: true, ..*s }).collect();
    let kept = body_lines(&kinds, &quoted, &ChromeOptions::default());
    assert!(kinds.iter().zip(&kept).all(|(&k, &b)| b == (k == Prose)));
}

#[test]
fn short_paragraphs_apart_that_continue_a_long_one_are_article() {
    // a long paragraph, then two short ones each after an ad marker: they continue
    // the article, though they stand apart like a widget's prompts
    let kinds = [Head, Prose, Prose, Short, Prose, Short, Prose, Head];
    let shapes =
        shaped(&[(6, ' '), (37, '.'), (15, '.'), (1, ' '), (16, '.'), (2, ' '), (12, '.'), (8, ' ')]);
    assert_eq!(
        body_lines(&kinds, &shapes, &ChromeOptions::default()),
        [false, true, true, false, true, false, true, false]
    );
}

#[test]
fn a_short_last_paragraph_after_an_ad_marker_stays() {
    // "Advertisement" and "Scroll to continue" between the body and its last,
    // short paragraph: not a full bridge
    let kinds = [Prose, Prose, Short, Short, Prose, Head];
    let shapes = shaped(&[(30, '.'), (28, '.'), (1, ' '), (3, ' '), (14, '.'), (5, ' ')]);
    assert_eq!(
        body_lines(&kinds, &shapes, &ChromeOptions::default()),
        [true, true, false, false, true, false]
    );
    // two short paragraphs apart, with short lines between: kept, a widget needs three
    let kinds = [Prose, Short, Prose, Head];
    let shapes = shaped(&[(10, '.'), (4, ' '), (15, '.'), (5, ' ')]);
    assert_eq!(body_lines(&kinds, &shapes, &ChromeOptions::default()), [true, false, true, false]);
}

#[test]
fn kinds_follow_shape() {
    let o = ChromeOptions::default();
    assert_eq!(line_kind(3, true, false, &o), Stamp);
    assert_eq!(line_kind(3, false, true, &o), Short);
    assert_eq!(line_kind(9, false, false, &o), Head);
    assert_eq!(line_kind(9, false, true, &o), Prose);
    assert_eq!(line_kind(30, false, false, &o), Prose);
}

#[test]
fn a_rail_teaser_is_chrome_but_a_recurring_lede_in_the_body_is_content() {
    // menu, headline, lede (recurs: the outlet's rail also quotes it), body, an ad
    // marker inside the body, more body, then a rail of teasers: a truncated
    // title, a timestamp and a lede each.
    let kinds = [Short, Head, Recur, Prose, Prose, Short, Prose, Head, Stamp, Prose, Head, Stamp, Recur];
    let sizes = [1, 9, 25, 30, 28, 1, 26, 9, 3, 24, 9, 3, 22];
    let want = [false, false, true, true, true, false, true, false, false, false, false, false, false];
    assert_eq!(body_lines(&kinds, &plain(&sizes), &ChromeOptions::default()), want);
}

#[test]
fn an_article_on_one_line_beats_a_short_multi_line_run() {
    // title, the whole article on one line, then a "most read" list whose items
    // looked like two short paragraphs
    let kinds = [Head, Prose, Head, Prose, Prose];
    let sizes = [8, 150, 2, 9, 9];
    let want = [false, true, false, true, true];
    assert_eq!(body_lines(&kinds, &plain(&sizes), &ChromeOptions::default()), want);
    // a lone teaser shorter than the multi-paragraph body stays out
    let sizes = [8, 45, 2, 30, 30];
    assert_eq!(
        body_lines(&kinds, &plain(&sizes), &ChromeOptions::default()),
        [false, false, false, true, true]
    );
}

#[test]
fn a_long_line_near_a_stamp_is_an_article_not_a_teaser() {
    // a numeric title ("727 homes flooded") and a one-line article under it
    let kinds = [Short, Stamp, Head, Prose, Head];
    assert_eq!(
        body_lines(&kinds, &plain(&[1, 4, 7, 200, 6]), &ChromeOptions::default()),
        [false, false, false, true, false]
    );
    assert_eq!(body_lines(&kinds, &plain(&[1, 4, 7, 45, 6]), &ChromeOptions::default()), [false; 5]);
}

#[test]
fn a_bare_wire_page_of_one_paragraph_is_kept_however_short() {
    let o = ChromeOptions::default();
    assert_eq!(body_lines(&[Prose], &plain(&[60]), &o), [true]);
    assert_eq!(body_lines(&[Prose], &plain(&[20]), &o), [true]);
    assert_eq!(body_lines(&[Head, Prose], &plain(&[6, 20]), &o), [false, true]);
    // the only prose of a page with its furniture: a brief of finished sentences ...
    assert_eq!(body_lines(&[Short, Prose, Short], &plain(&[1, 20, 2]), &o), [false, true, false]);
    // ... unless a date stands next to it, or it ends like a teaser
    assert_eq!(body_lines(&[Stamp, Prose], &plain(&[3, 20]), &o), [false; 2]);
    let teaser = shaped(&[(1, ' '), (20, '~'), (2, ' ')]);
    assert_eq!(body_lines(&[Short, Prose, Short], &teaser, &o), [false; 3]);
}

/// The algorithm before shapes counted (kinds and sizes only): the reference for
/// pages whose lines give shape nothing to act on.
fn body_lines_by_kind(kinds: &[Kind], sizes: &[usize], o: &ChromeOptions) -> Vec<bool> {
    let n = kinds.len();
    let mut body = vec![false; n];
    let runs = prose_runs(kinds, o);
    let mut run = vec![usize::MAX; n];
    for (r, lines) in runs.iter().enumerate() {
        for &i in lines {
            run[i] = r;
        }
    }
    let recur_ok = |i: usize| {
        [i.wrapping_sub(1), i + 1].into_iter().any(|j| j < n && kinds[j] == Prose && run[j] == run[i])
    };
    let fresh = |lines: &[usize]| lines.iter().copied().filter(|&i| kinds[i] == Prose).collect::<Vec<_>>();
    let body_tokens = runs
        .iter()
        .filter(|r| fresh(r).len() >= 2)
        .map(|r| fresh(r).iter().map(|&i| sizes[i]).sum::<usize>())
        .max()
        .unwrap_or(0);
    for lines in &runs {
        let f = fresh(lines);
        let keep = match f.len() {
            0 => false,
            1 => {
                let i = f[0];
                let (lo, hi) = (i.saturating_sub(o.stamp_radius), (i + o.stamp_radius + 1).min(n));
                let near_stamp = kinds[lo..hi].contains(&Stamp) && sizes[i] <= o.teaser_max;
                !near_stamp && sizes[i] > body_tokens && sizes[i] >= o.lone_body_tokens
            }
            _ => true,
        };
        if keep {
            for &i in lines {
                body[i] = kinds[i] == Prose || recur_ok(i);
            }
        }
    }
    // a bare text is all article (its lines are paragraphs here, never teasers)
    if kinds.iter().all(|&k| matches!(k, Prose | Head)) && !body.contains(&true) {
        for (b, &k) in body.iter_mut().zip(kinds) {
            *b = k == Prose;
        }
    }
    // the page's only prose line, away from any date, is a brief
    let prose: Vec<usize> = (0..n).filter(|&i| kinds[i] == Prose).collect();
    if let [i] = prose[..] {
        let (lo, hi) = (i.saturating_sub(o.stamp_radius), (i + o.stamp_radius + 1).min(n));
        if !kinds[lo..hi].contains(&Stamp) && !body.contains(&true) {
            body[i] = true;
        }
    }
    body
}

fn any_kind() -> impl proptest::strategy::Strategy<Value = Kind> {
    proptest::sample::select(vec![Stamp, Short, Prose, Head, Recur, Kind::Boiler])
}

proptest::proptest! {
    /// On any page only prose or recurring prose is kept.
    #[test]
    fn only_prose_is_kept(
        lines in proptest::collection::vec(
            (any_kind(), 1usize..60, proptest::sample::select(vec![Ending::Stop, Ending::Ask, Ending::Cut, Ending::Bare]), proptest::bool::ANY),
            0..80,
        )
    ) {
        let kinds: Vec<Kind> = lines.iter().map(|l| l.0).collect();
        let shapes: Vec<Shape> = lines.iter().map(|l| Shape { tokens: l.1, ending: l.2, quoted: l.3 }).collect();
        let kept = body_lines(&kinds, &shapes, &ChromeOptions::default());
        proptest::prop_assert_eq!(kept.len(), kinds.len());
        for (k, &b) in kinds.iter().zip(&kept) {
            proptest::prop_assert!(!b || matches!(k, Prose | Recur));
        }
    }

    /// Shape acts only on teaser-shaped or short lines: on a page of longer
    /// lines ending in a full stop, the article is what kinds alone gave.
    #[test]
    fn paragraphs_keep_what_kinds_alone_gave(
        lines in proptest::collection::vec((any_kind(), 17usize..80), 0..80)
    ) {
        let o = ChromeOptions::default();
        let kinds: Vec<Kind> = lines.iter().map(|l| l.0).collect();
        // short and stamp lines are short whatever their shape
        let sizes: Vec<usize> = lines.iter().map(|&(k, n)| if matches!(k, Short | Stamp) { n % 5 } else { n }).collect();
        let shapes: Vec<Shape> = sizes.iter().map(|&n| Shape::stop(n)).collect();
        proptest::prop_assert_eq!(body_lines(&kinds, &shapes, &o), body_lines_by_kind(&kinds, &sizes, &o));
    }

}
