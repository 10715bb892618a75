//! One generated file, shared by `codegen` (which writes or checks files) and the producers
//! (which return them), so that neither imports the other.

/// One generated file: its path relative to the workspace root (forward slashes) and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to the workspace root, `/`-separated (`schemas/enquiry.schema.json`).
    pub path: String,
    /// The exact bytes to write: LF line ends, a trailing newline; not always UTF-8 (an
    /// invalid fixture can be invalid because of its encoding).
    pub contents: Vec<u8>,
}

impl GeneratedFile {
    /// A generated file at `path` (relative to the workspace root, `/`-separated).
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}
