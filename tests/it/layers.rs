//! The library's modules are layers: `src/lib.rs` lists them (`pub mod` lines) from the ground
//! up, and code in one may name `crate::<module>` only for a module listed before it, or its own.
//! `crate::Error` and `crate::Result` (re-exports of `model::error`) count as `model`;
//! `src/lib.rs` and the binary (`src/main.rs` or `src/bin/`, the CLI, above every layer) are exempt. `super::super`, a way
//! round `crate::`, is refused everywhere. Reads the sources only: no build, no dependencies.
use std::path::{Path, PathBuf};

/// The `pub mod` names of `src/lib.rs`, in order: the layers, from the ground up.
fn layers(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(|m| m.trim().to_owned())
        .collect()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `text` with comments, string and character literals blanked to spaces (newlines kept, so
/// positions keep their line): what is left is code.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, from: &[char]| {
        for &ch in from {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
    };
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let start = i;
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r')))
            && (i == 0 || !ident(c[i - 1]))
            && {
                let mut j = i + if c[i] == 'b' { 2 } else { 1 };
                while c.get(j) == Some(&'#') {
                    j += 1;
                }
                c.get(j) == Some(&'"')
            }
        {
            // A raw string: r"..", r#".."#, br"..".
            i += if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c[i] == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|k| c.get(i + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c[i] == '\'' && (c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'')) {
            // A character literal ('x', '\n', '\u{..}'); a lifetime ('a) has no closing quote.
            i += 1;
            while i < c.len() && c[i] != '\'' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let end = i.min(c.len());
        blank(&mut out, &c[start..end]);
        i = end;
    }
    out
}

/// The crate-root names `code` refers to: (line, name) for each `crate::name` and for each
/// item of a `crate::{a::.., b}` group.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = code.chars().collect();
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let word = |at: usize| -> String { c[at..].iter().take_while(|&&ch| ident(ch)).collect() };
    let skip_space = |mut at: usize| {
        while c.get(at).is_some_and(|ch| ch.is_whitespace()) {
            at += 1;
        }
        at
    };
    let line_of = |at: usize| 1 + c[..at].iter().filter(|&&ch| ch == '\n').count();
    let mut found = Vec::new();
    let needle: Vec<char> = "crate".chars().collect();
    let mut i = 0;
    while i + needle.len() < c.len() {
        if c[i..i + needle.len()] != needle[..] || (i > 0 && ident(c[i - 1])) {
            i += 1;
            continue;
        }
        let mut at = skip_space(i + needle.len());
        i += needle.len();
        if c.get(at) != Some(&':') || c.get(at + 1) != Some(&':') {
            continue;
        }
        at = skip_space(at + 2);
        if c.get(at) == Some(&'{') {
            // A group: the first name after `{` and after each `,` at depth one.
            let mut depth = 0;
            let mut expect_name = true;
            while at < c.len() {
                match c[at] {
                    '{' => {
                        depth += 1;
                        expect_name = depth == 1;
                    }
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => expect_name = true,
                    ch if ident(ch) && expect_name && depth == 1 => {
                        let w = word(at);
                        found.push((line_of(at), w.clone()));
                        at += w.len();
                        expect_name = false;
                        continue;
                    }
                    _ => {}
                }
                at += 1;
            }
        } else if c.get(at).is_some_and(|&ch| ident(ch)) {
            found.push((line_of(at), word(at)));
        }
    }
    found
}

/// Every breach of the layering in the `.rs` files under `src` (`lib` is `src/lib.rs`'s text):
/// `file:line: message`, in file order.
fn breaches(root: &Path, lib: &str) -> Vec<String> {
    let layers = layers(lib);
    assert!(
        layers.len() >= 2,
        "src/lib.rs lists no layers (`pub mod` lines): {layers:?}"
    );
    let rank = |m: &str| layers.iter().position(|l| l == m);
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).expect("under the root");
        let shown = rel.display().to_string();
        let under_src = file.strip_prefix(&src).expect("under src");
        let first = under_src
            .components()
            .next()
            .expect("a file name")
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        if first == "lib.rs" || first == "main.rs" || first == "bin" {
            continue;
        }
        let module = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let Some(own) = rank(&module) else {
            found.push(format!(
                "{shown}:1: {module} is not a layer: src/lib.rs has no `pub mod {module};`"
            ));
            continue;
        };
        let code = code_only(&text);
        for (n, line) in code.lines().enumerate() {
            if line.contains("super::super") {
                found.push(format!(
                    "{shown}:{}: `super::super` reaches past its parent; name the module by \
                     `crate::` (which this check can see)",
                    n + 1
                ));
            }
        }
        for (line, name) in crate_paths(&code) {
            let target = match name.as_str() {
                "Error" | "Result" => "model",
                other => other,
            };
            match rank(target) {
                None => found.push(format!(
                    "{shown}:{line}: {module} -> crate::{name}, which is no layer of src/lib.rs"
                )),
                Some(r) if r > own => found.push(format!(
                    "{shown}:{line}: {module} -> {target} runs back up ({module} is below {target})"
                )),
                Some(_) => {}
            }
        }
    }
    found
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    let found = breaches(root, &lib);
    assert!(
        found.is_empty(),
        "{} use(s) against the layers of src/lib.rs ({}):\n{}",
        found.len(),
        layers(&lib).join(" < "),
        found.join("\n")
    );
}

