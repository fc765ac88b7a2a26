//! Full-text search over the elements' text (notations, titles, statements, guidance, the
//! Playbook, the Cyber AI Profile's considerations, GenAI actions and risks, COSAiS
//! tailoring): Okapi BM25 over lower-cased, lightly stemmed words, with phrase (`"…"`) and
//! prefix (`word*`) terms and a highlighted snippet. The index is built from the store by one
//! named query (`search-documents`) each time it is asked for, so it is always in step with
//! the store and works unchanged on a remote endpoint; it is beside the named queries, not in
//! them.
pub mod suggest;

use crate::model::error::{Error, Result};
use crate::query::{Sparql, named, term_text};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One searchable element: its text fields, joined.
#[derive(Debug, Clone)]
struct Doc {
    iri: String,
    notation: String,
    kind: String,
    scheme: String,
    document: String,
    title: String,
    /// The parent's title (family, category).
    parent: String,
    /// (field, text) in the order the store gave them.
    fields: Vec<(String, String)>,
    /// Stemmed tokens of notation, title and parent title (the head, scored as its own field).
    head: Vec<String>,
    /// Stemmed tokens of every other field (the body).
    tokens: Vec<String>,
}

/// The index: documents and, per term, (document, term frequency).
pub struct Index {
    docs: Vec<Doc>,
    /// Per field (0 head, 1 body): term → (document, frequency), and the mean length.
    postings: [HashMap<String, Vec<(usize, u32)>>; 2],
    avg_len: [f64; 2],
}

/// How much a match in the head counts against one in the body (BM25F-style field weight).
const HEAD_WEIGHT: f64 = 2.0;

/// A search hit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub notation: String,
    pub title: String,
    pub kind: String,
    pub scheme: String,
    pub document: String,
    pub iri: String,
    pub score: f64,
    /// Which field the snippet is from.
    pub field: String,
    /// The best-matching passage, matches between `[` and `]`.
    pub snippet: String,
}

/// The kind as `--kind` takes it: `Suggested action` → `suggested-action`.
pub fn kind_slug(kind: &str) -> String {
    kind.to_lowercase().replace(' ', "-")
}

/// Lower-cased words (letters and digits), lightly stemmed: `poisoning` and `poisoned` meet
/// `poison`, `controls` meets `control`.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stem(&w.to_lowercase()))
        .collect()
}

fn stem(w: &str) -> String {
    for suf in ["ings", "ing", "ies", "ed", "es", "s"] {
        if let Some(base) = w.strip_suffix(suf)
            && base.chars().count() >= 3
        {
            return match suf {
                "ies" => format!("{base}y"),
                "es" if !(base.ends_with('s')
                    || base.ends_with('x')
                    || base.ends_with("ch")
                    || base.ends_with("sh")) =>
                {
                    format!("{base}e")
                }
                _ => base.to_owned(),
            };
        }
    }
    w.to_owned()
}

/// A parsed query: words, phrases (consecutive words) and prefixes.
#[derive(Debug, Default)]
struct Query {
    terms: Vec<String>,
    phrases: Vec<Vec<String>>,
    prefixes: Vec<String>,
}

fn parse(q: &str) -> Query {
    let mut out = Query::default();
    for (i, part) in q.split('"').enumerate() {
        if i % 2 == 1 {
            let t = tokens(part);
            if t.len() > 1 {
                out.phrases.push(t.clone());
            }
            out.terms.extend(t);
            continue;
        }
        for w in part.split_whitespace() {
            if let Some(p) = w.strip_suffix('*') {
                out.prefixes.extend(
                    p.split(|c: char| !c.is_alphanumeric())
                        .filter(|s| !s.is_empty())
                        .map(str::to_lowercase),
                );
            } else {
                out.terms.extend(tokens(w));
            }
        }
    }
    out
}

impl Index {
    /// The index of the store as it is now: on the embedded store built once and kept until
    /// the store is written (a server answers every search after the first from it: building
    /// reads ~9k elements' text, ~3 s in a release build), elsewhere built for the call.
    pub fn of(on: &dyn Sparql) -> Result<std::sync::Arc<Index>> {
        match on.store() {
            Some(db) => db.cached(|| Index::build(on)),
            None => Ok(std::sync::Arc::new(Index::build(on)?)),
        }
    }

