// Compiles the named queries in queries/*.rq into the binary, so that `crosswalk query NAME`
// works without the source tree.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=queries");
    // The directory cargo runs this script for, read when it runs: `env!` would bake in the
    // checkout the script was compiled in, and cargo reuses one compiled script for every
    // checkout of the crate that shares a target directory (worktrees, CI clones).
    let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = std::path::Path::new(&root).join("queries");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.retain(|p| p.extension().is_some_and(|e| e == "rq"));
    entries.sort();
    let mut out = String::from("pub static NAMED: &[(&str, &str)] = &[\n");
    for p in entries {
        let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            p.display().to_string()
        )
        .ok();
    }
    out.push_str("];\n");
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("queries.rs");
    std::fs::write(dest, out).ok();
}
