//! Bad input (issue 16, RELIABILITY.md): every importer is fed corrupted versions of the real
//! source files — truncations, byte flips, wrong JSON types, missing and renamed keys, renamed
//! sheets, huge cells, UTF-16 and Latin-1 bytes — and must either load them or return an error
//! that names the file and a place; it must never panic. A sample of the failing cases is also
//! loaded into a store holding the good sources, whose content must stay exactly as it was.
//!
//! Bounded here (fixed seed, a fixed number of cases per source); `CROSSWALK_MUTATIONS=N` runs
//! N cases per source and `CROSSWALK_MUTATION_SEED=S` another seed (the long run in
//! RELIABILITY.md). `CROSSWALK_MUTATION_VERBOSE=1` prints each case before it runs, so a case
//! that aborts the process (which no `catch_unwind` can report) is still named;
//! `CROSSWALK_MUTATION_ONLY=<source id>` runs one source (`user/mutated-0..2` for the SSSOM,
//! CSV and OSCAL-mapping user sets).
use crate::util;
use crosswalk::Error;
use crosswalk::import::InputFile;
use crosswalk::load;
use crosswalk::model::ids;
use crosswalk::model::resolve::Resolver;
use crosswalk::source::manifest::{Manifest, Source};
use crosswalk::store::Db;
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Cases per source in the bounded run. Sources over 1 MB decoded (the 3 MB SP 800-53 catalog,
/// the Reference Tool's 1.1 MB string table) cost 5-20× more per case, so they get fewer.
const CASES: usize = 150;
const CASES_BIG: usize = 30;
/// Failing cases per source that are also loaded into the store (~3 s each: the load reads
/// the whole store, and so does the digest compared after it).
const STORE_CHECKS: usize = 1;
const SEED: u64 = 0x5eed_c405_5a1c;

/// splitmix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Strings that have tripped parsers of ids, labels and prose.
const WEIRD: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\t\r\n",
    "{{ insert: param, }}",
    "{{ insert: param, missing_prm_1 }}",
    "GOVERN",
    "GOVERN 1.1.1.1",
    "GOVERN 99999999999.1",
    "MAP 1.",
    "MEASURE .1",
    "GV-1.1-001",
    "GV-99999999999.1-001",
    "MS-1.1-99999999999999999999",
    "AC-2(1)",
    "AC-99999999999999999999",
    "ac-2.99999999999999999999",
    "GV.OC-99999999999999999999",
    "ID.AM-06: [Withdrawn: Incorporated into GV.RR-02, GV.SC-02]",
    "(",
    ")",
    "()",
    "(GV)",
    ":",
    ": : :",
    "SP 800-53 Rev 5.2.0:",
    "SP 800-53 Rev 5.2.0: ",
    "X: Y\nZ: W\n\n: \n",
    "é",
    "日本語",
    "😀",
    "\u{202e}RTL",
    "\u{feff}",
    "\u{fb00}",
    "Ô¨Ä",
    "a\"b",
    "'",
    "['a', \"b",
    "<script>&amp;",
    "%00",
    "http://",
    "#",
    "../../etc/passwd",
    "NaN",
    "-0",
    "1e999",
];

/// Whether 8 MB cells are drawn too (long runs only: one costs ~25 s in a debug build, most of
/// it percent-encoding the cell into an IRI byte by byte).
static LONG_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn huge_text(rng: &mut Rng, big: bool) -> String {
    let long = LONG_RUN.load(std::sync::atomic::Ordering::Relaxed);
    let len = if big && long {
        *rng.pick(&[1 << 16, 1 << 20, 8 << 20])
    } else {
        *rng.pick(&[1 << 12, 1 << 16, 1 << 20])
    };
    let unit = *rng.pick(&["A", "é", "GV.OC-01 ", "line\n", "AC-2(1)\n"]);
    unit.repeat(len / unit.len() + 1)
}

// ---------------------------------------------------------------- byte-level mutations

/// One generic corruption of raw bytes; returns its name.
fn mutate_bytes(rng: &mut Rng, b: &mut Vec<u8>) -> &'static str {
    match rng.below(11) {
        0 => {
            let at = if rng.chance(30) {
                rng.below(64.min(b.len() + 1))
            } else {
                rng.below(b.len() + 1)
            };
            b.truncate(at);
            "truncate"
        }
        1 => {
            for _ in 0..1 + rng.below(16) {
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] = if rng.chance(50) {
                        b[i] ^ (1 << rng.below(8))
                    } else {
                        rng.next() as u8
                    };
                }
            }
            "byte-flip"
        }
        2 => {
            let at = rng.below(b.len() + 1);
            let n = 1 + rng.below(4096.min(b.len() - at + 1));
            b.drain(at..(at + n).min(b.len()));
            "delete-range"
        }
        3 => {
            let at = rng.below(b.len() + 1);
            let n = rng.below(4096.min(b.len() - at + 1));
            let chunk = b[at..at + n].to_vec();
            let to = rng.below(b.len() + 1);
            b.splice(to..to, chunk);
            "duplicate-range"
        }
        4 => {
            // Structural characters of JSON, YAML, CSV and XML.
            let at = rng.below(b.len() + 1);
            let junk: Vec<u8> = (0..1 + rng.below(8))
                .map(|_| *rng.pick(b"\"'{}[],:;\t\n\r\\<>&#-=! \x00"))
                .collect();
            b.splice(at..at, junk);
            "insert-syntax"
        }
        5 => {
            *b = utf16(b, rng.chance(50), rng.chance(50));
            "utf-16"
        }
        6 => {
            latin1(rng, b);
            "latin-1"
        }
        7 => {
            let at = utf8_boundary(b, rng.below(b.len() + 1));
            const BAD: [&[u8]; 6] = [
                &[0xff],
                &[0xc3],
                &[0xc0, 0x80],
                &[0xed, 0xa0, 0x80],
                &[0xf4, 0x90, 0x80, 0x80],
                &[0xe2, 0x82],
            ];
            let bad: &[u8] = rng.pick::<&[u8]>(&BAD);
            b.splice(at..at, bad.iter().copied());
            "invalid-utf-8"
        }
        8 => {
            b.splice(0..0, [0xef, 0xbb, 0xbf]);
            "bom"
        }
        9 => {
            b.clear();
            "empty"
        }
        _ => {
            let at = rng.below(b.len() + 1);
            b.splice(at..at, std::iter::repeat_n(0u8, 1 + rng.below(16)));
            "nul-bytes"
        }
    }
}

