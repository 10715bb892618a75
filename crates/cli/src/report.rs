//! The report formats, from `enquiry-report`, with the `--format` argument's clap binding.

use clap::ValueEnum;
pub use enquiry_report::{reporter, HumanOptions};

/// `--format` values; each is one of [`enquiry_report::Format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings with source snippets and a summary line, for people.
    Human,
    /// One JSON document: `findings` then `summary`.
    Json,
    /// JUnit XML: a test suite per file, a test case per record.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

impl From<Format> for enquiry_report::Format {
    fn from(format: Format) -> enquiry_report::Format {
        match format {
            Format::Human => enquiry_report::Format::Human,
            Format::Json => enquiry_report::Format::Json,
            Format::Junit => enquiry_report::Format::Junit,
            Format::Github => enquiry_report::Format::Github,
            Format::Sarif => enquiry_report::Format::Sarif,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_argument_names_its_report_format() {
        for format in Format::value_variants() {
            let name = format.to_possible_value().unwrap().get_name().to_owned();
            assert_eq!(enquiry_report::Format::from(*format).name(), name);
        }
        assert_eq!(
            Format::value_variants().len(),
            enquiry_report::Format::ALL.len()
        );
    }
}
