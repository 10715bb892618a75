//! Error lines on standard error. They often name input (file names, keys), so each goes
//! through the report layer's escaping before it is printed; and a standard error that cannot
//! be written (`2>/dev/full`, a closed pipe) is not a reason to panic: the exit status still
//! says what happened.

use std::io::{self, Write};

use enquiry_report::terminal_safe;

/// Prints one error line, escaped, ignoring a failure to write it.
pub(crate) fn error_line(message: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{}", terminal_safe(message));
}
