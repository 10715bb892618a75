//! `enquiry fake`: deterministic fake enquiries, valid or carrying one labelled defect each.
//!
//! All the work is done by `enquiry-fake`'s [`Generator`]; this module turns flags into
//! [`Options`], opens the output and the manifest, and maps failures to exit codes: `0` done
//! (also when the reader of standard output goes away), `1` a write failed, `2` a bad flag
//! value or an unreadable or unwritable path.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use enquiry_fake::{Generator, InvalidRate, Label, Options, Profile};
use enquiry_schema::{Channel, Status};

/// Output framing of `enquiry fake`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FakeFormat {
    /// One record a line (NDJSON).
    Ndjson,
    /// One JSON array, one record a line.
    Json,
    /// The API's list response (`{"code":200,"total":N,...,"enquiryDetails":[...]}`), one
    /// record a line.
    ListResponse,
}

/// The contracts `enquiry fake` generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FakeContract {
    /// Enquiry records.
    Record,
    /// Enquiry webhook events.
    Event,
}

/// The validator profiles `enquiry fake` generates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FakeProfile {
    /// Records that pass the default profile with no error and no warning.
    Default,
    /// Records that pass the strict profile with no error and no warning: every documented
    /// member present (blanks where one does not apply), canonical timestamps; defects also
    /// break the rules that are warnings in the default profile.
    Strict,
}

/// Arguments of `enquiry fake`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  enquiry fake --count 100000 --seed 1 | enquiry validate -\n  enquiry fake --count 1000 --invalid-rate 0.1 --manifest expected.json > mixed.ndjson\n  enquiry fake --profile strict --count 1000 | enquiry validate --profile strict --deny-warnings -"
)]
pub struct FakeArgs {
    /// What to generate: enquiry records, or webhook events (the lifecycle events of the
    /// records, with the same --invalid-rate, --invalid-only and --manifest).
    #[arg(long, value_enum, value_name = "NAME", default_value_t = FakeContract::Record)]
    pub contract: FakeContract,

    /// The validator profile the records are for: `strict` records have every member the
    /// strict profile requires (`""`, `[]`, 0, or `createdAt` where a member does not apply),
    /// and its defects include the rules the default profile reports as warnings. Events are
    /// the same in both profiles.
    #[arg(long, value_enum, value_name = "PROFILE", default_value_t = FakeProfile::Default)]
    pub profile: FakeProfile,

    /// With the default profile, also plant defects of the rules it reports as warnings
    /// (status-consistency, close-duration, unknown-field, null-value, unrecognised-value,
    /// undocumented-shape); the manifest then gives each label's severity.
    #[arg(long)]
    pub with_warnings: bool,

    /// How many records to write.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub count: u64,

    /// The seed. The same version, seed and flags give byte-identical output on every platform,
    /// and record N is the same whatever --count is.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// Output framing.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = FakeFormat::Ndjson)]
    pub format: FakeFormat,

    /// The share of records carrying exactly one labelled defect: from 0 to 1 (`0.05`) or a
    /// percentage (`5%`). Decided per record index.
    #[arg(long, value_name = "R", conflicts_with = "invalid_only")]
    pub invalid_rate: Option<String>,

    /// Every record carries exactly one labelled defect.
    #[arg(long)]
    pub invalid_only: bool,

    /// Write a JSON array of {"record", "pointer", "code"}, one per invalid record, to FILE.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// Draw labelIDs from FILE: a Get Label List response or a JSON array of label IDs. Adds
    /// `label-unknown` defects (validate with the same --labels).
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,

    /// The tenant's channel list, a JSON array of names: records use its channels and gain
    /// `channel-unknown` defects (validate with the same --channels).
    #[arg(long, value_name = "FILE")]
    pub channels: Option<PathBuf>,

    /// Only this status; repeat or separate with commas for several.
    #[arg(long, value_name = "S", value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(Status::DOCUMENTED))]
    pub status: Vec<String>,

    /// Only this channel (a documented one, or one of --channels); repeat or separate with
    /// commas for several.
    #[arg(long, value_name = "C", value_delimiter = ',')]
    pub channel: Vec<String>,

    /// Write the records to FILE instead of standard output; a FILE ending in `.zst` is
    /// written Zstandard-compressed.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write a consistent capture into DIR instead: `records.ndjson` (valid records),
    /// `events.ndjson` (each record's lifecycle events, as the webhook sends them) and
    /// `dataset.json` (seed and counts). `enquiry reconcile` finds nothing in it.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "format", "invalid_rate", "invalid_only", "manifest", "contract", "with_warnings"])]
    pub dataset: Option<PathBuf>,
}

