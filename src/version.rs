//! What `--version` prints: the engine's version, the bundled knowledge base's version and the git
//! commit the binary was built from (`unknown` outside a git checkout; set `SYNCDOCTOR_GIT_COMMIT`
//! when packaging from a tarball). Gathered by `bundled/build.rs`.

use std::sync::LazyLock;

static SHORT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (knowledge base {}, commit {})",
        env!("CARGO_PKG_VERSION"),
        syncdoctor_bundled::KB_VERSION,
        syncdoctor_bundled::GIT_COMMIT
    )
});

static LONG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}\nengine: {}\nbundled knowledge base: {}\ncommit: {}",
        env!("CARGO_PKG_VERSION"),
        syncdoctor_engine::ENGINE_VERSION,
        syncdoctor_bundled::KB_VERSION,
        syncdoctor_bundled::GIT_COMMIT
    )
});

/// `syncdoctor -V`: one line.
pub fn short() -> &'static str {
    SHORT.as_str()
}

/// `syncdoctor --version`: one fact a line.
pub fn long() -> &'static str {
    LONG.as_str()
}
