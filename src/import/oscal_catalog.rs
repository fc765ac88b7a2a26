//! OSCAL catalog JSON (any OSCAL 1.x catalog: CSF 2.0, SP 800-53 Rev 5 5.0.x–5.2.x, resolved
//! baseline catalogs). Groups, controls, nested controls, props, parts, params and links.
use super::context::{Ctx, Output, document};
use super::oscal::{Catalog, CatalogFile, Control, Group, Link, Param, Part, parse_json, prop};
use crate::model::error::Result;
use crate::model::ids::{self, canonical_notation};
use crate::model::term::Builder;
use crate::model::vocab::{cw, dcterms};
use oxigraph::model::NamedNode;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    let f = ctx.file(None)?;
    let file: CatalogFile = parse_json(&f.path, &f.bytes)?;
    let cat = file.catalog;
    let meta = &ctx.source.document;
    let mut out = Output::default();
    let doc = document(&mut out.triples, meta, ctx);
    out.triples
        .text(&doc, dcterms::MODIFIED, &cat.metadata.last_modified);
    out.triples.text(&doc, dcterms::IDENTIFIER, &cat.uuid);
    out.triples.text(
        &doc,
        dcterms::DESCRIPTION,
        &format!(
            "OSCAL catalog \"{}\", content version {}, OSCAL {}",
            cat.metadata.title, cat.metadata.version, cat.metadata.oscal_version
        ),
    );
    if meta.scheme == "sp800-53" && cat.metadata.version != meta.version {
        out.warnings.push(format!(
            "{}: catalog metadata version is {}, the manifest expects {}",
            f.path.display(),
            cat.metadata.version,
            meta.version
        ));
    }
    out.documents.push(doc.clone());

    let mut w = Walker {
        doc_id: &meta.id,
        doc,
        b: Builder::default(),
        params: HashMap::new(),
        ids: HashSet::new(),
        links: Vec::new(),
    };
    collect_params(&cat, &mut w.params);
    for (i, g) in cat.groups.iter().enumerate() {
        w.group(g, None, &format!("{:05}", i + 1));
    }
    for (i, c) in cat.controls.iter().enumerate() {
        w.control(c, None, None, 0, &format!("c{:05}", i + 1));
    }
    // Links are emitted after the walk so that targets can be checked against every id.
    let links = std::mem::take(&mut w.links);
    for (from, rel, target) in links {
        if !w.ids.contains(&target) {
            out.warnings.push(format!(
                "{}: link {rel} from {} to `{target}`, which the catalog does not define (kept)",
                f.path.display(),
                from.as_str()
            ));
        }
        let p = match rel.as_str() {
            "related" => cw::RELATED,
            "required" => cw::REQUIRES,
            "incorporated-into" | "incorporated_into" => cw::INCORPORATED_INTO,
            "moved-to" | "moved_to" => cw::MOVED_TO,
            _ => continue,
        };
        w.b.add(from, p, ids::element_iri(w.doc_id, &target));
    }
    out.triples.triples.extend(w.b.triples);
    Ok(out)
}

struct Walker<'a> {
    doc_id: &'a str,
    doc: NamedNode,
    b: Builder,
    /// Param id → how NIST prints it inside prose (`[Assignment: …]`, `[Selection: …]`).
    params: HashMap<String, String>,
    /// Every id the catalog defines (elements, items, params), for link checking.
    ids: HashSet<String>,
    links: Vec<(NamedNode, String, String)>,
}

fn collect_params(cat: &Catalog, out: &mut HashMap<String, String>) {
    fn from_params(ps: &[Param], out: &mut HashMap<String, String>) {
        for p in ps {
            let shown = match (&p.select, &p.label) {
                (Some(sel), _) => {
                    let how = match sel.how_many.as_deref() {
                        Some("one-or-more") => " (one or more)",
                        _ => "",
                    };
                    format!("[Selection{how}: {}]", sel.choice.join("; "))
                }
                (None, Some(l)) => format!("[Assignment: {l}]"),
                (None, None) => format!("[{}]", p.id),
            };
            out.insert(p.id.clone(), shown);
        }
    }
    fn from_controls(cs: &[Control], out: &mut HashMap<String, String>) {
        for c in cs {
            from_params(&c.params, out);
            from_controls(&c.controls, out);
        }
    }
    fn from_groups(gs: &[Group], out: &mut HashMap<String, String>) {
        for g in gs {
            from_params(&g.params, out);
            from_controls(&g.controls, out);
            from_groups(&g.groups, out);
        }
    }
    from_params(&cat.params, out);
    from_controls(&cat.controls, out);
    from_groups(&cat.groups, out);
}

static INSERT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}").expect("static regex")
});