/// A failure of `enquiry fake` and its exit code.
struct Failure {
    message: String,
    code: u8,
}

fn usage(message: String) -> Failure {
    Failure { message, code: 2 }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|err| usage(format!("cannot read {what} {}: {err}", path.display())))
}

fn create_file(path: &Path, what: &str) -> Result<BufWriter<File>, Failure> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|err| usage(format!("cannot create {what} {}: {err}", path.display())))
}

fn options(args: &FakeArgs) -> Result<Options, Failure> {
    let invalid = match (&args.invalid_rate, args.invalid_only) {
        (_, true) => InvalidRate::Always,
        (Some(rate), false) => {
            InvalidRate::parse(rate).map_err(|err| usage(format!("--invalid-rate: {err}")))?
        }
        (None, false) => InvalidRate::Never,
    };
    let labels = match &args.labels {
        Some(path) => {
            let bytes = read_file(path, "label list")?;
            let set = enquiry_validator::config::parse_label_list(&bytes)
                .map_err(|err| usage(format!("--labels {}: {err}", path.display())))?;
            Some(set.into_iter().collect())
        }
        None => None,
    };
    let channel_list = match &args.channels {
        Some(path) => {
            let bytes = read_file(path, "channel list")?;
            let set = enquiry_validator::config::parse_channel_list(&bytes)
                .map_err(|err| usage(format!("--channels {}: {err}", path.display())))?;
            Some(set.into_iter().collect())
        }
        None => None,
    };
    check_channels(&args.channel, channel_list.as_deref())?;
    Ok(Options {
        seed: args.seed,
        invalid,
        statuses: args
            .status
            .iter()
            .map(|status| Status::from_wire(status))
            .collect(),
        channels: args
            .channel
            .iter()
            .map(|channel| Channel::from_wire(channel))
            .collect(),
        labels,
        channel_list,
        profile: match args.profile {
            FakeProfile::Default => Profile::Default,
            FakeProfile::Strict => Profile::Strict,
        },
        warnings: args.with_warnings,
    })
}

/// Refuses a `--channel` that is neither documented nor in the tenant's list when a known
/// channel is spelt nearly the same, naming it (the generator would only list them all).
fn check_channels(wanted: &[String], tenant: Option<&[String]>) -> Result<(), Failure> {
    let known: Vec<&str> = Channel::DOCUMENTED
        .iter()
        .copied()
        .chain(tenant.unwrap_or_default().iter().map(String::as_str))
        .collect();
    for channel in wanted {
        if known.contains(&channel.as_str()) {
            continue;
        }
        if let Some(near) = enquiry_validator::did_you_mean(known.iter().copied(), channel) {
            return Err(usage(format!(
                "--channel: unknown channel `{channel}`; did you mean `{near}`?"
            )));
        }
    }
    Ok(())
}

/// Streams the labels into a JSON array, keeping the first write error.
struct ManifestWriter<W: Write> {
    out: W,
    count: u64,
    error: Option<io::Error>,
}

impl<W: Write> ManifestWriter<W> {
    fn push(&mut self, label: &Label) {
        if self.error.is_some() {
            return;
        }
        let separator: &[u8] = if self.count == 0 { b"[\n  " } else { b",\n  " };
        self.count += 1;
        let result = self
            .out
            .write_all(separator)
            .and_then(|()| serde_json::to_writer(&mut self.out, label).map_err(io::Error::from));
        if let Err(err) = result {
            self.error = Some(err);
        }
    }

