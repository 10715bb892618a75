//! `enquiry validate`: configuration, input discovery, the event loop and exit codes.

use std::env;
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ValueEnum;
use enquiry_schema::contract::Contract;
use enquiry_schema::contracts;
use enquiry_validator::config::{parse_channel_list, parse_label_list};
use enquiry_validator::{
    Config, ConfigFile, DataProfile, Event, Pointer, Profile, Severity, Summary, Validator,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::guard::{read_capped, Closed, StopReader, WatchedWriter, SIDE_FILE_CAP};
use enquiry_report::{Baseline, BaselineState, Reporter, Tee};

use crate::report::{self, Format, HumanOptions};

/// Inputs at least this large (in total) get a progress bar on a terminal.
const PROGRESS_THRESHOLD: u64 = 8 << 20;

/// The progress bar's look.
const PROGRESS_TEMPLATE: &str =
    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})";

/// The examples at the end of `validate -h` and `validate --help`.
macro_rules! validate_examples {
    () => {
        "Examples:
  enquiry validate captures/                       every payload file under captures/
  enquiry validate day.ndjson --format github      annotations in a GitHub Actions log
  curl -s \"$API/list\" | enquiry validate --pointer /data/list -
  enquiry validate in.json --format json=report.json --format html=report.html"
    };
}

const AFTER_HELP: &str = concat!(
    validate_examples!(),
    "\n\n",
    "\
Inputs:
  Each input may hold one enquiry object, a JSON array of them, NDJSON (one object a line,
  blank lines skipped) or a list response (an object whose only array member holds the records,
  or the array at --pointer). Gzip input is decompressed. Directories are searched recursively,
  in sorted order, for *.json, *.ndjson, *.jsonl and their .gz forms; files named explicitly
  are read whatever their name. `-`, or no PATH at all, reads standard input.

Configuration:
  --config FILE reads an enquiry.toml (profile, [rules] levels allow|warn|deny, required,
  max-record-size, max-findings-per-record). Without --config, ./enquiry.toml in the current
  directory is read when it exists (like other linters, so that a repository's settings apply
  to hooks and CI alike); --no-config ignores it. Command-line flags override the file.

Output:
  human   each finding as `file:line:column: severity[code]: message`, with a source snippet
          and a caret under the offending value, then a summary line. Coloured only when
          standard output is a terminal and NO_COLOR is not set. Snippets come from the
          validator (a window of up to about 150 bytes of the line, for every input: files,
          standard input, gzip), with control characters escaped. A progress bar is drawn on
          standard error for large inputs when it is a terminal.
  json    one document {\"version\": 1, \"findings\": [...], \"summary\": {...}} (JSON Schema:
          schemas/report.schema.json). Findings are streamed and the
          summary (files, records, valid, invalid, errors, warnings) follows them, so memory
          stays constant; read the whole document before using it.
  junit   a test suite per file, a test case per record, a failure for records with errors.
  github  ::error / ::warning workflow commands for GitHub Actions annotations.
  sarif   SARIF 2.1.0 with every rule's metadata, for code-scanning dashboards.
  summary  a terminal table: totals, findings per rule (with the most frequent masked values),
          per field (pointer without indices) and per file; coloured like human.
  markdown the same as GitHub-flavoured Markdown for $GITHUB_STEP_SUMMARY, under 1 MiB.
  html    one self-contained page (inline CSS, script and SVG charts, a strict
          Content-Security-Policy, no network): charts, the first findings, the rules explained.
  summary, markdown and html aggregate with bounded memory and say which limits were reached.
  They also show the data profile: records and findings per contract and per UTC day of
  createdAt (records without it, or with an invalid one, in their own rows), and how the
  records hold every documented field (present, null, absent, of another type).
  --data-profile adds that profile to the json report as `dataProfile` (so that `enquiry
  report` shows it too); json has it anyway when a view is written in the same pass.
  --format FORMAT=FILE writes a report to FILE, --output FILE the last one without =FILE;
  repeat --format to write several reports from one pass, at most one to standard output
  (e.g. --format github --format html --output report.html).
  --quiet: human prints only the summary line, and nothing at all when the run passes; github
  prints errors only, and its summary line only when the run fails. json, junit and sarif
  are always complete documents.

  Values of personal members (ip, names, inquiryDeepLink...) are masked in messages and
  snippets, whatever their JSON type, unless --show-values: reports of captured payloads end up in CI logs.

Baselines and thresholds:
  --baseline FILE (a saved --format json report): findings it has (same file, pointer, rule and
  message; each matches once) are reported as unchanged (SARIF baselineState) and do not fail
  the run. --max-errors N: the run fails only with more than N errors (new ones, with a
  baseline).

Exit status:
  0  no error (warnings allowed unless --deny-warnings)
  1  at least one error (or a warning, with --deny-warnings)
  2  usage error, unreadable path or bad configuration; the other paths are still checked"
);

