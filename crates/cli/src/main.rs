//! The `enquiry` binary: one call into the `enquiry_cli` library (see its crate docs).

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(enquiry_cli::run(std::env::args_os()))
}
