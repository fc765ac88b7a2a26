//! The page's views (the Cyber AI Profile matrix, coverage bars, the neighbourhood graph,
//! results tables with notations) in headless Chromium: `crosswalk serve` on loopback over the
//! store loaded from the real sources, each view opened by its address (`/#matrix…`,
//! `/#coverage?…`, `/#graph=…`, `/#named=…`), the DOM after its scripts ran (`--dump-dom`)
//! checked against the store, and a screenshot of each saved in `CROSSWALK_SCREENSHOTS`
//! (default: `views-screens` in the cargo target directory). Chromium missing: skipped with a
//! message, a failure under `CI=true` (.ci/test installs Debian's `chromium`).
use crate::util;
use crosswalk::answer::{CoverageRequest, MapRequest};
use crosswalk::serve::Config;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The browser: `CROSSWALK_CHROMIUM`, else `chromium` / `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CROSSWALK_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but no chromium on the PATH (apt-get install chromium)");
    }
    eprintln!(
        "SKIP: no chromium on the PATH (apt-get install chromium, or set CROSSWALK_CHROMIUM)"
    );
    None
}

/// One server for every test of this module, over the shared loaded store.
fn server() -> Option<&'static str> {
    static BASE: OnceLock<Option<String>> = OnceLock::new();
    BASE.get_or_init(|| util::loaded().map(|db| util::start_server(db.clone(), Config::default())))
        .as_deref()
}

fn screenshots() -> PathBuf {
    if let Some(d) = std::env::var_os("CROSSWALK_SCREENSHOTS") {
        return PathBuf::from(d);
    }
    // The test binary is <target>/debug/deps/it-…: three levels up is the target directory.
    let exe = std::env::current_exe().expect("test binary path");
    let target = exe
        .ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("views-screens")
}

fn run_chromium(browser: &PathBuf, what: &[String], url: &str) -> Vec<u8> {
    // A profile of its own per run: tests run in parallel, and Chromium locks its profile.
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,1800",
            // Virtual time stands still while a request is pending: the budget is spent only
            // once the page is idle, so the views' API calls all finish first.
            "--virtual-time-budget=30000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(what)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium {url}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The page's DOM once its scripts have run.
fn dom(browser: &PathBuf, url: &str) -> String {
    String::from_utf8(run_chromium(browser, &["--dump-dom".to_owned()], url)).expect("UTF-8 DOM")
}

/// Saves a PNG of the view as `<dir>/<name>.png` and checks it is one.
fn screenshot(browser: &PathBuf, url: &str, name: &str) -> PathBuf {
    let dir = screenshots();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let file = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&file);
    run_chromium(browser, &[format!("--screenshot={}", file.display())], url);
    let png = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{}: not a PNG of a drawn page ({} bytes)",
        file.display(),
        png.len()
    );
    eprintln!("screenshot: {}", file.display());
    file
}

/// The part of `html` inside the element with this id (up to the next element with an id
/// among `ends`, or the end).
fn section<'a>(html: &'a str, id: &str, ends: &[&str]) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &html[start..];
    let end = ends
        .iter()
        .filter_map(|e| rest.find(&format!("id=\"{e}\"")))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The value of `attr="…"` in every tag of `html` that has it.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let v = &html[i + pat.len()..];
            v[..v.find('"').unwrap_or(v.len())].to_owned()
        })
        .collect()
}

/// Text as the DOM serializer writes it inside an element.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// (focus, priority) → cells, counted from the profile's entries in the store.
fn profile_counts(db: &crosswalk::store::Db) -> BTreeMap<(String, String), usize> {
    use crosswalk::query::Sparql;
    let q = format!(
        "{}SELECT ?focus ?p (COUNT(DISTINCT ?sub) AS ?n) WHERE {{
           ?e a cw:ProfileEntry ; cw:focusArea/skos:notation ?focus ; cw:priority ?p ; cw:profileEntryOf ?sub
         }} GROUP BY ?focus ?p",
        util::PREFIXES
    );
    let s = db.select(&q, &[]).expect("counts");
    let (f, p, n) = (s.strings("focus"), s.strings("p"), s.strings("n"));
    f.into_iter()
        .zip(p)
        .zip(n)
        .map(|((f, p), n)| ((f, p), n.parse().expect("count")))
        .collect()
}

#[test]
fn matrix_shows_the_profile_s_priorities_23_33_50_for_secure() {
    let _ = require_sources!();
    let Some(browser) = chromium() else { return };
    let db = util::loaded().expect("loaded");
    let base = server().expect("server");
    let want = profile_counts(db);
    // IR 8596 iprd's Secure column: 23 High, 33 Moderate, 50 Foundational (106 subcategories).
    for (p, n) in [("1", 23), ("2", 33), ("3", 50)] {
        assert_eq!(
            want[&("Secure".to_owned(), p.to_owned())],
            n,
            "store, Secure/{p}"
        );
    }
    let html = dom(&browser, &format!("{base}/#matrix"));
    let grid = section(&html, "matrix-grid", &["matrix-detail"]);
    let mut cells: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in attrs(grid, "data-cell") {
        let (f, p) = c.split_once('/').expect("focus/priority");
        *cells.entry((f.to_owned(), p.to_owned())).or_default() += 1;
    }
    assert_eq!(cells, want, "cells per focus area and priority");
    // The count table above the grid says the same.
    let counts = section(&html, "matrix-counts", &["matrix-grid"]);
    for ((f, p), n) in &want {
        assert!(
            counts.contains(&format!("data-count=\"{f}/{p}\">{n}<")),
            "count {f}/{p} = {n} not in {counts}"
        );
    }
    screenshot(&browser, &format!("{base}/#matrix"), "matrix");

    // Filtered by function: only GV's subcategories, three cells each.
    let gv = util::count(
        db,
        &format!(
            "{}SELECT (COUNT(DISTINCT ?sub) AS ?n) WHERE {{ ?e a cw:ProfileEntry ; cw:profileEntryOf ?sub .
               ?sub cw:parent/cw:parent/skos:notation \"GV\" }}",
            util::PREFIXES
        ),
    );
    assert_eq!(gv, 31, "GV subcategories in the profile");
    let cell = "GV.OC-04/Secure";
    let url = format!("{base}/#matrix?function=GV&cell={cell}");
    let html = dom(&browser, &url);
    let grid = section(&html, "matrix-grid", &["matrix-detail"]);
    assert_eq!(attrs(grid, "data-cell").len(), 3 * gv, "GV cells");
    assert!(
        !attrs(grid, "data-id")
            .iter()
            .any(|id| !id.starts_with("GV.")),
        "a subcategory outside GV is shown"
    );
    // The chosen cell opens its considerations and references, as the store has them.
    let detail = section(&html, "matrix-detail", &[]);
    let considerations = util::column(
        db,
        &format!(
            "{}SELECT ?c WHERE {{ ?e cw:profileEntryOf/skos:notation \"GV.OC-04\" ;
               cw:focusArea/skos:notation \"Secure\" ; cw:considerations ?c }}",
            util::PREFIXES
        ),
        "c",
    );
    assert_eq!(considerations.len(), 1);
    assert!(
        detail.contains(&escaped(&considerations[0])),
        "considerations not in {detail}"
    );
    let refs = util::column(
        db,
        &format!(
            "{}SELECT ?r WHERE {{ ?e cw:profileEntryOf/skos:notation \"GV.OC-04\" ;
               cw:focusArea/skos:notation \"Secure\" ; cw:references ?r }}",
            util::PREFIXES
        ),
        "r",
    );
    assert!(!refs.is_empty());
    for r in &refs {
        assert!(detail.contains(&escaped(r)), "reference {r} not shown");
    }
    assert!(
        detail.contains(&format!("References ({})", refs.len())),
        "{detail}"
    );
    screenshot(&browser, &url, "matrix-gv-cell");
}

/// A focal CSF notation's function (`GV.OC-01` → `GV`), as the page groups bars.
fn function_of(notation: &str) -> String {
    notation.split('.').next().unwrap_or(notation).to_owned()
}

#[test]
fn coverage_picture_has_a_bar_per_function_and_its_gap_list() {
    let _ = require_sources!();
    let Some(browser) = chromium() else { return };
    let db = util::loaded().expect("loaded");
    let base = server().expect("server");
    let cov = CoverageRequest {
        from: "csf".into(),
        to: "sp800-53".into(),
        set: Some("olir-186".into()),
        baseline: Some("MODERATE".into()),
        ..Default::default()
    }
    .answer(db)
    .expect("coverage");
    assert_eq!((cov.covered, cov.total), (97, 106));
    let mut want: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &cov.rows {
        let e = want.entry(function_of(&r.focal)).or_default();
        if r.covered {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let url = format!(
        "{base}/#coverage?from=csf&to=sp800-53&set=olir-186&baseline=MODERATE&group=function&gaps=GV"
    );
    let html = dom(&browser, &url);
    let chart = section(&html, "coverage-chart", &["coverage-gaps"]);
    let groups = attrs(chart, "data-group");
    let covered = attrs(chart, "data-covered");
    let gaps = attrs(chart, "data-gaps");
    let got: BTreeMap<String, (usize, usize)> = groups
        .iter()
        .zip(covered.iter().zip(&gaps))
        .map(|(g, (c, n))| (g.clone(), (c.parse().expect("n"), n.parse().expect("n"))))
        .collect();
    assert_eq!(got, want, "bars");
    assert_eq!(groups, ["GV", "ID", "PR", "DE", "RS", "RC"], "bar order");
    // Each bar links to its gap list; the one chosen (GV) lists exactly GV's gaps.
    assert!(chart.contains("gaps=GV\""), "{chart}");
    let list = section(&html, "coverage-gaps", &[]);
    let shown: BTreeSet<String> = list
        .split("<tr>")
        .skip(2)
        .filter_map(|row| attrs(row, "data-id").into_iter().next())
        .collect();
    let gv_gaps: BTreeSet<String> = cov
        .rows
        .iter()
        .filter(|r| !r.covered && r.focal.starts_with("GV."))
        .map(|r| r.focal.clone())
        .collect();
    assert_eq!(gv_gaps.len(), want["GV"].1);
    assert_eq!(shown, gv_gaps, "GV gap list");
    screenshot(&browser, &url, "coverage");
}

#[test]
fn graph_draws_mappings_inverses_and_two_hop_paths() {
    let _ = require_sources!();
    let Some(browser) = chromium() else { return };
    let db = util::loaded().expect("loaded");
    let base = server().expect("server");
    // ID.AM-06 (CSF 1.1, withdrawn) reaches most of its targets in two hops.
    let answers = MapRequest {
        id: "ID.AM-06".into(),
        ..Default::default()
    }
    .answer(db)
    .expect("map");
    let hows: BTreeSet<&str> = answers.iter().map(|a| a.how.as_str()).collect();
    assert!(
        hows.contains("path") && hows.contains("inverse"),
        "{hows:?}"
    );
    // One node per element reached; the middle of a two-hop path is the node of the same
    // notation one mapping away when there is one.
    let mut nodes = BTreeSet::new();
    for a in &answers {
        nodes.insert((
            a.target_scheme.clone().unwrap_or_default(),
            a.target.clone(),
        ));
    }
    let one_hop: BTreeSet<&str> = answers
        .iter()
        .filter(|a| a.how != "path")
        .map(|a| a.target.as_str())
        .collect();
    for v in answers.iter().filter_map(|a| a.via.as_deref()) {
        if !one_hop.contains(v) {
            nodes.insert(("via".to_owned(), v.to_owned()));
        }
    }
    let url = format!("{base}/#graph=ID.AM-06");
    let html = dom(&browser, &url);
    let g = section(&html, "graph-svg", &[]);
    assert_eq!(attrs(g, "data-center"), ["ID.AM-06"]);
    assert_eq!(
        attrs(g, "data-node").len(),
        nodes.len(),
        "one node per element reached"
    );
    let drawn: BTreeSet<String> = attrs(g, "data-node").into_iter().collect();
    let want: BTreeSet<String> = nodes.iter().map(|(_, n)| escaped(n)).collect();
    assert_eq!(drawn, want);
    // Edges carry their relationship; inverses and two-hop paths are among them.
    let rels: BTreeSet<String> = attrs(g, "data-edge").into_iter().collect();
    assert!(
        rels.contains("related via") && rels.contains("hop"),
        "{rels:?}"
    );
    assert!(g.contains("stroke-dasharray"), "inverse edges are dashed");
    // Every node links to its own neighbourhood.
    assert!(
        g.contains("href=\"#graph=GV.RR-02\""),
        "GV.RR-02 not clickable"
    );
    screenshot(&browser, &url, "graph");

    // One set only.
    let set = "OLIR CSF 2.0 → SP 800-53 5.2.0";
    let n = answers.iter().filter(|a| a.set == set).count();
    assert!(n > 0);
    let url = format!(
        "{base}/#graph=ID.AM-06&set={}",
        set.replace(' ', "%20").replace('→', "%E2%86%92")
    );
    let html = dom(&browser, &url);
    assert!(
        html.contains(&format!("{n} mappings of ID.AM-06")),
        "status for one set"
    );
}

#[test]
fn results_tables_show_notations_linked_to_cards_with_the_iri_on_hover() {
    let _ = require_sources!();
    let Some(browser) = chromium() else { return };
    let base = server().expect("server");
    let url = format!("{base}/#named=element&element=AC-2");
    let html = dom(&browser, &url);
    let results = section(&html, "named-results", &[]);
    assert!(results.contains("<table"), "no results table: {results}");
    // The element column: notations, each linked to its card, the IRI in the title.
    let iri = "https://w3id.org/crosswalk/id/sp800-53r5/5.0.1/ac-2";
    let tag = format!("title=\"{iri}\"");
    let at = results
        .find(&tag)
        .unwrap_or_else(|| panic!("no link titled {iri}"));
    let a_start = results[..at].rfind("<a ").expect("a link");
    let a = &results[a_start..];
    let a = &a[..a.find("</a>").expect("closed")];
    assert!(a.contains("href=\"#browse=AC-2\""), "{a}");
    assert!(a.ends_with(">AC-2"), "{a}");
    // No IRI is printed as text in a cell.
    assert!(
        !results.contains(">https://"),
        "an IRI shown as text: {results}"
    );
    screenshot(&browser, &url, "results-notations");
}

/// A dangling id (IA-13: named by mappings, defined by no loaded release) shows as a table of
/// the mappings that name it, each other end linked to its card, never as raw JSON.
#[test]
fn a_dangling_id_shows_the_mappings_that_name_it() {
    let _ = require_sources!();
    let Some(browser) = chromium() else { return };
    let db = util::loaded().expect("loaded");
    let base = server().expect("server");
    let crosswalk::answer::card::Shown::Dangling(refs) =
        crosswalk::answer::card::show(db, "IA-13").expect("show")
    else {
        panic!("IA-13 is defined somewhere now");
    };
    assert!(!refs.is_empty());
    let html = dom(&browser, &format!("{base}/#browse=IA-13"));
    let card = section(&html, "browse-card", &["browse-map"]);
    assert!(!card.contains("{\""), "raw JSON in the card: {card}");
    assert_eq!(
        card.matches("<tr>").count(),
        refs.len() + 1,
        "one row per mapping, and the header: {card}"
    );
    let others: BTreeSet<String> = refs.iter().map(|r| r.other.clone()).collect();
    let linked: BTreeSet<String> = attrs(card, "data-id").into_iter().collect();
    assert_eq!(linked, others);
}
