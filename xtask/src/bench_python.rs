//! The Python module's rows of `cargo xtask bench`: `python/bench.py` run with an interpreter
//! that has the wheel installed.
//!
//! Building the wheel is `python/ci.sh`'s job, not the benchmark's: with
//! `ENQUIRY_PY_VENV=DIR bash python/ci.sh` the venv is kept, and `ENQUIRY_PY_VENV=DIR cargo
//! xtask bench` then measures the installed module (`validate(bytes)` against the CLI's one
//! thread, `validate_arrow`, jsonschema-rs side by side). Without such an interpreter the rows
//! say so instead of failing the whole benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Prints the Python rows: `python/bench.py`'s table, or why it was not run.
pub fn rows(root: &Path, quick: bool) -> Result<(), String> {
    println!("\n## Python module (`python/bench.py`)\n");
    let Some(python) = interpreter() else {
        println!(
            "not measured: set ENQUIRY_PY_VENV to a venv with the wheel installed \
             (`ENQUIRY_PY_VENV=DIR bash python/ci.sh` makes one)"
        );
        return Ok(());
    };
    let mib = if quick { "8" } else { "64" };
    let status = Command::new(&python)
        .args(["python/bench.py", "--mib", mib])
        .current_dir(root)
        .status()
        .map_err(|err| format!("cannot run {}: {err}", python.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("python/bench.py failed: {status}"))
    }
}

/// The venv's interpreter, when `ENQUIRY_PY_VENV` names one that imports the module.
fn interpreter() -> Option<PathBuf> {
    let venv = PathBuf::from(std::env::var_os("ENQUIRY_PY_VENV")?);
    let python = venv.join("bin").join("python");
    let imports = Command::new(&python)
        .args(["-c", "import enquiry_contract"])
        .status()
        .is_ok_and(|status| status.success());
    imports.then_some(python)
}