/// `enquiry validate` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = validate_examples!(), after_long_help = AFTER_HELP)]
pub struct ValidateArgs {
    /// Files or directories to check; `-` or none reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The report format (human, json, junit, github, sarif, summary, markdown, html), or
    /// FORMAT=FILE to write it to FILE; repeat to write several reports from one pass, at most
    /// one of them to standard output [default: human].
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = report::parse_target)]
    format: Vec<report::Target>,
    /// Write the (last) report that has no `=FILE` to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Which rules apply and how strictly (overrides the configuration file).
    #[arg(long, value_enum)]
    profile: Option<ProfileArg>,
    /// The contract to check: record, event, challenge-request, challenge-response,
    /// label-list, or auto (per record, from the members present: `eid`+`date`+`type` is an
    /// event, `labelList` a label list, ...; anything else a record) [default: auto].
    #[arg(long, value_name = "NAME", value_parser = parse_contract)]
    contract: Option<ContractChoice>,
    /// An enquiry.toml to read (default: ./enquiry.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore ./enquiry.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// The tenant's labels: a Get Label List response or a JSON array of label IDs.
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
    /// The tenant's channels: a JSON array of channel names.
    #[arg(long, value_name = "FILE")]
    channels: Option<PathBuf>,
    /// Where the records are in a list response (RFC 6901 JSON Pointer, e.g. `/data/list`).
    #[arg(long, value_name = "PTR")]
    pointer: Option<String>,
    /// A saved `--format json` report: its findings are reported as unchanged (SARIF
    /// baselineState) and do not fail the run.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Fail only when there are more than N errors (new errors, with --baseline) [default: 0].
    #[arg(long, value_name = "N")]
    max_errors: Option<u64>,
    /// Add the data profile (records and findings per contract and per day of createdAt,
    /// presence of every documented field) to the json report; summary, markdown and html
    /// always show it.
    #[arg(long)]
    data_profile: bool,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Show the values of personal members instead of masking them.
    #[arg(long)]
    show_values: bool,
    /// Worker threads per input (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,
    /// Print only the summary, and nothing when the run passes (human and github formats).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// The largest record parsed; a larger one is a `record-too-large` finding [default: 16 MiB].
    #[arg(long, value_name = "BYTES", value_parser = crate::guard::parse_size)]
    max_record_size: Option<usize>,
    /// The most findings listed per record, the first by position; one `too-many-findings`
    /// finding counts the rest [default: 1000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_findings_per_record: Option<u32>,
}

/// `--contract`: one contract, or `None` for detection per record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContractChoice(pub Option<&'static Contract>);

/// Reads a `--contract` value: a contract's name or `auto`.
pub(crate) fn parse_contract(text: &str) -> Result<ContractChoice, String> {
    if text == "auto" {
        return Ok(ContractChoice(None));
    }
    contracts::by_name(text)
        .map(|contract| ContractChoice(Some(contract)))
        .ok_or_else(|| {
            let names: Vec<&str> = contracts::ALL
                .iter()
                .map(|contract| contract.name)
                .collect();
            format!(
                "unknown contract; expected auto or one of: {}",
                names.join(", ")
            )
        })
}

/// `--profile` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProfileArg {
    /// The documented contract: three required members, warnings for doubtful values.
    Default,
    /// Every documented member present, warnings are errors, canonical timestamps.
    Strict,
}

/// A usage or configuration problem: exit 2.
struct UsageError(String);

/// One thing to read.
enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// Runs `enquiry validate`.
pub fn run(args: &ValidateArgs) -> u8 {
    run_with(args, &mut |_| None)
}