    fn finish(mut self) -> io::Result<()> {
        if let Some(err) = self.error {
            return Err(err);
        }
        self.out
            .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

/// Where the records go: standard output, a file, or a Zstandard-compressed file.
enum Output<'a> {
    Stdout(io::StdoutLock<'a>),
    File(BufWriter<File>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Output<'_> {
    /// The zstd level: its default, fast enough to keep up with the generator on one core.
    const ZSTD_LEVEL: i32 = 3;

    fn open(path: Option<&Path>) -> Result<Output<'static>, Failure> {
        let Some(path) = path else {
            return Ok(Output::Stdout(io::stdout().lock()));
        };
        let file = create_file(path, "output")?;
        if path.extension().is_some_and(|extension| extension == "zst") {
            let encoder = zstd::stream::write::Encoder::new(file, Self::ZSTD_LEVEL)
                .map_err(|err| usage(format!("cannot start zstd output: {err}")))?;
            return Ok(Output::Zstd(encoder));
        }
        Ok(Output::File(file))
    }

    /// Ends the compressed frame (when there is one) and flushes.
    fn finish(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush(),
            Output::File(mut out) => out.flush(),
            Output::Zstd(encoder) => encoder.finish()?.flush(),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Output::Stdout(out) => out,
            Output::File(out) => out,
            Output::Zstd(out) => out,
        }
    }
}

/// Writes the records, their events and a description of both into `dir`.
fn generate_dataset(generator: &Generator, args: &FakeArgs, dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|err| usage(format!("cannot create {}: {err}", dir.display())))?;
    let records = create_file(&dir.join("records.ndjson"), "records")?;
    let events = create_file(&dir.join("events.ndjson"), "events")?;
    let write_failed = |err: io::Error| Failure {
        message: format!("cannot write the dataset: {err}"),
        code: 1,
    };
    let counts = enquiry_fake::dataset::write_dataset(generator, args.count, records, events)
        .map_err(write_failed)?;
    let description = serde_json::json!({
        "seed": args.seed,
        "records": counts.records,
        "events": counts.events,
        "recordsFile": "records.ndjson",
        "eventsFile": "events.ndjson",
    });
    let mut text = serde_json::to_vec_pretty(&description)
        .map_err(io::Error::from)
        .map_err(write_failed)?;
    text.push(b'\n');
    std::fs::write(dir.join("dataset.json"), text).map_err(write_failed)
}

/// Refuses flag combinations that mean nothing: a reason each.
fn check_combination(args: &FakeArgs) -> Result<(), Failure> {
    let refusal = if args.dataset.is_some() && args.profile == FakeProfile::Strict {
        "--dataset writes default-profile records (the strict profile's placeholder instants did \
         not happen, so no event follows them); drop --profile strict"
    } else if args.contract == FakeContract::Event && args.with_warnings {
        "--with-warnings is for records: event defects always include the event rules' warnings"
    } else if (args.contract, args.format) == (FakeContract::Event, FakeFormat::ListResponse) {
        "--format list-response frames records; webhook events are sent one at a time \
         (use ndjson or json)"
    } else {
        return Ok(());
    };
    Err(usage(refusal.to_owned()))
}

fn generate(args: &FakeArgs) -> Result<(), Failure> {
    check_combination(args)?;
    let generator = Generator::new(options(args)?).map_err(|err| usage(err.to_string()))?;
    if let Some(dir) = &args.dataset {
        return generate_dataset(&generator, args, dir);
    }
    let mut manifest = match &args.manifest {
        Some(path) => Some(ManifestWriter {
            out: create_file(path, "manifest")?,
            count: 0,
            error: None,
        }),
        None => None,
    };
    let mut output = Output::open(args.output.as_deref())?;
    let writer = output.writer();
    let on_label = |label: Label| {
        if let Some(manifest) = manifest.as_mut() {
            manifest.push(&label);
        }
    };
    let array = args.format == FakeFormat::Json;
    let written = match (args.contract, args.format) {
        // list-response is refused above for events.
        (FakeContract::Event, _) => {
            generator.write_events_with(args.count, writer, array, on_label)
        }
        (FakeContract::Record, FakeFormat::Ndjson) => {
            generator.write_ndjson_with(args.count, writer, on_label)
        }
        (FakeContract::Record, FakeFormat::Json) => {
            generator.write_json_array_with(args.count, writer, on_label)
        }
        (FakeContract::Record, FakeFormat::ListResponse) => {
            generator.write_list_response_with(args.count, writer, on_label)
        }
    };
    match written.and_then(|()| output.finish()) {
        Ok(()) => {}
        // The reader went away (`enquiry fake | head`): not a failure of ours.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(err) => {
            return Err(Failure {
                message: format!("cannot write the records: {err}"),
                code: 1,
            })
        }
    }
    if let Some(manifest) = manifest {
        manifest.finish().map_err(|err| Failure {
            message: format!("cannot write the manifest: {err}"),
            code: 1,
        })?;
    }
    Ok(())
}

/// Runs `enquiry fake`.
pub fn run(args: &FakeArgs) -> u8 {
    match generate(args) {
        Ok(()) => 0,
        Err(failure) => {
            crate::diag::error_line(&format!("enquiry fake: {}", failure.message));
            failure.code
        }
    }
}
