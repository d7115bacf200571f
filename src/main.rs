//! The `cwpattern` command line. See `cli-contract.md` (kept in the repository as
//! `docs/cli-contract.md`) for the promise scripts rely on: exit 0 = yes, 1 = no,
//! 2 = unusable input.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
