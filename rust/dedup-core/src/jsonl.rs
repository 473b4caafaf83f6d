//! JSON lines read without Python: the text of each record is parsed here and
//! the few other fields the caller needs are handed over as one small JSON
//! object, so that a 450 MB file never becomes 450 MB of Python strings (parsing
//! every line in Python took longer than tokenising it). A chunk is parsed on the
//! calling thread, not on the thread pool: the pool is tokenising the previous
//! chunk meanwhile, and parsing on it made each wait for the other.
//!
//! A line this reader does not take plainly is handed over whole, for the caller
//! to parse and report as it would without this reader: one that is not UTF-8,
//! not a JSON object, lacks the id or the text, has a text that is not a string,
//! or anything else serde_json refuses. So the fast path never decides
//! differently from the slow one; it only skips it for ordinary records.

use std::io::{self, BufRead};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The fields a caller wants from each record: the text, parsed here, and the
/// others (the id first, which every record must have), handed over raw.
#[derive(Debug, Clone)]
pub struct Fields {
    text: String,
    others: Vec<String>,
}

impl Fields {
    /// `others[0]` is the id: a record without it is handed over whole.
    pub fn new(
        text: impl Into<String>,
        id: impl Into<String>,
        more: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut others = vec![id.into()];
        for f in more {
            if !others.contains(&f) {
                others.push(f);
            }
        }
        Self { text: text.into(), others }
    }
}

/// One record of a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A record read plainly: its text, the text's length in characters, and the
    /// wanted fields it has as one JSON object (`{"id": ..., ...}`).
    Plain { text: String, chars: usize, others: Vec<u8> },
    /// A line for the caller to parse itself: its bytes, line end included.
    Raw(Vec<u8>),
}

/// Consecutive records of a file, each with its line number (from 1).
#[derive(Debug, Default)]
pub struct Chunk {
    pub records: Vec<Record>,
    pub lines: Vec<u64>,
}

/// A reader of JSON lines, a chunk of records at a time. Blank lines (only ASCII
/// whitespace) are skipped, as Python's `bytes.isspace` skips them.
pub struct JsonLines<R> {
    reader: R,
    fields: Fields,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(reader: R, fields: Fields) -> Self {
        Self { reader, fields, line: 0, buf: Vec::new() }
    }

    /// The next `max` records (fewer at the end of the file), or None after the
    /// last.
    ///
    /// # Errors
    /// The reader's error; the records read before it in this chunk are lost, so
    /// the caller stops.
    pub fn next_chunk(&mut self, max: usize) -> io::Result<Option<Chunk>> {
        self.buf.clear();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut lines = Vec::new();
        while spans.len() < max.max(1) {
            let start = self.buf.len();
            if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                break;
            }
            self.line += 1;
            if !is_blank(&self.buf[start..]) {
                spans.push((start, self.buf.len()));
                lines.push(self.line);
            }
        }
        if spans.is_empty() {
            return Ok(None);
        }
        let buf = &self.buf;
        let fields = &self.fields;
        let records = spans.iter().map(|&(s, e)| record(&buf[s..e], fields)).collect();
        Ok(Some(Chunk { records, lines }))
    }
}

/// True for a line of ASCII whitespace only (`bytes.isspace()`: space, tab, line
/// feed, carriage return, vertical tab, form feed).
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

/// One line as a record: plain if it is, else raw.
pub fn record(line: &[u8], fields: &Fields) -> Record {
    plain(line, fields).unwrap_or_else(|| Record::Raw(line.to_vec()))
}

fn plain(line: &[u8], fields: &Fields) -> Option<Record> {
    // UTF-8 is checked whole: serde_json reading bytes does not check the strings
    // it skips, which Python would refuse.
    let line = std::str::from_utf8(line).ok()?;
    let mut de = serde_json::Deserializer::from_str(line);
    let found = Object { fields }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    let text = found.text?;
    found.others[0]?; // no id: the caller words the error
    let mut others = b"{".to_vec();
    for (name, raw) in fields.others.iter().zip(&found.others) {
        let Some(raw) = raw else { continue };
        if others.len() > 1 {
            others.push(b',');
        }
        others.extend_from_slice(serde_json::to_string(name).ok()?.as_bytes());
        others.push(b':');
        others.extend_from_slice(raw.get().as_bytes());
    }
    others.push(b'}');
    let chars = text.chars().count();
    Some(Record::Plain { text, chars, others })
}

/// What a record holds of the wanted fields (the last value of a repeated key,
/// as Python's `json` keeps it).
struct Found<'a> {
    text: Option<String>,
    others: Vec<Option<&'a RawValue>>,
}

/// Reads a JSON object, keeping the wanted fields and checking the rest.
struct Object<'f> {
    fields: &'f Fields,
}

