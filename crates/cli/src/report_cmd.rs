//! `enquiry report`: renders the summary, Markdown or HTML view of a saved `--format json`
//! report, so that CI validates once and renders many ways.

use std::env;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;

use enquiry_report::{read_json_report, render_aggregate, ViewOptions};

use crate::report::Format;

/// `enquiry report` arguments.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  enquiry validate captures/ --format json --output report.json\n  enquiry report report.json --format html --output report.html\n  enquiry report report.json --format markdown >> \"$GITHUB_STEP_SUMMARY\""
)]
pub struct ReportArgs {
    /// A report written by `enquiry validate --format json` (`-` reads standard input); one
    /// written with `--data-profile` also gives the records per contract and per day and the
    /// field profile.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The view: summary, markdown or html.
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,
    /// Write the view to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `enquiry report`: 0 when rendered, 2 for unreadable or unsuitable input.
pub fn run(args: &ReportArgs) -> u8 {
    match render(args) {
        Ok(()) => 0,
        Err(message) => {
            crate::diag::error_line(&format!("enquiry report: {message}"));
            2
        }
    }
}

fn render(args: &ReportArgs) -> Result<(), String> {
    let reader: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        let file =
            File::open(&args.file).map_err(|err| format!("{}: {err}", args.file.display()))?;
        Box::new(file)
    };
    let aggregate =
        read_json_report(reader).map_err(|err| format!("{}: {err}", args.file.display()))?;
    let (mut out, color): (Box<dyn Write>, bool) = match &args.output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            (Box::new(BufWriter::new(file)), false)
        }
        None => {
            let stdout = io::stdout();
            let color = stdout.is_terminal()
                && env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
            (Box::new(BufWriter::new(stdout.lock())), color)
        }
    };
    let options = ViewOptions { color };
    let format = enquiry_report::Format::from(args.format);
    match render_aggregate(format, &aggregate, &options, &mut out) {
        None => Err(format!(
            "--format {} is not a view of a saved report (summary, markdown or html)",
            format.name()
        )),
        Some(Err(err)) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Some(result) => result.map_err(|err| format!("cannot write the report: {err}")),
    }
}