/// The scanner itself: comments and strings are not code; groups, `Error`/`Result`, a call
/// through an upper layer and `super::super` are seen.
#[test]
fn the_layer_scanner_sees_paths_in_code_only() {
    let code = code_only(
        "use crate::model::x; // crate::serve::y\n\
         /* crate::serve /* nested */ crate::serve */ let s = \"crate::serve\";\n\
         let r = r#\"crate::serve\"#; let c = '\"'; fn f<'a>(_: &'a str) {}\n\
         use crate::{store::Db, query::{self, Sparql}};\n\
         fn g() -> crate::Result<()> { crate :: answer::run() }\n",
    );
    assert_eq!(
        crate_paths(&code),
        [
            (1, "model".to_owned()),
            (4, "store".to_owned()),
            (4, "query".to_owned()),
            (5, "Result".to_owned()),
            (5, "answer".to_owned()),
        ]
    );
    assert!(code_only("super::super::x // super::super").contains("super::super::x "));
    assert!(!code_only("// super::super").contains("super"));
    assert_eq!(
        layers("//! doc\npub mod model;\n// x\npub mod store;\npub use model::error::Error;\n"),
        ["model", "store"]
    );
    // A made-up crate: every kind of breach, named by file and line.
    let root = tempfile::tempdir().expect("tempdir");
    let write = |path: &str, text: &str| {
        let at = root.path().join(path);
        std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
        std::fs::write(at, text).expect("write");
    };
    let lib = "pub mod model;\n// x\npub mod store;\npub mod serve;\n";
    write("src/lib.rs", lib);
    write("src/main.rs", "use crosswalk::serve;\n");
    write(
        "src/model/mod.rs",
        "use crate::Result;\nuse crate::model::x;\n",
    );
    write(
        "src/store/mod.rs",
        "// crate::serve\nuse crate::model::y;\nfn f() { crate::serve::run() }\n",
    );
    write(
        "src/store/deep/inner.rs",
        "use super::super::serve;\nuse crate::nothing;\n",
    );
    write("src/serve.rs", "use crate::{store::Db, model::Error};\n");
    write("src/stray.rs", "\n");
    assert_eq!(
        breaches(root.path(), lib),
        [
            "src/store/deep/inner.rs:1: `super::super` reaches past its parent; name the module \
             by `crate::` (which this check can see)",
            "src/store/deep/inner.rs:2: store -> crate::nothing, which is no layer of src/lib.rs",
            "src/store/mod.rs:3: store -> serve runs back up (store is below serve)",
            "src/stray.rs:1: stray is not a layer: src/lib.rs has no `pub mod stray;`",
        ]
    );
}