/// The usage error `run` would stop at before reading any input (configuration, label and
/// channel lists, report targets), if any.
pub(crate) fn usage_error(args: &ValidateArgs) -> Option<String> {
    build_config(args)
        .err()
        .or_else(|| report_targets(args).err())
        .map(|UsageError(message)| message)
}

/// Validates one input in place of `Validator::validate_stream` on its file: called with the
/// validator, the input's name and the event sink; returns the input's counts.
pub(crate) type Driver =
    Box<dyn FnOnce(&Validator, &str, &mut dyn FnMut(Event)) -> io::Result<Summary> + Send>;

/// [`run`], where `drive` may supply the [`Driver`] of an input file: `enquiry fetch` checks
/// the records of the file it is writing as each page is stored.
pub(crate) fn run_with(args: &ValidateArgs, drive: &mut dyn FnMut(&Path) -> Option<Driver>) -> u8 {
    let config = match build_config(args) {
        Ok(config) => config,
        Err(UsageError(message)) => {
            crate::diag::error_line(&format!("enquiry validate: {message}"));
            return 2;
        }
    };
    let targets = match report_targets(args) {
        Ok(targets) => targets,
        Err(UsageError(message)) => {
            crate::diag::error_line(&format!("enquiry validate: {message}"));
            return 2;
        }
    };
    let mut baseline = match read_baseline(args.baseline.as_deref()) {
        Ok(baseline) => baseline,
        Err(UsageError(message)) => {
            crate::diag::error_line(&format!("enquiry validate: {message}"));
            return 2;
        }
    };
    let mut new = Summary::default();
    let mut unchanged = 0u64;
    let (inputs, mut path_error, empty_dirs) = collect_inputs(&args.paths);
    if inputs.iter().any(|input| matches!(input, Input::Stdin)) && io::stdin().is_terminal() {
        // Without a path the command waits for typed input; say so instead of seeming stuck.
        crate::diag::error_line(
            "enquiry validate: reading records from standard input (the terminal); end with Ctrl-D, or give a PATH",
        );
    }
    let validator = Validator::new(config);
    let jobs = args
        .jobs
        .map(|jobs| jobs as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
        .min(crate::guard::MAX_JOBS);

    let progress = progress_bar(&inputs, args.quiet);
    let stdout = io::stdout();
    let color =
        stdout.is_terminal() && env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let closed = Closed::default();
    let human = HumanOptions {
        color,
        quiet: args.quiet,
        show_values: args.show_values,
    };
    let views = [Format::Summary, Format::Markdown, Format::Html];
    let mut data_profile = (args.data_profile
        || targets.iter().any(|(format, _)| views.contains(format)))
    .then(DataProfile::new);
    let mut reporters = Vec::new();
    for (format, file) in targets {
        // Colour is for the terminal only, never for a report written to a file.
        let options = HumanOptions {
            color: color && file.is_none(),
            ..human
        };
        if file.is_none() {
            closed.watch_stdout();
        }
        let writer: Box<dyn Write> = match (file, &progress) {
            (Some(path), _) => match File::create(&path) {
                Ok(file) => Box::new(BufWriter::new(file)),
                Err(err) => {
                    crate::diag::error_line(&format!(
                        "enquiry validate: cannot write {}: {err}",
                        path.display()
                    ));
                    return 2;
                }
            },
            (None, Some(bar)) => Box::new(SuspendWriter {
                bar: bar.clone(),
                inner: BufWriter::new(WatchedWriter {
                    inner: stdout.lock(),
                    closed: closed.clone(),
                }),
            }),
            (None, None) => Box::new(BufWriter::new(WatchedWriter {
                inner: stdout.lock(),
                closed: closed.clone(),
            })),
        };
        reporters.push(report::reporter(format.into(), writer, args.quiet, options));
    }
    let mut reporter: Box<dyn Reporter> = match reporters.len() {
        1 => reporters.remove(0),
        _ => Box::new(Tee(reporters)),
    };

    // A directory with nothing to check is a warning, like an empty input.
    let mut total = Summary {
        warnings: empty_dirs,
        ..Summary::default()
    };
    let mut output_error: Option<io::Error> = None;
    for input in &inputs {
        let name = input.name();
        if closed.is_set() {
            break;
        }
        let reader: Box<dyn Read + Send> = match input {
            Input::Stdin => Box::new(StopReader {
                inner: io::stdin(),
                closed: closed.clone(),
            }),
            Input::File(path) => match File::open(path) {
                Ok(file) => {
                    let file = StopReader {
                        inner: file,
                        closed: closed.clone(),
                    };
                    match &progress {
                        Some(bar) => Box::new(bar.wrap_read(file)),
                        None => Box::new(file),
                    }
                }
                Err(err) => {
                    report_path_error(progress.as_ref(), &name, &err);
                    note(
                        &mut output_error,
                        reporter.unreadable(&name, &err.to_string()),
                    );
                    path_error = true;
                    continue;
                }
            },
        };
        note(&mut output_error, reporter.begin_file(&name));
        let mut on_event = |event: Event| {
            if output_error.is_some() {
                return;
            }
            let findings = match &event {
                Event::Record(outcome) => &outcome.findings[..],
                Event::Input(finding) => std::slice::from_ref(&**finding),
            };
            if let Some(baseline) = baseline.as_mut() {
                let states: Vec<BaselineState> =
                    findings.iter().map(|f| baseline.classify(f)).collect();
                for (finding, state) in findings.iter().zip(&states) {
                    match (state, finding.severity) {
                        (BaselineState::Unchanged, _) => unchanged += 1,
                        (BaselineState::New, Severity::Error) => new.errors += 1,
                        (BaselineState::New, Severity::Warning) => new.warnings += 1,
                    }
                }
                reporter.baseline_states(&states);
            }
            let result = match &event {
                Event::Record(outcome) => reporter.record(outcome),
                Event::Input(finding) => reporter.input(finding),
            };
            note(&mut output_error, result);
        };
        let driver = match input {
            Input::File(path) => drive(path),
            Input::Stdin => None,
        };
        let validated = match (driver, data_profile.as_mut()) {
            (Some(driver), _) => driver(&validator, &name, &mut on_event),
            (None, Some(profile)) => {
                validator.validate_stream_profiled(reader, &name, jobs, &mut on_event, profile)
            }
            (None, None) => validator.validate_stream(reader, &name, jobs, &mut on_event),
        };
        match validated {
            Ok(summary) => {
                total.add(&summary);
                note(&mut output_error, reporter.end_file(&name, &summary));
            }
            Err(err) => {
                report_path_error(progress.as_ref(), &name, &err);
                path_error = true;
                note(
                    &mut output_error,
                    reporter.end_file(&name, &Summary::default()),
                );
                note(
                    &mut output_error,
                    reporter.unreadable(&name, &err.to_string()),
                );
            }
        }
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let counted = if baseline.is_some() {
        crate::diag::error_line(&format!(
            "enquiry validate: {unchanged} findings unchanged from the baseline, {} new errors, {} new warnings",
            new.errors, new.warnings
        ));
        new
    } else {
        total
    };
    let failed = counted.errors > args.max_errors.unwrap_or(0)
        || (args.deny_warnings && counted.warnings > 0);
    if let Some(profile) = &data_profile {
        reporter.data_profile(profile);
    }
    note(
        &mut output_error,
        reporter.finish(&total, failed || path_error),
    );
    drop(reporter);
    // A closed standard output ends the run quietly in every format, however the
    // reporter wrapped the error.
    if let Some(err) = output_error {
        if err.kind() != io::ErrorKind::BrokenPipe && !closed.is_set() {
            crate::diag::error_line(&format!("enquiry validate: cannot write the report: {err}"));
            return 2;
        }
    }
    if path_error {
        2
    } else if failed {
        1
    } else {
        0
    }
}

/// Where each report goes: the `--format` values (human by default) with `--output` given to
/// the last one without `=FILE`; at most one report may go to standard output.
fn report_targets(args: &ValidateArgs) -> Result<Vec<(Format, Option<PathBuf>)>, UsageError> {
    let mut targets: Vec<(Format, Option<PathBuf>)> = args
        .format
        .iter()
        .map(|target| (target.format, target.file.clone()))
        .collect();
    if targets.is_empty() {
        targets.push((Format::Human, None));
    }
    if let Some(output) = &args.output {
        let last = targets.iter_mut().rev().find(|(_, file)| file.is_none());
        match last {
            Some((_, file)) => *file = Some(output.clone()),
            None => {
                return Err(UsageError(
                    "--output: every --format already names its file".to_owned(),
                ))
            }
        }
    }
    if targets.iter().filter(|(_, file)| file.is_none()).count() > 1 {
        return Err(UsageError(
            "at most one --format can write to standard output; give the others a file (--format html=report.html)".to_owned(),
        ));
    }
    Ok(targets)
}

/// The `--baseline` report, if any.
fn read_baseline(path: Option<&Path>) -> Result<Option<Baseline>, UsageError> {
    let Some(path) = path else { return Ok(None) };
    let file = File::open(path)
        .map_err(|err| UsageError(format!("cannot read baseline {}: {err}", path.display())))?;
    Baseline::read(file)
        .map(Some)
        .map_err(|err| UsageError(format!("baseline {}: {err}", path.display())))
}

/// Keeps the first output error.
fn note(slot: &mut Option<io::Error>, result: io::Result<()>) {
    if let (None, Err(err)) = (slot.as_ref(), result) {
        *slot = Some(err);
    }
}

fn report_path_error(progress: Option<&ProgressBar>, name: &str, err: &io::Error) {
    let message = format!("enquiry validate: {name}: {err}");
    match progress {
        Some(bar) => bar.suspend(|| crate::diag::error_line(&message)),
        None => crate::diag::error_line(&message),
    }
}

fn read_file(what: &str, path: &Path) -> Result<Vec<u8>, UsageError> {
    read_capped(path, SIDE_FILE_CAP)
        .map_err(|err| UsageError(format!("cannot read {what} {}: {err}", path.display())))
}

/// The configuration: defaults, then the enquiry.toml, then the flags.
fn build_config(args: &ValidateArgs) -> Result<Config, UsageError> {
    let mut config = Config::default();
    let config_path = match &args.config {
        Some(path) => Some(path.clone()),
        None if !args.no_config => {
            Some(PathBuf::from("enquiry.toml")).filter(|path| path.is_file())
        }
        None => None,
    };
    if let Some(path) = config_path {
        let bytes = read_file("configuration", &path)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            UsageError(format!(
                "{}: the configuration is not UTF-8",
                path.display()
            ))
        })?;
        let file = ConfigFile::parse(&text)
            .map_err(|err| UsageError(format!("{}: {err}", path.display())))?;
        config.apply(&file);
    }
    if let Some(profile) = args.profile {
        config.profile = match profile {
            ProfileArg::Default => Profile::Default,
            ProfileArg::Strict => Profile::Strict,
        };
    }
    if let Some(size) = args.max_record_size {
        config.max_record_size = size;
    }
    if let Some(cap) = args.max_findings_per_record {
        config.max_findings_per_record = cap as usize;
    }
    if let Some(path) = &args.labels {
        let labels = parse_label_list(&read_file("label list", path)?)
            .map_err(|err| UsageError(format!("{}: {err}", path.display())))?;
        config.labels = Some(labels);
    }
    if let Some(path) = &args.channels {
        let channels = parse_channel_list(&read_file("channel list", path)?)
            .map_err(|err| UsageError(format!("{}: {err}", path.display())))?;
        config.channels = Some(channels);
    }
    if let Some(pointer) = &args.pointer {
        if Pointer::parse(pointer).is_none() {
            return Err(UsageError(format!(
                "--pointer {pointer:?} is not a JSON Pointer (it must be empty or start with `/`, and `~` must be followed by `0` or `1`)"
            )));
        }
        config.pointer = Some(pointer.clone());
    }
    config.show_values = args.show_values;
    config.contract = args.contract.and_then(|choice| choice.0);
    Ok(config)
}

