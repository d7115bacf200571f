//! The `cwpattern` command line. See `cli-contract.md` (kept in the repository as
//! `docs/cli-contract.md`) for the promise scripts rely on: exit 0 = yes, 1 = no,
//! 2 = unusable input.

mod cli;

/// mimalloc: faster than glibc's malloc for the many small allocations of parsing a pattern
/// (feature `mimalloc`, on by default).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