fn utf8_boundary(b: &[u8], mut at: usize) -> usize {
    while at < b.len() && (b[at] & 0xc0) == 0x80 {
        at += 1;
    }
    at
}

/// The text re-encoded as UTF-16 (lossily where it is not UTF-8), optionally with a BOM.
fn utf16(b: &[u8], big_endian: bool, bom: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(b);
    let mut out = Vec::with_capacity(b.len() * 2 + 2);
    let units = bom
        .then_some(0xfeffu16)
        .into_iter()
        .chain(text.encode_utf16());
    for u in units {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

/// Non-ASCII characters as Latin-1 bytes (one byte ≥ 0x80, never valid UTF-8 there); a
/// pure-ASCII file gets a few Latin-1 letters inserted instead.
fn latin1(rng: &mut Rng, b: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(b);
    if text.is_ascii() {
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(b.len() + 1);
            b.splice(at..at, [*rng.pick(&[0xe9u8, 0xfc, 0xa0, 0xd7])]);
        }
        return;
    }
    *b = text
        .chars()
        .map(|c| u32::from(c).try_into().unwrap_or(b'?'))
        .collect();
}

// ---------------------------------------------------------------- JSON and YAML trees

/// Nodes (pre-order) that satisfy `pred`, counted.
fn count(v: &Value, depth: usize, pred: &dyn Fn(&Value, usize) -> bool) -> usize {
    let own = usize::from(pred(v, depth));
    own + match v {
        Value::Array(a) => a.iter().map(|x| count(x, depth + 1, pred)).sum(),
        Value::Object(o) => o.values().map(|x| count(x, depth + 1, pred)).sum(),
        _ => 0,
    }
}

/// The `k`-th node (pre-order) that satisfies `pred`.
fn nth<'a>(
    v: &'a mut Value,
    depth: usize,
    pred: &dyn Fn(&Value, usize) -> bool,
    k: &mut usize,
) -> Option<&'a mut Value> {
    if pred(v, depth) {
        if *k == 0 {
            return Some(v);
        }
        *k -= 1;
    }
    match v {
        Value::Array(a) => a.iter_mut().find_map(|x| nth(x, depth + 1, pred, k)),
        Value::Object(o) => o.values_mut().find_map(|x| nth(x, depth + 1, pred, k)),
        _ => None,
    }
}

/// A random node satisfying `pred`, preferring shallow ones half of the time (a uniform pick
/// in a 3 MB catalog nearly always lands in prose).
fn random_node<'a>(
    rng: &mut Rng,
    v: &'a mut Value,
    pred: &dyn Fn(&Value) -> bool,
) -> Option<&'a mut Value> {
    let max_depth = if rng.chance(50) {
        1 + rng.below(5)
    } else {
        usize::MAX
    };
    let p = |x: &Value, d: usize| d <= max_depth && pred(x);
    let n = count(v, 0, &p);
    if n == 0 {
        return None;
    }
    let mut k = rng.below(n);
    nth(v, 0, &p, &mut k)
}

const DEEP: &str = "DEEPNESTINGPLACEHOLDER7f3a";

fn other_type(rng: &mut Rng, v: &Value) -> Value {
    let options = [
        Value::Null,
        Value::Bool(true),
        Value::from(7),
        Value::from(-1.5),
        Value::from("text"),
        Value::Array(vec![]),
        Value::Array(vec![Value::from("x")]),
        Value::Object(Default::default()),
    ];
    loop {
        let o = rng.pick(&options);
        if std::mem::discriminant(o) != std::mem::discriminant(v) {
            return o.clone();
        }
    }
}