/// Expands the paths: `-` and no path are standard input, directories are searched. Returns
/// the inputs, whether a path could not be read and how many directories held no payload
/// file (both already reported on standard error).
fn collect_inputs(paths: &[PathBuf]) -> (Vec<Input>, bool, u64) {
    if paths.is_empty() {
        return (vec![Input::Stdin], false, 0);
    }
    let mut empty_dirs = 0;
    let mut inputs = Vec::new();
    let mut error = false;
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let before = inputs.len();
                walk(path, &mut inputs, &mut error);
                if inputs.len() == before {
                    empty_dirs += 1;
                    crate::diag::error_line(&format!(
                        "enquiry validate: warning: {}: no *.json, *.ndjson or *.jsonl files (or their .gz forms) found",
                        path.display()
                    ));
                }
            }
            // A path that cannot be read is still an input: opening it fails and is reported
            // on standard error and in every report (a JUnit error, a SARIF notification).
            _ => inputs.push(Input::File(path.clone())),
        }
    }
    (inputs, error, empty_dirs)
}

/// Whether a file found in a directory is a payload file.
fn is_payload_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = [".gz", ".zst"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(&name);
    [".json", ".ndjson", ".jsonl"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// Adds the payload files under `dir`, in sorted order, recursively (symbolic links to
/// directories are not followed).
fn walk(dir: &Path, inputs: &mut Vec<Input>, error: &mut bool) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            crate::diag::error_line(&format!("enquiry validate: {}: {err}", dir.display()));
            *error = true;
            return;
        }
    };
    let mut entries: Vec<fs::DirEntry> = entries
        .filter_map(|entry| {
            entry
                .map_err(|err| {
                    crate::diag::error_line(&format!("enquiry validate: {}: {err}", dir.display()));
                    *error = true;
                })
                .ok()
        })
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let is_real_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if is_real_dir {
            walk(&path, inputs, error);
        } else if is_payload_name(&entry.file_name().to_string_lossy()) {
            // A payload name that cannot be followed (a dangling link, a link loop) is an
            // unreadable path, reported like one; a directory or device behind such a name is
            // not a payload and not followed.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_file() => inputs.push(Input::File(path)),
                Ok(_) => {}
                Err(_) => inputs.push(Input::File(path)),
            }
        }
    }
}