/// The notation NIST prints: the `label` prop when it spells the id (`AC-2(1)`), else the id in
/// canonical spelling (`AC`, `GV.OC`; CSF labels such as "Organizational Context (GV.OC)" are
/// titles, not notations).
fn notation(id: &str, label: Option<&str>) -> String {
    let canon = canonical_notation(id);
    match label {
        Some(l) if canonical_notation(l) == canon => l.trim().to_owned(),
        _ => canon,
    }
}

impl Walker<'_> {
    fn prose(&self, text: &str) -> String {
        INSERT
            .replace_all(text, |c: &regex::Captures<'_>| {
                self.params
                    .get(&c[1])
                    .cloned()
                    .unwrap_or_else(|| format!("[{}]", &c[1]))
            })
            .into_owned()
    }

    fn group(&mut self, g: &Group, parent: Option<&NamedNode>, sort: &str) {
        let id = g.id.clone().unwrap_or_else(|| format!("group-{sort}"));
        let class = match g.class.as_deref() {
            Some("function") => cw::FUNCTION,
            Some("category") => cw::CATEGORY,
            _ => cw::CONTROL_FAMILY,
        };
        let iri = ids::element_iri(self.doc_id, &id);
        self.ids.insert(id.clone());
        let notation = notation(&id, None);
        self.b.element(&iri, class, &self.doc, &notation, &id);
        self.b.title(&iri, &g.title);
        self.b.text(
            &iri,
            cw::SORT_KEY,
            prop(&g.props, "sort-id").unwrap_or(sort),
        );
        if let Some(p) = parent {
            self.b.add(iri.clone(), cw::PARENT, p.clone());
        }
        self.common(&iri, &notation, &g.props, &g.links, &g.parts, &g.params);
        for (i, sub) in g.groups.iter().enumerate() {
            self.group(sub, Some(&iri), &format!("{sort}.{:05}", i + 1));
        }
        for (i, c) in g.controls.iter().enumerate() {
            self.control(
                c,
                Some(&iri),
                g.class.as_deref(),
                0,
                &format!("{sort}.{:05}", i + 1),
            );
        }
    }

    fn control(
        &mut self,
        c: &Control,
        parent: Option<&NamedNode>,
        parent_class: Option<&str>,
        depth: usize,
        sort: &str,
    ) {
        let class = match c.class.as_deref() {
            Some("subcategory") => cw::SUBCATEGORY,
            Some("category") => cw::CATEGORY,
            Some("SP800-53") => cw::CONTROL,
            Some("SP800-53-enhancement") => cw::CONTROL_ENHANCEMENT,
            // CSF-like catalogs without a class: categories under functions.
            _ if parent_class == Some("function") => cw::CATEGORY,
            _ if depth == 0 => cw::CONTROL,
            _ => cw::CONTROL_ENHANCEMENT,
        };
        let iri = ids::element_iri(self.doc_id, &c.id);
        self.ids.insert(c.id.clone());
        let notation = notation(&c.id, prop(&c.props, "label"));
        self.b.element(&iri, class, &self.doc, &notation, &c.id);
        // CSF subcategories repeat their id as title; the statement is their text.
        if c.title != c.id {
            self.b.title(&iri, &c.title);
        }
        self.b.text(
            &iri,
            cw::SORT_KEY,
            prop(&c.props, "sort-id").unwrap_or(sort),
        );
        if let Some(p) = parent {
            self.b.add(iri.clone(), cw::PARENT, p.clone());
        }
        self.common(&iri, &notation, &c.props, &c.links, &c.parts, &c.params);
        for (i, sub) in c.controls.iter().enumerate() {
            self.control(
                sub,
                Some(&iri),
                c.class.as_deref(),
                depth + 1,
                &format!("{sort}.{:05}", i + 1),
            );
        }
    }

    fn common(
        &mut self,
        iri: &NamedNode,
        notation: &str,
        props: &[super::oscal::Prop],
        links: &[Link],
        parts: &[Part],
        params: &[Param],
    ) {
        for p in props {
            match p.name.as_str() {
                "status" if p.value == "withdrawn" => self.b.iri(iri, cw::STATUS, cw::WITHDRAWN),
                "risk-party" => self.b.text(iri, cw::RISK_PARTY, &p.value),
                _ => {}
            }
        }
        for l in links {
            let Some(rel) = &l.rel else { continue };
            if rel == "reference" {
                continue; // back-matter citations, not elements
            }
            let target = l.href.trim_start_matches('#').to_owned();
            self.links.push((iri.clone(), rel.clone(), target));
        }
        let mut examples = 0;
        for part in parts {
            match part.name.as_str() {
                "statement" | "overview" => {
                    let text = self.render(part);
                    self.b.text(iri, cw::STATEMENT, &text);
                    for item in &part.parts {
                        self.item(item, iri, notation, "");
                    }
                }
                "guidance" => {
                    let text = self.render(part);
                    self.b.text(iri, cw::GUIDANCE, &text);
                }
                "example" => {
                    examples += 1;
                    let local = part
                        .id
                        .clone()
                        .unwrap_or_else(|| format!("{notation}.ex{examples}"));
                    let ex = ids::element_iri(self.doc_id, &local);
                    self.ids.insert(local.clone());
                    self.b.element(
                        &ex,
                        cw::IMPLEMENTATION_EXAMPLE,
                        &self.doc,
                        &format!("{notation} Ex{examples}"),
                        &local,
                    );
                    self.b.text(
                        &ex,
                        cw::STATEMENT,
                        &self.prose(part.prose.as_deref().unwrap_or("")),
                    );
                    self.b.text(&ex, cw::SORT_KEY, &format!("{examples:03}"));
                    self.b.add(ex.clone(), cw::PARENT, iri.clone());
                    self.b.add(iri.clone(), cw::EXAMPLE, ex);
                }
                "assessment-objective" | "objective" => self.objective(part, iri, notation),
                "assessment-method" => {
                    if let Some(m) = prop(&part.props, "method") {
                        self.b.text(iri, cw::ASSESSMENT_METHOD, m);
                    }
                }
                _ => {}
            }
        }
        for p in params {
            let local = p.id.clone();
            let piri = ids::element_iri(self.doc_id, &local);
            self.ids.insert(local.clone());
            self.b
                .element(&piri, cw::PARAMETER, &self.doc, &local, &local);
            self.b.add(piri.clone(), cw::PARENT, iri.clone());
            self.b.add(iri.clone(), cw::PARAMETER_PROP, piri.clone());
            if let Some(l) = &p.label {
                self.b.text(&piri, cw::PARAM_LABEL, l);
            }
            for g in &p.guidelines {
                let t = self.prose(&g.prose);
                self.b.text(&piri, cw::PARAM_GUIDELINE, &t);
            }
            if let Some(sel) = &p.select {
                if let Some(h) = &sel.how_many {
                    self.b.text(&piri, cw::PARAM_HOW_MANY, h);
                }
                for ch in &sel.choice {
                    let t = self.prose(ch);
                    self.b.text(&piri, cw::PARAM_CHOICE, &t);
                }
            }
        }
    }

    /// A statement item becomes an element of its own: withdrawn controls are incorporated
    /// into items (`AC-2(10)` → `AC-2 k.`).
    fn item(&mut self, part: &Part, parent: &NamedNode, control_notation: &str, prefix: &str) {
        if part.name != "item" {
            return;
        }
        let label = prop(&part.props, "label").unwrap_or("");
        let chain = format!("{prefix}{label}");
        let Some(id) = &part.id else { return };
        let iri = ids::element_iri(self.doc_id, id);
        self.ids.insert(id.clone());
        self.b.element(
            &iri,
            cw::STATEMENT_ITEM,
            &self.doc,
            &format!("{control_notation} {chain}"),
            id,
        );
        let text = self.render(part);
        self.b.text(&iri, cw::STATEMENT, &text);
        self.b.add(iri.clone(), cw::PARENT, parent.clone());
        self.b.text(&iri, cw::SORT_KEY, id);
        for sub in &part.parts {
            self.item(sub, &iri, control_notation, &chain);
        }
    }

    fn objective(&mut self, part: &Part, parent: &NamedNode, notation: &str) {
        let Some(id) = &part.id else { return };
        let iri = ids::element_iri(self.doc_id, id);
        self.ids.insert(id.clone());
        let label = prop(&part.props, "label")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{notation} {id}"));
        self.b
            .element(&iri, cw::ASSESSMENT_OBJECTIVE, &self.doc, &label, id);
        if let Some(p) = &part.prose {
            let t = self.prose(p);
            self.b.text(&iri, cw::STATEMENT, &t);
        }
        self.b.add(iri.clone(), cw::PARENT, parent.clone());
        self.b.text(&iri, cw::SORT_KEY, id);
        for sub in &part.parts {
            if sub.name == "assessment-objective" || sub.name == "objective" {
                self.objective(sub, &iri, notation);
            }
        }
    }

    /// Prose of a part with its items, labelled and indented as NIST prints them.
    fn render(&self, part: &Part) -> String {
        let mut s = String::new();
        self.render_into(part, 0, &mut s);
        s.trim().to_owned()
    }

    fn render_into(&self, part: &Part, depth: usize, s: &mut String) {
        let label = prop(&part.props, "label");
        if part.prose.is_some() || label.is_some() {
            if !s.is_empty() {
                s.push('\n');
            }
            for _ in 1..depth.max(1) {
                s.push_str("  ");
            }
            if let Some(l) = label {
                s.push_str(l);
                s.push(' ');
            }
            if let Some(p) = &part.prose {
                s.push_str(&self.prose(p));
            }
        }
        for sub in &part.parts {
            if sub.name == "item" || sub.name == "statement" {
                self.render_into(sub, depth + 1, s);
            }
        }
    }
}
