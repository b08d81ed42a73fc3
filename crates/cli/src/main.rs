//! Entry point of the `govshare` binary.

/// mimalloc: loading a pool allocates on one thread and frees on another, which the
/// system allocator handles poorly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    govshare::commands::main()
}
