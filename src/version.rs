//! What `--version` prints: the engine's version, the bundled knowledge base's version and the git
//! commit the binary was built from (`unknown` outside a git checkout; set `SYNCDOCTOR_GIT_COMMIT`
//! when packaging from a tarball). Gathered by `build.rs`.

/// `syncdoctor -V`: one line.
pub const SHORT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (knowledge base ",
    env!("SYNCDOCTOR_KB_VERSION"),
    ", commit ",
    env!("SYNCDOCTOR_GIT_COMMIT"),
    ")"
);

/// `syncdoctor --version`: one fact a line.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nengine: ",
    env!("CARGO_PKG_VERSION"),
    "\nbundled knowledge base: ",
    env!("SYNCDOCTOR_KB_VERSION"),
    "\ncommit: ",
    env!("SYNCDOCTOR_GIT_COMMIT"),
);
