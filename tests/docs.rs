//! The committed man pages and completions must be what the clap definitions render.
//! Regenerate with: COREKIT_UPDATE_DOCS=1 cargo test --test docs

use std::path::Path;

#[test]
fn man_pages_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("COREKIT_UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (rel, want) in corekit::cli::docs::render() {
        let path = root.join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(have) if have == want => {}
            Ok(_) => stale.push(format!("{} differs", rel.display())),
            Err(e) => stale.push(format!("{}: {e}", rel.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "generated docs are stale ({}); run COREKIT_UPDATE_DOCS=1 cargo test --test docs",
        stale.join(", ")
    );
}
