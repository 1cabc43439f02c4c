//! The `syncdoctor` binary: see the library crate for the commands.

/// mimalloc instead of the system allocator: Rhai evaluation and snapshot parsing allocate many
/// small values, and glibc's malloc/free took about a third of replay's time (issue 13).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    syncdoctor::run()
}