impl<'de> DeserializeSeed<'de> for Object<'_> {
    type Value = Found<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Object<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = Found { text: None, others: vec![None; self.fields.others.len()] };
        while let Some(key) = map.next_key::<String>()? {
            let other = self.fields.others.iter().position(|f| *f == key);
            if key == self.fields.text {
                // A text that is not a string fails here: the caller reports it.
                match other {
                    Some(i) => {
                        let raw: &RawValue = map.next_value()?;
                        found.text = Some(serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?);
                        found.others[i] = Some(raw);
                    }
                    None => found.text = Some(map.next_value()?),
                }
            } else if let Some(i) = other {
                found.others[i] = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields::new("text", "id", ["source".to_string(), "published".to_string()])
    }

    fn one(line: &str) -> Record {
        record(line.as_bytes(), &fields())
    }

    fn plain_of(line: &str) -> (String, String) {
        match one(line) {
            Record::Plain { text, chars, others } => {
                assert_eq!(chars, text.chars().count());
                (text, String::from_utf8(others).expect("utf-8"))
            }
            Record::Raw(_) => panic!("{line:?} was not read plainly"),
        }
    }

    #[test]
    fn a_record_gives_its_text_and_the_wanted_fields_it_has() {
        let (text, others) = plain_of(
            r#"{"source": "A \"B\"", "id": "p1", "extra": [1, {"x": null}], "text": "Line one\nl\u00ednea \ud83d\ude00"}"#,
        );
        assert_eq!(text, "Line one\nlínea \u{1F600}");
        assert_eq!(others, r#"{"id":"p1","source":"A \"B\""}"#);
        // Any JSON value of the other fields goes over as written.
        let (_, others) = plain_of(r#"{"id": 7, "text": "", "published": {"d": [1.5e3]}}"#);
        assert_eq!(others, r#"{"id":7,"published":{"d": [1.5e3]}}"#);
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let (text, others) = plain_of(r#"{"id": "a", "text": "first", "id": "b", "text": "last"}"#);
        assert_eq!((text.as_str(), others.as_str()), ("last", r#"{"id":"b"}"#));
    }

    #[test]
    fn an_escaped_key_names_its_field() {
        let (text, others) = plain_of(r#"{"\u0069d": "x", "te\u0078t": "body"}"#);
        assert_eq!((text.as_str(), others.as_str()), ("body", r#"{"id":"x"}"#));
    }

    #[test]
    fn the_text_field_may_also_be_a_wanted_field() {
        let f = Fields::new("body", "body", []);
        let Record::Plain { text, others, .. } = record(br#"{"body": "same"}"#, &f) else { panic!() };
        assert_eq!((text.as_str(), others.as_slice()), ("same", br#"{"body":"same"}"#.as_slice()));
    }

    #[test]
    fn lines_python_must_decide_are_handed_over_whole() {
        for line in [
            r"[1, 2]",                               // not an object
            r#""text""#,                             // not an object
            r#"{"id": "a"}"#,                        // no text
            r#"{"text": "t"}"#,                      // no id
            r#"{"id": "a", "text": 3}"#,             // text not a string
            r#"{"id": "a", "text": null}"#,          // text not a string
            r#"{"id": "a", "text": "\ud800"}"#,      // lone surrogate
            r#"{"id": "a", "text": "t", "x": NaN}"#, // not JSON (Python's json reads it)
            r#"{"id": "a", "text": "t"} {"id": 2}"#, // two values
            r#"{"id": "a", "text": "t""#,            // cut short
            r#"{"id": "a", "text": "t",}"#,          // trailing comma
        ] {
            assert_eq!(one(line), Record::Raw(line.as_bytes().to_vec()), "{line}");
        }
        // Not UTF-8 in a field nobody reads: Python refuses the line.
        let bad = b"{\"id\": \"a\", \"text\": \"t\", \"x\": \"\xff\"}\n";
        assert_eq!(record(bad, &fields()), Record::Raw(bad.to_vec()));
    }

    #[test]
    fn chunks_skip_blank_lines_and_number_the_others() {
        let data = "{\"id\":\"a\",\"text\":\"1\"}\n \t\r\n\n{\"id\":\"b\",\"text\":\"2\"}\r\nnot json\n{\"id\":\"c\",\"text\":\"3\"}";
        let mut r = JsonLines::new(data.as_bytes(), fields());
        let c = r.next_chunk(2).expect("read").expect("a chunk");
        assert_eq!(c.lines, [1, 4]);
        assert!(matches!(&c.records[1], Record::Plain { text, .. } if text == "2"));
        let c = r.next_chunk(2).expect("read").expect("a chunk");
        assert_eq!(c.lines, [5, 6]);
        assert_eq!(c.records[0], Record::Raw(b"not json\n".to_vec()));
        assert!(matches!(&c.records[1], Record::Plain { text, .. } if text == "3"));
        assert!(r.next_chunk(2).expect("read").is_none());
    }

    proptest::proptest! {
        #[test]
        fn texts_read_plainly_are_the_texts_written(
            texts in proptest::collection::vec(".{0,40}", 1..20),
            per_chunk in 1usize..7,
        ) {
            let mut data = String::new();
            for (i, t) in texts.iter().enumerate() {
                let rec = serde_json::json!({"id": format!("p{i}"), "text": t, "source": i});
                data.push_str(&rec.to_string());
                data.push('\n');
            }
            let mut r = JsonLines::new(data.as_bytes(), fields());
            let mut got = Vec::new();
            while let Some(c) = r.next_chunk(per_chunk).expect("read") {
                proptest::prop_assert!(c.records.len() <= per_chunk);
                for rec in c.records {
                    match rec {
                        Record::Plain { text, .. } => got.push(text),
                        Record::Raw(_) => proptest::prop_assert!(false, "a plain record was handed over"),
                    }
                }
            }
            proptest::prop_assert_eq!(got, texts);
        }
    }
}