/// A progress bar on standard error for large inputs, when it is a terminal and not in CI.
fn progress_bar(inputs: &[Input], quiet: bool) -> Option<ProgressBar> {
    if quiet || !io::stderr().is_terminal() || env::var_os("CI").is_some() {
        return None;
    }
    let total: u64 = inputs
        .iter()
        .filter_map(|input| match input {
            Input::File(path) => fs::metadata(path).ok().map(|meta| meta.len()),
            Input::Stdin => None,
        })
        .sum();
    if total < PROGRESS_THRESHOLD {
        return None;
    }
    let style = ProgressStyle::with_template(PROGRESS_TEMPLATE).ok()?;
    let bar =
        ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// Writes through a progress bar's `suspend`, so that report lines and the bar do not mix.
struct SuspendWriter<W> {
    bar: ProgressBar,
    inner: W,
}

impl<W: Write> Write for SuspendWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        let inner = &mut self.inner;
        self.bar.suspend(|| inner.flush())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_template_is_valid() {
        assert!(ProgressStyle::with_template(PROGRESS_TEMPLATE).is_ok());
    }

    #[test]
    fn payload_names() {
        for name in [
            "a.json",
            "b.NDJSON",
            "c.jsonl",
            "d.json.gz",
            "e.jsonl.gz",
            "f.ndjson.gz",
            "g.json.zst",
        ] {
            assert!(is_payload_name(name), "{name}");
        }
        for name in ["a.txt", "b.gz", "c.json.bak", "json", "d.tar.gz", "e.zst"] {
            assert!(!is_payload_name(name), "{name}");
        }
    }

    #[test]
    fn walk_is_sorted_and_recursive() {
        let dir = env::temp_dir().join(format!("enquiry-cli-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("b/inner")).unwrap();
        for name in [
            "z.json",
            "a.ndjson",
            "notes.txt",
            "b/inner/x.jsonl.gz",
            "b/m.json",
        ] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        let (inputs, error, _) = collect_inputs(std::slice::from_ref(&dir));
        assert!(!error);
        let names: Vec<String> = inputs
            .iter()
            .map(|input| match input {
                Input::File(path) => path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                Input::Stdin => "-".to_owned(),
            })
            .collect();
        assert_eq!(
            names,
            ["a.ndjson", "b/inner/x.jsonl.gz", "b/m.json", "z.json"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
