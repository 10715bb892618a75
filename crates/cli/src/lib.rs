//! `enquiry`: validate CINNOX enquiry payloads, explain the rules, print the JSON Schema and
//! generate fake enquiries.
//!
//! This binary is thin glue over the workspace's libraries: `enquiry-validator` does the checking,
//! `enquiry-schema` writes the schema and `enquiry-fake` the test data. What lives here is argument
//! parsing (clap), finding input files and exit codes; the report formats are `enquiry-report`'s
//! (`human`, `json`, `junit`, `github`, `sarif`), which render the findings and the masked
//! excerpts the validator attaches to them, never the input.
//!
//! ```text
//! enquiry validate captures/ --format github
//! enquiry fake --count 1000 --seed 7 | enquiry validate -
//! enquiry explain date-time
//! ```
//!
//! The binary's `main` is one call to [`run`]; the Python wheel's `enquiry` console command calls
//! the same function, so both behave alike, exit codes included.
//!
//! Exit codes of `enquiry validate`: `0` no error (warnings allowed unless `--deny-warnings`),
//! `1` at least one error, `2` usage error, unreadable path or bad configuration.

#![deny(missing_docs)]

mod capture_cmd;
mod completions;
mod diag;
mod explain;
mod fake_cmd;
mod guard;
mod report;
mod report_cmd;
mod serve;
mod validate;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use enquiry_schema::contract::Contract;
use enquiry_schema::json_schema::{contract_schema, to_canonical_string, Draft, Profile};

/// Validate CINNOX enquiry payloads against the documented contract, explain its rules, print
/// its JSON Schema and generate deterministic fake enquiries.
#[derive(Parser, Debug)]
#[command(
    name = "enquiry",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check payload files (one object, a JSON array, NDJSON or a list response) and report
    /// every defect with file, line, column, record and JSON Pointer.
    Validate(validate::ValidateArgs),
    /// Render the summary, Markdown or HTML view of a saved `validate --format json` report.
    Report(report_cmd::ReportArgs),
    /// Explain a rule: what it checks, why, an example and its default severity.
    #[command(
        after_help = "Examples:\n  enquiry explain date-time\n  enquiry rules   (every rule id)"
    )]
    Explain {
        /// The rule's id, as findings show it (`enum`, `date-time`, ...).
        #[arg(value_parser = RuleCode)]
        code: String,
    },
    /// List every rule with its default severity and whether the JSON Schema expresses it.
    #[command(
        after_help = "Examples:\n  enquiry rules\n  enquiry rules --format json | jq '.rules[] | select(.schema) | .id'"
    )]
    Rules {
        /// `text` (a table) or `json` (every rule with its explanation).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print the generated JSON Schema of one enquiry record (or of another contract's).
    #[command(
        after_help = "Examples:\n  enquiry schema > enquiry.schema.json\n  enquiry schema --strict --draft 07\n  enquiry schema --contract event"
    )]
    Schema {
        /// The contract: record, event, challenge-request, challenge-response or label-list.
        #[arg(long, value_name = "NAME", default_value = "record", value_parser = schema_contract)]
        contract: &'static Contract,
        /// The strict profile's schema (every member required, no unknown members).
        #[arg(long)]
        strict: bool,
        /// The JSON Schema dialect.
        #[arg(long, value_enum, default_value_t = DraftArg::Draft2020_12)]
        draft: DraftArg,
    },
    /// Generate deterministic fake enquiries, valid or carrying one labelled defect each.
    Fake(fake_cmd::FakeArgs),
    /// Run the mock CINNOX Open API: stable data, real paging, documented errors, faults.
    Serve(serve::ServeArgs),
    /// Capture a time range from the Open API into NDJSON (retries, resumable), then validate it.
    Fetch(capture_cmd::FetchArgs),
    /// Receive webhook events: answer the handshake, store each event durably before the 2xx.
    Listen(capture_cmd::ListenArgs),
    /// Check captured webhook events against captured records: lifecycle consistency.
    Reconcile(capture_cmd::ReconcileArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  enquiry completions bash > /etc/bash_completion.d/enquiry\n  enquiry completions zsh > \"${fpath[1]}/_enquiry\""
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// The `explain` argument: any text (an unknown id gets a did-you-mean hint from `explain`),
/// with the rule ids as possible values, so that help and shell completions list them.
#[derive(Debug, Clone, Copy)]
struct RuleCode;

impl clap::builder::TypedValueParser for RuleCode {
    type Value = String;

    fn parse_ref(
        &self,
        _command: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(enquiry_validator::Code::ALL.iter().map(|code| {
            clap::builder::PossibleValue::new(code.as_str())
        })))
    }
}

/// `rules --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    /// A table.
    Text,
    /// A JSON document.
    Json,
}

/// `--draft` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DraftArg {
    /// JSON Schema draft 2020-12.
    #[value(name = "2020-12")]
    Draft2020_12,
    /// JSON Schema draft-07, for older tools.
    #[value(name = "07")]
    Draft07,
}

/// Runs the `enquiry` command line: `args` starts with the program name, as
/// [`std::env::args_os`] does. Returns the process exit status (`0`, `1`, or `2` for a usage
/// error); clap's `--help` and `--version` print and return `0`.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout, usage errors (escaped) to stderr.
            let status = if err.use_stderr() { 2 } else { 0 };
            diag::clap_message(err);
            return status;
        }
    };
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::Explain { code } => explain::explain(&code),
        Command::Rules { format } => explain::rules(format == RulesFormat::Json),
        Command::Schema {
            contract,
            strict,
            draft,
        } => {
            let profile = if strict {
                Profile::Strict
            } else {
                Profile::Default
            };
            let draft = match draft {
                DraftArg::Draft2020_12 => Draft::Draft2020_12,
                DraftArg::Draft07 => Draft::Draft07,
            };
            print_or_fail(&to_canonical_string(&contract_schema(
                contract, profile, draft,
            )))
        }
        Command::Fake(args) => fake_cmd::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Fetch(args) => capture_cmd::run(&args),
        Command::Listen(args) => capture_cmd::run_listen(&args),
        Command::Reconcile(args) => capture_cmd::run_reconcile(&args),
        Command::Completions { shell } => {
            print_or_fail(&completions::script(shell, &mut Cli::command()))
        }
    }
}

/// Reads `enquiry schema --contract`: a contract's name.
fn schema_contract(text: &str) -> Result<&'static Contract, String> {
    match validate::parse_contract(text)? {
        validate::ContractChoice(Some(contract)) => Ok(contract),
        validate::ContractChoice(None) => Err("a schema is of one contract, not auto".to_owned()),
    }
}

/// Writes text to standard output; a closed pipe is not an error worth reporting.
fn print_or_fail(text: &str) -> u8 {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => 0,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(err) => {
            diag::error_line(&format!("enquiry: cannot write to standard output: {err}"));
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