    /// Builds the index from the store (or endpoint) as it is now.
    pub fn build(on: &dyn Sparql) -> Result<Index> {
        let sol = named("search-documents")?.run(on, &[])?;
        let mut docs: Vec<Doc> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for r in 0..sol.rows.len() {
            let get = |v: &str| sol.get(r, v).map(term_text).unwrap_or_default();
            let iri = get("element");
            let i = *at.entry(iri.clone()).or_insert_with(|| {
                docs.push(Doc {
                    iri,
                    notation: get("notation"),
                    kind: get("kind"),
                    scheme: get("scheme"),
                    document: get("documentTitle"),
                    title: String::new(),
                    parent: String::new(),
                    fields: Vec::new(),
                    head: Vec::new(),
                    tokens: Vec::new(),
                });
                docs.len() - 1
            });
            let (field, text) = (get("field"), get("text"));
            if field == "title" && docs[i].title.is_empty() {
                docs[i].title = text.clone();
            }
            // A parent's title scores but is never the snippet.
            if field == "parent" {
                docs[i].parent.push_str(&text);
                docs[i].parent.push(' ');
            } else if !docs[i]
                .fields
                .iter()
                .any(|(f, t)| *f == field && *t == text)
            {
                docs[i].fields.push((field, text));
            }
        }
        let mut postings: [HashMap<String, Vec<(usize, u32)>>; 2] = Default::default();
        let mut total = [0usize; 2];
        for (i, d) in docs.iter_mut().enumerate() {
            let mut head = tokens(&d.notation);
            head.extend(tokens(&d.title));
            head.extend(tokens(&d.parent));
            let mut body = Vec::new();
            for (f, text) in &d.fields {
                if f != "title" {
                    body.extend(tokens(text));
                }
            }
            for (field, t) in [&head, &body].into_iter().enumerate() {
                total[field] += t.len();
                let mut tf: HashMap<&str, u32> = HashMap::new();
                for w in t {
                    *tf.entry(w).or_default() += 1;
                }
                for (w, n) in tf {
                    postings[field]
                        .entry(w.to_owned())
                        .or_default()
                        .push((i, n));
                }
            }
            d.head = head;
            d.tokens = body;
        }
        let n = docs.len().max(1) as f64;
        let avg_len = [
            (total[0] as f64 / n).max(1.0),
            (total[1] as f64 / n).max(1.0),
        ];
        Ok(Index {
            docs,
            postings,
            avg_len,
        })
    }

    /// The schemes and kinds (slugs) the index holds, sorted.
    pub fn names(&self) -> (Vec<String>, Vec<String>) {
        let s: BTreeSet<String> = self.docs.iter().map(|d| d.scheme.clone()).collect();
        let k: BTreeSet<String> = self.docs.iter().map(|d| kind_slug(&d.kind)).collect();
        (s.into_iter().collect(), k.into_iter().collect())
    }

    /// The `limit` best hits for `q`, only in `schemes` and `kinds` when given (each checked:
    /// an unknown one is an error listing the known ones).
    pub fn search(
        &self,
        q: &str,
        schemes: &[String],
        kinds: &[String],
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let (known_s, known_k) = self.names();
        for (given, known, what) in [(schemes, &known_s, "scheme"), (kinds, &known_k, "kind")] {
            for g in given {
                if !known.iter().any(|k| k.eq_ignore_ascii_case(g)) {
                    return Err(Error::Unknown {
                        kind: what,
                        given: g.clone(),
                        hint: format!("; known: {}", known.join(", ")),
                    });
                }
            }
        }
        let query = parse(q);
        if query.terms.is_empty() && query.prefixes.is_empty() {
            return Err(Error::Invalid(format!("`{q}`: no word to search for")));
        }
        let n = self.docs.len() as f64;
        let mut scores: HashMap<usize, f64> = HashMap::new();
        // Which query words each document matched: the score is scaled by the share matched
        // (Lucene's coordination factor), so one common word in a title does not beat both.
        let mut matched: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        let words = query.terms.len() + query.prefixes.len();
        let add = |field: usize, postings: &[(usize, u32)], scores: &mut HashMap<usize, f64>| {
            let df = postings.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            let weight = if field == 0 { HEAD_WEIGHT } else { 1.0 };
            for &(d, tf) in postings {
                let doc = &self.docs[d];
                let len = if field == 0 {
                    doc.head.len()
                } else {
                    doc.tokens.len()
                } as f64;
                let tf = f64::from(tf);
                let s =
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len[field]));
                *scores.entry(d).or_default() += weight * s;
            }
        };
        for field in 0..2 {
            for (w, t) in query.terms.iter().enumerate() {
                if let Some(p) = self.postings[field].get(t) {
                    add(field, p, &mut scores);
                    for (d, _) in p {
                        matched.entry(*d).or_default().insert(w);
                    }
                }
            }
            for (w, p) in query.prefixes.iter().enumerate() {
                let mut merged: HashMap<usize, u32> = HashMap::new();
                for (term, post) in &self.postings[field] {
                    if term.starts_with(p.as_str()) {
                        for &(d, tf) in post {
                            *merged.entry(d).or_default() += tf;
                        }
                    }
                }
                let v: Vec<(usize, u32)> = merged.into_iter().collect();
                add(field, &v, &mut scores);
                for (d, _) in &v {
                    matched.entry(*d).or_default().insert(query.terms.len() + w);
                }
            }
        }
        for (d, s) in scores.iter_mut() {
            let m = matched.get(d).map_or(0, BTreeSet::len);
            *s *= m as f64 / words as f64;
        }
        let mut hits: Vec<(usize, f64)> = scores
            .into_iter()
            .filter(|(d, _)| {
                let doc = &self.docs[*d];
                (schemes.is_empty() || schemes.iter().any(|s| s.eq_ignore_ascii_case(&doc.scheme)))
                    && (kinds.is_empty()
                        || kinds
                            .iter()
                            .any(|k| k.eq_ignore_ascii_case(&kind_slug(&doc.kind))))
                    && query.phrases.iter().all(|ph| {
                        contains_phrase(&doc.head, ph) || contains_phrase(&doc.tokens, ph)
                    })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.docs[a.0].notation.cmp(&self.docs[b.0].notation))
        });
        hits.truncate(limit);
        Ok(hits
            .into_iter()
            .map(|(d, score)| {
                let doc = &self.docs[d];
                let (field, snippet) = snippet(doc, &query);
                Hit {
                    notation: doc.notation.clone(),
                    title: doc.title.clone(),
                    kind: doc.kind.clone(),
                    scheme: doc.scheme.clone(),
                    document: doc.document.clone(),
                    iri: doc.iri.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                    field,
                    snippet,
                }
            })
            .collect())
    }
}

