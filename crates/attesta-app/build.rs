//! Embeds every `rules/benefits-YYYY.toml` of the workspace in the binary,
//! so that `attesta serve` works from any directory and adding a year is a
//! new data file with no code change (issue #8, docs/benefits.md).

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("../../rules");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| name.starts_with("benefits-") && name.ends_with(".toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for (name, path) in files {
        let path = path.canonicalize().expect("listed file exists");
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            format!("rules/{name}"),
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let target = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("benefit_rules.rs");
    fs::write(&target, out).expect("OUT_DIR is writable");
}
