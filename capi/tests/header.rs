//! The checked-in header (`capi/include/syncdoctor.h`) must be what cbindgen generates from
//! `src/lib.rs`. Regenerate with `SYNCDOCTOR_UPDATE_HEADER=1 cargo test -p syncdoctor-capi --test header`.

use std::path::Path;

#[test]
fn the_checked_in_header_is_what_cbindgen_generates() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");
    let path = crate_dir.join("include/syncdoctor.h");
    if std::env::var_os("SYNCDOCTOR_UPDATE_HEADER").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "capi/include/syncdoctor.h is stale: run `SYNCDOCTOR_UPDATE_HEADER=1 cargo test -p syncdoctor-capi --test header` and commit it"
    );
}