fn contains_phrase(tokens: &[String], phrase: &[String]) -> bool {
    tokens.windows(phrase.len()).any(|w| w == phrase)
}

/// The field passage with the most query words, about 30 words around the first match, the
/// matching words in brackets.
fn snippet(doc: &Doc, q: &Query) -> (String, String) {
    let matches = |w: &str| {
        let s = stem(&w.to_lowercase());
        q.terms.contains(&s)
            || q.prefixes
                .iter()
                .any(|p| w.to_lowercase().starts_with(p.as_str()))
    };
    let mut best: Option<(usize, &str, &str)> = None;
    for (f, text) in &doc.fields {
        let n = text
            .split_whitespace()
            .filter(|w| matches(w.trim_matches(|c: char| !c.is_alphanumeric())))
            .map(|w| {
                stem(
                    &w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase(),
                )
            })
            .collect::<BTreeSet<_>>()
            .len();
        if n > 0 && best.is_none_or(|(b, _, _)| n > b) {
            best = Some((n, f, text));
        }
    }
    let Some((_, field, text)) = best else {
        return ("notation".into(), doc.notation.clone());
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    // The window with the most distinct query words, then the first such.
    let key = |w: &str| {
        stem(
            &w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase(),
        )
    };
    let mut first = 0;
    let mut most = 0;
    for i in 0..words.len() {
        if !matches(words[i].trim_matches(|c: char| !c.is_alphanumeric())) {
            continue;
        }
        let distinct: BTreeSet<String> = words[i..(i + 12).min(words.len())]
            .iter()
            .filter(|w| matches(w.trim_matches(|c: char| !c.is_alphanumeric())))
            .map(|w| key(w))
            .collect();
        if distinct.len() > most {
            most = distinct.len();
            first = i;
        }
    }
    let from = first.saturating_sub(10);
    let to = (first + 20).min(words.len());
    let mut out: Vec<String> = Vec::new();
    for w in &words[from..to] {
        let core = w.trim_matches(|c: char| !c.is_alphanumeric());
        if !core.is_empty() && matches(core) {
            out.push(w.replacen(core, &format!("[{core}]"), 1));
        } else {
            out.push((*w).to_owned());
        }
    }
    let pre = if from > 0 { "… " } else { "" };
    let post = if to < words.len() { " …" } else { "" };
    (field.to_owned(), format!("{pre}{}{post}", out.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_meet() {
        assert_eq!(
            tokens("Poisoning poisoned poisons"),
            ["poison", "poison", "poison"]
        );
        assert_eq!(tokens("policies"), ["policy"]);
    }

    #[test]
    fn parses_phrases_and_prefixes() {
        let q = parse("\"supply chain\" poison*");
        assert_eq!(q.phrases, [vec!["supply".to_owned(), "chain".to_owned()]]);
        assert_eq!(q.prefixes, ["poison"]);
    }
}