/// One structural corruption of a JSON/YAML tree; returns its name (or `None` when the tree
/// has no node of the kind drawn).
fn mutate_tree(rng: &mut Rng, root: &mut Value) -> Option<&'static str> {
    Some(match rng.below(9) {
        0 => {
            let n = random_node(rng, root, &|_| true)?;
            *n = other_type(rng, n);
            "wrong-type"
        }
        1 => {
            let n = random_node(rng, root, &|x| x.as_object().is_some_and(|o| !o.is_empty()))?;
            let o = n.as_object_mut()?;
            let key = o.keys().nth(rng.below(o.len()))?.clone();
            o.remove(&key);
            "missing-key"
        }
        2 => {
            let n = random_node(rng, root, &|x| x.as_object().is_some_and(|o| !o.is_empty()))?;
            let o = n.as_object_mut()?;
            let key = o.keys().nth(rng.below(o.len()))?.clone();
            let v = o.remove(&key)?;
            let renamed = match rng.below(4) {
                0 => key.to_uppercase(),
                1 => format!("{key}_"),
                2 => key.replace('-', "_").replace('_', "-") + " ",
                _ => String::new(),
            };
            o.insert(renamed, v);
            "renamed-key"
        }
        3 => {
            let big = rng.chance(10);
            let n = random_node(rng, root, &|x| x.is_string())?;
            *n = Value::from(huge_text(rng, big));
            "huge-string"
        }
        4 => {
            let n = random_node(rng, root, &|x| x.is_string())?;
            *n = Value::from(*rng.pick(WEIRD));
            "weird-string"
        }
        5 => {
            let n = random_node(rng, root, &|x| x.is_number() || x.is_string())?;
            *n = rng
                .pick(&[
                    serde_json::json!(1e308),
                    serde_json::json!(-1),
                    serde_json::json!(u64::MAX),
                    serde_json::json!(i64::MIN),
                    serde_json::json!(0.5),
                    serde_json::json!(0),
                ])
                .clone();
            "edge-number"
        }
        6 => {
            let n = random_node(rng, root, &|x| x.as_array().is_some_and(|a| !a.is_empty()))?;
            let a = n.as_array_mut()?;
            match rng.below(3) {
                0 => {
                    let i = rng.below(a.len());
                    let copy = a[i].clone();
                    a.insert(i, copy);
                    "duplicate-element"
                }
                1 => {
                    a.clear();
                    "empty-array"
                }
                _ => {
                    a.truncate(rng.below(a.len()));
                    "short-array"
                }
            }
        }
        7 => {
            let n = random_node(rng, root, &|_| true)?;
            *n = Value::from(DEEP);
            "deep-nesting"
        }
        _ => {
            // The same document twice in one array, or the root replaced by one of its parts.
            let n = random_node(rng, root, &|x| x.is_object() || x.is_array())?;
            let part = n.clone();
            *root = if rng.chance(50) {
                Value::Array(vec![part.clone(), part])
            } else {
                part
            };
            "wrong-root"
        }
    })
}

/// A nested array `depth` deep in place of the placeholder (built as text: serializing such a
/// tree would overflow the harness's own stack).
fn expand_deep(rng: &mut Rng, text: String, quoted: bool) -> String {
    let depth = *rng.pick(&[64, 200, 5_000, 100_000]);
    let deep = format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
    let needle = if quoted {
        format!("\"{DEEP}\"")
    } else {
        DEEP.to_owned()
    };
    text.replacen(&needle, &deep, 1)
}

// ---------------------------------------------------------------- CSV

