//! The report formats, from `enquiry-report`, with the `--format` argument's clap binding.

use std::path::PathBuf;

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
    /// A terminal table: totals, findings per rule (with masked example values), field, file.
    Summary,
    /// The summary as GitHub-flavoured Markdown, under 1 MiB whatever the input.
    Markdown,
    /// One self-contained HTML page: charts, the first findings, each rule explained.
    Html,
}

impl From<Format> for enquiry_report::Format {
    fn from(format: Format) -> enquiry_report::Format {
        match format {
            Format::Human => enquiry_report::Format::Human,
            Format::Json => enquiry_report::Format::Json,
            Format::Junit => enquiry_report::Format::Junit,
            Format::Github => enquiry_report::Format::Github,
            Format::Sarif => enquiry_report::Format::Sarif,
            Format::Summary => enquiry_report::Format::Summary,
            Format::Markdown => enquiry_report::Format::Markdown,
            Format::Html => enquiry_report::Format::Html,
        }
    }
}

/// One `--format` value: a format and, after `=`, the file it is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The format.
    pub format: Format,
    /// The file, or `None` for standard output (or `--output`).
    pub file: Option<PathBuf>,
}

/// Parses `FORMAT` or `FORMAT=FILE`.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let (name, file) = match text.split_once('=') {
        Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
        Some(_) => return Err(format!("{text:?}: no file after `=`")),
        None => (text, None),
    };
    let format = Format::from_str(name, false).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|format| format.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        format!("unknown format {name:?} (one of: {})", names.join(", "))
    })?;
    Ok(Target { format, file })
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
            parse_target("html=out/r.html"),
            Ok(Target {
                format: Format::Html,
                file: Some(PathBuf::from("out/r.html"))
            })
        );
        assert_eq!(parse_target("github").map(|target| target.file), Ok(None));
        assert!(parse_target("html=").is_err());
        assert!(parse_target("pdf")
            .unwrap_err()
            .contains("one of: human, json"));
        assert_eq!(
            Format::value_variants().len(),
            enquiry_report::Format::ALL.len()
        );
    }
}