fn mutate_csv(rng: &mut Rng, b: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(b)
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .ok()?;
    let width = rows.first()?.len();
    if width == 0 {
        return None;
    }
    let (r, c) = (rng.below(rows.len()), rng.below(width));
    let kind = match rng.below(9) {
        0 => {
            rows.iter_mut().for_each(|row| {
                if c < row.len() {
                    row.remove(c);
                }
            });
            "drop-column"
        }
        1 => {
            rows[0][c] = match rng.below(3) {
                0 => rows[0][c].to_lowercase() + "x",
                1 => String::new(),
                _ => rows[0][(c + 1) % width].clone(),
            };
            "renamed-header"
        }
        2 => {
            let d = rng.below(width);
            rows.iter_mut().for_each(|row| {
                if c < row.len() && d < row.len() {
                    row.swap(c, d);
                }
            });
            "swapped-columns"
        }
        3 => {
            if rng.chance(50) {
                rows[r].truncate(rng.below(width));
            } else {
                rows[r].extend(std::iter::repeat_n("extra".to_owned(), 1 + rng.below(4)));
            }
            "ragged-row"
        }
        4 => {
            let big = rng.chance(10);
            if let Some(cell) = rows[r].get_mut(c) {
                *cell = huge_text(rng, big);
            }
            "huge-cell"
        }
        5 => {
            if let Some(cell) = rows[r].get_mut(c) {
                *cell = (*rng.pick(WEIRD)).to_owned();
            }
            "weird-cell"
        }
        6 => {
            let copy = rows[r].clone();
            rows.insert(r, copy);
            "duplicate-row"
        }
        7 => {
            if rows.len() > 1 {
                rows.remove(1 + rng.below(rows.len() - 1));
            } else {
                rows.clear();
            }
            "deleted-row"
        }
        _ => {
            rows.truncate(1);
            "header-only"
        }
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for row in &rows {
        w.write_record(row).ok()?;
    }
    Some((kind, w.into_inner().ok()?))
}

// ---------------------------------------------------------------- XLSX (a zip of XML parts)

fn unzip(b: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(b)).ok()?;
    let mut parts = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let name = f.name().ok()?.into_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).ok()?;
        parts.push((name, bytes));
    }
    Some(parts)
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, bytes) in parts {
        w.start_file(name.as_str(), opts).expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Replaces the `k`-th (random) match of `re` in `text` by what `with` makes of the match.
fn replace_random(
    rng: &mut Rng,
    text: &str,
    re: &regex::Regex,
    with: &mut dyn FnMut(&mut Rng, &regex::Captures<'_>) -> String,
) -> Option<String> {
    let n = re.find_iter(text).count();
    if n == 0 {
        return None;
    }
    let k = rng.below(n);
    let caps = re.captures_iter(text).nth(k)?;
    let m = caps.get(0)?;
    let new = with(rng, &caps);
    Some(format!("{}{}{}", &text[..m.start()], new, &text[m.end()..]))
}

fn part_text(parts: &[(String, Vec<u8>)], name: &str) -> Option<(usize, String)> {
    let i = parts.iter().position(|(n, _)| n == name)?;
    Some((i, String::from_utf8(parts[i].1.clone()).ok()?))
}

fn worksheets(parts: &[(String, Vec<u8>)]) -> Vec<usize> {
    parts
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml"))
        .map(|(i, _)| i)
        .collect()
}

fn mutate_xlsx(rng: &mut Rng, b: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let mut parts = unzip(b)?;
    let sheets = worksheets(&parts);
    if sheets.is_empty() || parts.is_empty() {
        return None;
    }
    let kind = match rng.below(11) {
        0 | 1 => {
            let (i, text) = part_text(&parts, "xl/workbook.xml")?;
            let re = regex::Regex::new(r#"(<sheet [^>]*?name=")([^"]*)(")"#).ok()?;
            let names: Vec<String> = re.captures_iter(&text).map(|c| c[2].to_owned()).collect();
            let new = replace_random(rng, &text, &re, &mut |rng, c| {
                let name = match rng.below(6) {
                    0 => c[2].to_uppercase(),
                    1 => format!("{} ", &c[2]),
                    2 => "Sheet1".to_owned(),
                    3 => String::new(),
                    4 => rng.pick(&names).clone(),
                    _ => xml_escape(rng.pick::<&str>(WEIRD)),
                };
                format!("{}{name}{}", &c[1], &c[3])
            })?;
            parts[i].1 = new.into_bytes();
            "renamed-sheet"
        }
        2 => {
            let i = rng.below(parts.len());
            if rng.chance(50) {
                parts.remove(i);
            } else {
                parts[i].0 = parts[i].0.to_uppercase();
            }
            "missing-part"
        }
        3 => {
            let i = rng.below(parts.len());
            let k = mutate_bytes(rng, &mut parts[i].1);
            // Name the inner corruption in the tally: it is a different code path.
            match k {
                "utf-16" => "part-utf-16",
                "latin-1" => "part-latin-1",
                "truncate" => "part-truncate",
                _ => "part-bytes",
            }
        }
        4 => {
            let (i, text) = part_text(&parts, "xl/sharedStrings.xml")?;
            let big = rng.chance(10);
            let huge = huge_text(rng, big);
            let re = regex::Regex::new(r"(<t[^>]*>)([^<]*)(</t>)").ok()?;
            let new = replace_random(rng, &text, &re, &mut |_, c| {
                format!("{}{}{}", &c[1], xml_escape(&huge), &c[3])
            })?;
            parts[i].1 = new.into_bytes();
            "huge-cell"
        }
        5 => {
            let (i, text) = part_text(&parts, "xl/sharedStrings.xml")?;
            let re = regex::Regex::new(r"(<t[^>]*>)([^<]*)(</t>)").ok()?;
            // Headers come first in the string table: hit them a third of the time.
            let early = rng.chance(33);
            let text2 = if early {
                let cut = text
                    .match_indices("</si>")
                    .nth(24)
                    .map_or(text.len(), |(j, _)| j);
                let head = replace_random(rng, &text[..cut], &re, &mut |rng, c| {
                    format!("{}{}{}", &c[1], xml_escape(rng.pick::<&str>(WEIRD)), &c[3])
                })?;
                format!("{head}{}", &text[cut..])
            } else {
                replace_random(rng, &text, &re, &mut |rng, c| {
                    format!("{}{}{}", &c[1], xml_escape(rng.pick::<&str>(WEIRD)), &c[3])
                })?
            };
            parts[i].1 = text2.into_bytes();
            "weird-cell"
        }
        6 => {
            let i = *rng.pick(&sheets);
            let text = String::from_utf8(parts[i].1.clone()).ok()?;
            let re = regex::Regex::new(r#"<c r="([A-Z]+[0-9]+)"([^>]*?)(/?)>"#).ok()?;
            let new = replace_random(rng, &text, &re, &mut |rng, c| {
                let t = rng.pick(&["s", "n", "b", "e", "str", "inlineStr", "d", "x"]);
                let attrs = regex::Regex::new(r#"\st="[^"]*""#)
                    .map(|r| r.replace_all(&c[2], "").into_owned())
                    .unwrap_or_default();
                format!(r#"<c r="{}" t="{t}"{attrs}{}>"#, &c[1], &c[3])
            })?;
            let re_v = regex::Regex::new(r"<v>([^<]*)</v>").ok()?;
            let new = if rng.chance(50) {
                replace_random(rng, &new, &re_v, &mut |rng, _| {
                    let v = rng.pick(&["abc", "-1", "99999999", "1e400", "", "4294967296", "0.5"]);
                    format!("<v>{v}</v>")
                })
                .unwrap_or(new)
            } else {
                new
            };
            parts[i].1 = new.into_bytes();
            "cell-type"
        }
        7 => {
            let i = *rng.pick(&sheets);
            let text = String::from_utf8(parts[i].1.clone()).ok()?;
            let re = regex::Regex::new(r#" r="([A-Z]+[0-9]+)""#).ok()?;
            let new = replace_random(rng, &text, &re, &mut |rng, _| {
                let r = rng.pick(&[
                    "XFD1048576",
                    "A1048576",
                    "XFD1",
                    "ZZZZZZZZ1",
                    "A0",
                    "A99999999999",
                    "A1048577",
                    "XFE1",
                    "",
                    "1A",
                    "a1",
                ]);
                format!(r#" r="{r}""#)
            })?;
            parts[i].1 = new.into_bytes();
            "far-cell"
        }
        8 => {
            let i = *rng.pick(&sheets);
            let text = String::from_utf8(parts[i].1.clone()).ok()?;
            let re = regex::Regex::new(r#"<dimension ref="[^"]*"/>"#).ok()?;
            let new = replace_random(rng, &text, &re, &mut |rng, _| {
                let r = rng.pick(&[
                    "E233:A1",
                    "A1:XFD1048576",
                    "A0:B",
                    "ZZZZZZZZZZ1:A1",
                    "",
                    "A1:B2:C3",
                    "B2",
                ]);
                format!(r#"<dimension ref="{r}"/>"#)
            })?;
            parts[i].1 = new.into_bytes();
            "dimension"
        }
        9 => {
            // Counts and row numbers a reader may trust for its allocations.
            if rng.chance(50) {
                let (i, text) = part_text(&parts, "xl/sharedStrings.xml")?;
                let re = regex::Regex::new(r#"(count|uniqueCount)="\d*""#).ok()?;
                let new = replace_random(rng, &text, &re, &mut |rng, c| {
                    let n = rng.pick(&["99999999999", "4294967296", "0", "-1", "1e9", ""]);
                    format!(r#"{}="{n}""#, &c[1])
                })?;
                parts[i].1 = new.into_bytes();
            } else {
                let i = *rng.pick(&sheets);
                let text = String::from_utf8(parts[i].1.clone()).ok()?;
                let re = regex::Regex::new(r#"<row r="\d+""#).ok()?;
                let new = replace_random(rng, &text, &re, &mut |rng, _| {
                    let n = rng.pick(&["99999999999", "1048577", "0", "4294967296", "x"]);
                    format!(r#"<row r="{n}""#)
                })?;
                parts[i].1 = new.into_bytes();
            }
            "stated-count"
        }
        _ => {
            // Rows repeated or dropped: the sheet's <row> elements shuffled by one move.
            let i = *rng.pick(&sheets);
            let text = String::from_utf8(parts[i].1.clone()).ok()?;
            let re = regex::Regex::new(r"<row [^>]*>.*?</row>").ok()?;
            let rows: Vec<&str> = re.find_iter(&text).map(|m| m.as_str()).collect();
            if rows.is_empty() {
                return None;
            }
            let row = rows[rng.below(rows.len())].to_owned();
            let new = if rng.chance(50) {
                text.replacen(&row, &format!("{row}{row}"), 1)
            } else {
                text.replacen(&row, "", 1)
            };
            parts[i].1 = new.into_bytes();
            "row-moved"
        }
    };
    Some((kind, rezip(&parts)))
}

// ---------------------------------------------------------------- one case

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Json,
    Yaml,
    Csv,
    Tsv,
    Xlsx,
}

fn kind_of(path: &Path) -> Kind {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => Kind::Json,
        "yaml" | "yml" => Kind::Yaml,
        "csv" => Kind::Csv,
        "tsv" => Kind::Tsv,
        "xlsx" => Kind::Xlsx,
        other => panic!("no mutator for .{other} ({})", path.display()),
    }
}

/// One corrupted version of `good`; returns the mutation's name and the bytes.
fn mutate(rng: &mut Rng, kind: Kind, good: &[u8]) -> (&'static str, Vec<u8>) {
    // A third of the cases corrupt bytes whatever the format; the rest know the format.
    if rng.chance(33) {
        let mut b = good.to_vec();
        let k = mutate_bytes(rng, &mut b);
        return (k, b);
    }
    let structured = match kind {
        Kind::Json | Kind::Yaml => {
            let tree: Option<Value> = if kind == Kind::Json {
                serde_json::from_slice(good).ok()
            } else {
                serde_norway::from_slice(good).ok()
            };
            tree.and_then(|mut t| {
                let k = mutate_tree(rng, &mut t)?;
                let text = if kind == Kind::Json {
                    serde_json::to_string_pretty(&t).ok()?
                } else {
                    serde_norway::to_string(&t).ok()?
                };
                let text = if k == "deep-nesting" {
                    expand_deep(rng, text, kind == Kind::Json)
                } else {
                    text
                };
                Some((k, text.into_bytes()))
            })
        }
        Kind::Csv => mutate_csv(rng, good),
        Kind::Tsv => {
            // SSSOM: a YAML block of `#` lines, then a TSV table; corrupt one line of either.
            let text = String::from_utf8_lossy(good);
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                None
            } else {
                let i = rng.below(lines.len());
                let k = match rng.below(4) {
                    0 => {
                        let mut cells: Vec<String> =
                            lines[i].split('\t').map(str::to_owned).collect();
                        let c = rng.below(cells.len());
                        cells[c] = (*rng.pick(WEIRD)).to_owned();
                        lines[i] = cells.join("\t");
                        "weird-cell"
                    }
                    1 => {
                        lines[i] = lines[i].replacen('\t', "", 1);
                        "ragged-row"
                    }
                    2 => {
                        lines.insert(i, format!("# {}", rng.pick(WEIRD)));
                        "bad-metadata"
                    }
                    _ => {
                        let big = rng.chance(10);
                        lines[i].push_str(&huge_text(rng, big).replace(['\n', '\t'], " "));
                        "huge-cell"
                    }
                };
                Some((k, (lines.join("\n") + "\n").into_bytes()))
            }
        }
        Kind::Xlsx => mutate_xlsx(rng, good),
    };
    structured.unwrap_or_else(|| {
        let mut b = good.to_vec();
        let k = mutate_bytes(rng, &mut b);
        (k, b)
    })
}

/// Whole-store content as (quad count, order-independent sum of each quad's SHA-256).
fn digest(db: &Db) -> (usize, u128) {
    let mut sum = 0u128;
    let mut n = 0;
    for q in db.inner().iter() {
        let q = q.expect("read the store");
        let h = sha2::Sha256::digest(q.to_string().as_bytes());
        let mut first = [0u8; 16];
        first.copy_from_slice(&h[..16]);
        sum = sum.wrapping_add(u128::from_le_bytes(first));
        n += 1;
    }
    (n, sum)
}

/// What the cases of one source came to.
#[derive(Default)]
struct Tally {
    cases: usize,
    loaded: usize,
    refused: usize,
    store_checks: usize,
    import_secs: f64,
    store_secs: f64,
    by_mutation: BTreeMap<&'static str, (usize, usize)>,
}

/// Failures found: each is a bug to fix in the importer.
type Findings = Vec<String>;

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-text panic)".into())
}

/// An import error must name the corrupted file and a place in it.
fn error_is_placed(e: &Error, file: &Path) -> Result<(), String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let text = e.to_string();
    if !name.as_ref().is_some_and(|n| text.contains(n.as_str())) {
        return Err(format!("error does not name the file: {text}"));
    }
    match e {
        Error::Parse { location, .. } if !location.trim().is_empty() => Ok(()),
        _ => Err(format!("error names no place in the file: {text}")),
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

struct Run<'a> {
    db: &'a Db,
    manifest: &'a Manifest,
    sources: &'a Path,
    seed: u64,
    verbose: bool,
    before: (usize, u128),
}

impl Run<'_> {
    /// `cases` mutated versions of `source`'s files (read from `files`), each imported;
    /// `store_checks` of the failing ones, spread over the run, are also loaded through
    /// `load::load` into the store.
    fn source(
        &self,
        index: usize,
        source: &Source,
        files: &[InputFile],
        (cases, store_checks): (usize, usize),
        tally: &mut Tally,
        findings: &mut Findings,
    ) {
        let graph = ids::graph_iri(&source.id);
        let facts =
            crosswalk::model::facts::Facts::from_store(self.db, &[graph, ids::ontology_graph()])
                .expect("facts");
        let resolver = Resolver::from_facts(&facts);
        // The good files load: otherwise every refusal below would prove nothing.
        if let Err(e) = load::import_source(source, files, &resolver) {
            findings.push(format!("{}: the unmutated files fail: {e}", source.id));
            return;
        }
        let mut rng = Rng::new(self.seed ^ (index as u64).wrapping_mul(0x1000_0000_01b3));
        let mut checked = 0;
        for case in 0..cases {
            let which = rng.below(files.len());
            let kind = kind_of(&files[which].path);
            let (mutation, bytes) = mutate(&mut rng, kind, &files[which].bytes);
            let what = format!(
                "{} case {case} ({mutation} of {}, {} bytes)",
                source.id,
                files[which].path.display(),
                bytes.len()
            );
            if self.verbose {
                let _ = writeln!(std::io::stderr(), "{what}");
            }
            let mut mutated: Vec<InputFile> = files
                .iter()
                .map(|f| InputFile {
                    path: f.path.clone(),
                    bytes: f.bytes.clone(),
                    sha256: f.sha256.clone(),
                    role: f.role.clone(),
                })
                .collect();
            mutated[which].sha256 = load::sha256_hex(&bytes);
            mutated[which].bytes = bytes;
            tally.cases += 1;
            let entry = tally.by_mutation.entry(mutation).or_default();
            entry.0 += 1;
            let started = std::time::Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                load::import_source(source, &mutated, &resolver).map(|_| ())
            }));
            let secs = started.elapsed().as_secs_f64();
            tally.import_secs += secs;
            if secs > 1.0 {
                eprintln!("slow: {what}: {secs:.1} s");
            }
            if self.verbose {
                let said = match &outcome {
                    Ok(Ok(())) => "loaded".to_owned(),
                    Ok(Err(e)) => format!(
                        "refused: {}",
                        e.to_string().chars().take(300).collect::<String>()
                    ),
                    Err(_) => "PANIC".to_owned(),
                };
                let _ = writeln!(std::io::stderr(), "  -> {said}");
            }
            match outcome {
                Err(p) => findings.push(format!("{what}: PANIC {}", panic_text(p.as_ref()))),
                Ok(Ok(())) => {
                    tally.loaded += 1;
                    entry.1 += 1;
                }
                Ok(Err(e)) => {
                    tally.refused += 1;
                    if let Err(m) = error_is_placed(&e, &files[which].path) {
                        findings.push(format!("{what}: {m}"));
                    }
                    // Spread over the run: the first failure at or after each of
                    // `store_checks` evenly spaced cases.
                    if checked < store_checks && case >= checked * cases / store_checks {
                        checked += 1;
                        tally.store_checks += 1;
                        let started = std::time::Instant::now();
                        if let Err(m) = self.store_check(source, &mutated, which) {
                            findings.push(format!("{what}: {m}"));
                        }
                        tally.store_secs += started.elapsed().as_secs_f64();
                    }
                }
            }
        }
    }

    /// Loads the mutated source (with a companion source, so the store's writer usually has a
    /// graph in hand when the import fails) from a temporary sources directory: the load must fail, naming the
    /// file, and leave every quad of the store as it was.
    fn store_check(
        &self,
        source: &Source,
        files: &[InputFile],
        which: usize,
    ) -> Result<(), String> {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        // A small companion source that reads another file (csf-1.1-to-2.0 reads the CSF
        // catalog too), imported first where the manifest order allows.
        let companion = match source.id.as_str() {
            "csf-2.0" | "csf-1.1-to-2.0" | "sp800-53r5-5.0.1" | "sp800-53r5-5.2.0" => "ai-rmf-1.0",
            _ => "csf-2.0",
        };
        let ids = vec![companion.to_owned(), source.id.clone()];
        // The mutated files first, into the fresh directory: nothing is ever written through
        // one of the symlinks to the real files made next.
        for (m, f) in source.files.iter().zip(files) {
            let at = tmp.path().join(&m.path);
            std::fs::create_dir_all(at.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
            std::fs::write(&at, &f.bytes).map_err(|e| e.to_string())?;
        }
        let other = self.manifest.get(companion).ok_or("unknown source")?;
        for m in &other.files {
            let at = tmp.path().join(&m.path);
            if !at.exists() {
                std::fs::create_dir_all(at.parent().ok_or("no parent")?)
                    .map_err(|e| e.to_string())?;
                std::os::unix::fs::symlink(self.sources.join(&m.path), &at)
                    .map_err(|e| e.to_string())?;
            }
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            load::load(self.db, self.manifest, tmp.path(), &ids, &mut |_| {})
        }))
        .map_err(|p| format!("load PANIC {}", panic_text(p.as_ref())))?;
        let name = files[which]
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        match result {
            Ok(_) => return Err("the store load succeeded where the import failed".into()),
            Err(e)
                if !name
                    .as_ref()
                    .is_some_and(|n| e.to_string().contains(n.as_str())) =>
            {
                return Err(format!(
                    "the store load's error does not name the file: {e}"
                ));
            }
            Err(_) => {}
        }
        let after = digest(self.db);
        if after != self.before {
            return Err(format!(
                "the store changed after a failed load: {} quads before, {} after",
                self.before.0, after.0
            ));
        }
        Ok(())
    }
}

/// The bytes an importer parses: a workbook's parts unzipped.
fn decoded_size(b: &[u8]) -> usize {
    unzip(b).map_or(b.len(), |parts| parts.iter().map(|(_, p)| p.len()).sum())
}

fn read_source(dir: &Path, s: &Source) -> Option<Vec<InputFile>> {
    let paths = s.locate(dir).ok()?;
    Some(
        paths
            .iter()
            .zip(&s.files)
            .map(|(p, m)| {
                let bytes = std::fs::read(p).expect("read source file");
                InputFile {
                    sha256: load::sha256_hex(&bytes),
                    path: p.clone(),
                    bytes,
                    role: m.role.clone(),
                }
            })
            .collect(),
    )
}

fn report(tallies: &[(String, Tally)], findings: &Findings) {
    let mut total = Tally::default();
    eprintln!(
        "{:<32} {:>6} {:>7} {:>8} {:>6} {:>8} {:>8}",
        "source", "cases", "loaded", "refused", "store", "import s", "store s"
    );
    for (id, t) in tallies {
        eprintln!(
            "{id:<32} {:>6} {:>7} {:>8} {:>6} {:>8.1} {:>8.1}",
            t.cases, t.loaded, t.refused, t.store_checks, t.import_secs, t.store_secs
        );
        total.cases += t.cases;
        total.loaded += t.loaded;
        total.refused += t.refused;
        total.store_checks += t.store_checks;
        total.import_secs += t.import_secs;
        total.store_secs += t.store_secs;
        for (m, (n, ok)) in &t.by_mutation {
            let e = total.by_mutation.entry(m).or_default();
            e.0 += n;
            e.1 += ok;
        }
    }
    eprintln!(
        "{:<32} {:>6} {:>7} {:>8} {:>6} {:>8.1} {:>8.1}",
        "total",
        total.cases,
        total.loaded,
        total.refused,
        total.store_checks,
        total.import_secs,
        total.store_secs
    );
    let by: Vec<String> = total
        .by_mutation
        .iter()
        .map(|(m, (n, ok))| format!("{m} {n} ({ok} loaded)"))
        .collect();
    eprintln!("by mutation: {}", by.join(", "));
    eprintln!("findings: {}", findings.len());
    for f in findings.iter().take(50) {
        eprintln!("  {f}");
    }
}

#[test]
fn every_importer_loads_or_names_file_and_place_for_corrupted_sources() {
    let dir = require_sources!();
    let started = std::time::Instant::now();
    // The failing loads go into a copy: never into the store the other tests read.
    let Some(db) = &util::loaded_copy() else {
        return;
    };
    eprintln!(
        "good sources loaded (and copied) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let manifest = Manifest::builtin().expect("manifest");
    let scale = env_usize("CROSSWALK_MUTATIONS");
    LONG_RUN.store(scale.is_some(), std::sync::atomic::Ordering::Relaxed);
    let seed = env_usize("CROSSWALK_MUTATION_SEED").map_or(SEED, |s| s as u64);
    let run = Run {
        db,
        manifest: &manifest,
        sources: &dir,
        seed,
        verbose: std::env::var_os("CROSSWALK_MUTATION_VERBOSE").is_some(),
        before: digest(db),
    };
    eprintln!(
        "store digest of {} quads in {:.1} s",
        run.before.0,
        started.elapsed().as_secs_f64()
    );
    let mut tallies = Vec::new();
    let mut findings = Findings::new();
    // One source (or user set, `user/mutated-N`) alone, to reproduce a finding.
    let only = std::env::var("CROSSWALK_MUTATION_ONLY").ok();
    let skip = |id: &str| only.as_deref().is_some_and(|o| o != id);
    for (i, s) in manifest.source.iter().enumerate() {
        let Some(files) = read_source(&dir, s).filter(|_| !skip(&s.id)) else {
            continue;
        };
        let big = files.iter().map(|f| decoded_size(&f.bytes)).sum::<usize>() > 1 << 20;
        let cases = scale.unwrap_or(if big { CASES_BIG } else { CASES });
        let checks = scale.map_or(STORE_CHECKS, |n| (n / 50).max(STORE_CHECKS));
        let mut t = Tally::default();
        run.source(i, s, &files, (cases, checks), &mut t, &mut findings);
        tallies.push((s.id.clone(), t));
    }
    // The user-set importers (SSSOM, OLIR CSV, OSCAL mapping) read the OLIR set as crosswalk
    // exports it: generated here in memory from the loaded store, never written to the repo.
    const OLIR: &str = "https://w3id.org/crosswalk/doc/mapping/olir-186-csf-2.0-to-sp800-53-5.2.0";
    let exports: [(&str, Vec<u8>); 3] = [
        (
            "olir.sssom.tsv",
            crosswalk::answer::export::sssom(db, OLIR)
                .expect("sssom")
                .into_bytes(),
        ),
        (
            "olir.csv",
            crosswalk::answer::export::csv(db, OLIR)
                .expect("csv")
                .into_bytes(),
        ),
        ("olir.json", {
            let mut doc = crosswalk::answer::export::oscal_mapping(db, OLIR).expect("oscal");
            // The export's timestamp, fixed: the same seed must give the same cases.
            if let Some(t) = doc.pointer_mut("/mapping-collection/metadata/last-modified") {
                *t = Value::from("2026-01-01T00:00:00Z");
            }
            serde_json::to_vec_pretty(&doc).expect("json")
        }),
    ];
    for (k, (name, bytes)) in exports.into_iter().enumerate() {
        let spec = crosswalk::load::user_set::Spec {
            file: PathBuf::from(name),
            name: Some(format!("mutated-{k}")),
            focal: "csf".into(),
            reference: "sp800-53".into(),
            reference_version: Some("5.2.0".into()),
            status: crosswalk::source::manifest::DocStatus::Draft,
        };
        let source = crosswalk::load::user_set::source(&spec).expect("user source");
        if skip(&source.id) {
            continue;
        }
        let files = vec![InputFile {
            path: PathBuf::from(name),
            sha256: load::sha256_hex(&bytes),
            bytes,
            role: None,
        }];
        let mut t = Tally::default();
        // Store-level checks need a manifest entry; the built-in sources cover that path.
        run.source(
            1000 + k,
            &source,
            &files,
            (scale.unwrap_or(CASES), 0),
            &mut t,
            &mut findings,
        );
        tallies.push((source.id.clone(), t));
    }
    report(&tallies, &findings);
    assert!(
        tallies.iter().map(|(_, t)| t.cases).sum::<usize>() > 0,
        "no source was found to mutate"
    );
    assert!(
        findings.is_empty(),
        "{} findings (see above)",
        findings.len()
    );
}
