//! The input-shape rows of `cargo xtask bench`: the same records as a JSON array, a list
//! response, and NDJSON compressed with gzip and with zstd, and webhook events as NDJSON, each
//! validated end to end by the release CLI with `--jobs 1` and with every core, with the peak
//! resident memory of each run.
//!
//! Compressed rows count the decompressed bytes, so their MB/s compare with the plain rows;
//! the decompressor's own one-thread rate (in process, decoding to nowhere) is printed beside
//! them, since it bounds what any validator can reach. On few cores the decoding thread also
//! takes CPU time from validation: the target is 80% of plain NDJSON, or of that bound
//! ([`decompressor_bound`], from the decoder's and the in-process validator's rates) when it
//! is lower.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::bench::{Bench, CliRun};
use crate::bench_common::{file_len, human_bytes, mib, target};

/// Events generated per record of the record rows: about the same bytes of JSON text.
const EVENTS_PER_RECORD: u64 = 5;
/// The name of the events row.
const EVENTS: &str = "events NDJSON";

/// One input file and what it holds.
struct Shape {
    name: &'static str,
    file: PathBuf,
    /// Bytes of JSON text (decompressed).
    text_bytes: u64,
    /// The decompressor's own rate in MB/s of output, for compressed files.
    decompress_mb_s: Option<f64>,
}

/// What a shape measured.
struct Measured {
    one: CliRun,
    all: CliRun,
}

impl Measured {
    fn mb_s(shape: &Shape, elapsed: Duration) -> f64 {
        shape.text_bytes as f64 / 1e6 / elapsed.as_secs_f64()
    }
}

/// The most MB/s a compressed input can reach on `cores` cores when one thread decodes at
/// `decoder` MB/s and validating costs one core per `validate` MB/s: decoding is serial, and
/// its CPU time is taken from the cores that validate (decoding plus validating one MB costs
/// `1/decoder + 1/validate` core-seconds per MB, `cores` of which pass each second).
fn decompressor_bound(decoder: f64, validate: f64, cores: usize) -> f64 {
    let shared = cores as f64 / (1.0 / decoder + 1.0 / validate);
    decoder.min(shared)
}

/// Prepares the shapes from the NDJSON file `ndjson` (`records` fakes of seed 1), runs them
/// and prints their table and targets. Returns whether every run's report was the same for
/// `--jobs 1` and every core.
pub(crate) fn rows(
    bench: &Bench,
    ndjson: &Path,
    records: u64,
    cores: usize,
    validate_mb_s: f64,
) -> Result<bool, String> {
    let shapes = prepare(bench, ndjson, records)?;
    let mut measured = Vec::new();
    for shape in &shapes {
        eprintln!(
            "validating the {} ({}) ...",
            shape.name,
            human_bytes(shape.text_bytes)
        );
        let (one, all) = bench.validate_cli_alternating(&shape.file, cores)?;
        measured.push(Measured { one, all });
    }
    println!();
    println!("| input shape | `--jobs 1` MB/s | `--jobs {cores}` MB/s | speed-up | peak RSS (1 / {cores}) | decompressor alone |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (shape, run) in shapes.iter().zip(&measured) {
        let (one, all) = (
            Measured::mb_s(shape, run.one.elapsed),
            Measured::mb_s(shape, run.all.elapsed),
        );
        let decompressor = shape
            .decompress_mb_s
            .map_or_else(|| "-".to_owned(), |rate| format!("{rate:.0} MB/s"));
        println!(
            "| {} | {one:.0} | {all:.0} | {:.2}x | {:.1} / {:.1} MiB | {decompressor} |",
            shape.name,
            all / one,
            mib(run.one.peak_kib),
            mib(run.all.peak_kib),
        );
    }
    println!();
    println!("| target | measured | goal | verdict |");
    println!("|---|---:|---:|---|");
    let mut identical = true;
    let plain_rate = |name: &str| {
        shapes
            .iter()
            .zip(&measured)
            .find(|(shape, _)| shape.name == name)
            .map(|(shape, run)| Measured::mb_s(shape, run.all.elapsed))
    };
    let records_one = shapes
        .iter()
        .zip(&measured)
        .find(|(shape, _)| shape.name == "NDJSON")
        .map(|(shape, run)| Measured::mb_s(shape, run.one.elapsed));
    for (shape, run) in shapes.iter().zip(&measured) {
        let (one, all) = (
            Measured::mb_s(shape, run.one.elapsed),
            Measured::mb_s(shape, run.all.elapsed),
        );
        if let (EVENTS, Some(records)) = (shape.name, records_one) {
            target(
                "events: `--jobs 1` / records `--jobs 1`",
                one / records,
                0.8,
                "x",
            );
        }
        if shape.decompress_mb_s.is_none() {
            target(
                &format!("{}: `--jobs {cores}` / `--jobs 1`", shape.name),
                all / one,
                1.7,
                "x",
            );
            target(
                &format!("{}: `--jobs {cores}` end to end", shape.name),
                all,
                1000.0,
                " MB/s",
            );
        } else if let (Some(plain), Some(decoder)) = (plain_rate("NDJSON"), shape.decompress_mb_s) {
            let allowed = decompressor_bound(decoder, validate_mb_s, cores);
            println!(
                "| {}: what the decompressor allows on {cores} cores | {allowed:.0} MB/s | - | - |",
                shape.name
            );
            target(
                &format!(
                    "{}: `--jobs {cores}` / the lower of plain NDJSON and that bound",
                    shape.name
                ),
                all / plain.min(allowed),
                0.8,
                "x",
            );
        }
        let peak = mib(run.one.peak_kib.max(run.all.peak_kib));
        let verdict = if peak <= 64.0 { "PASS" } else { "SHORT" };
        println!(
            "| {}: peak resident memory | {peak:.1} MiB | <= 64 MiB | {verdict} |",
            shape.name
        );
        identical &= run.one.report == run.all.report;
    }
    Ok(identical)
}

fn prepare(bench: &Bench, ndjson: &Path, records: u64) -> Result<Vec<Shape>, String> {
    let dir = ndjson.parent().unwrap_or(Path::new("."));
    let ndjson_bytes = file_len(ndjson)?;
    let array = dir.join("big.json");
    eprintln!("generating the JSON array and the list response ...");
    bench.fake_to(records, 1, &["--format", "json", "--output"], &array)?;
    let array_bytes = file_len(&array)?;
    let list = dir.join("big-list.json");
    write_list_response(&array, &list, records)?;
    let list_bytes = file_len(&list)?;
    eprintln!("compressing the NDJSON with gzip and zstd ...");
    let zst = dir.join("big.ndjson.zst");
    bench.fake_to(records, 1, &["--output"], &zst)?;
    let gz = dir.join("big.ndjson.gz");
    gzip_file(ndjson, &gz)?;
    let gzip_rate = decode_rate(ndjson_bytes, || {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(open(&gz)?)))
    })?;
    let zstd_rate = decode_rate(ndjson_bytes, || {
        let decoder =
            zstd::stream::read::Decoder::new(open(&zst)?).map_err(|err| format!("zstd: {err}"))?;
        Ok(Box::new(decoder))
    })?;
    eprintln!("generating webhook events ...");
    let events = dir.join("events.ndjson");
    let event_args = ["--contract", "event", "--output"];
    bench.fake_to(records * EVENTS_PER_RECORD, 1, &event_args, &events)?;
    let events_bytes = file_len(&events)?;
    let plain = |name, file, text_bytes| Shape {
        name,
        file,
        text_bytes,
        decompress_mb_s: None,
    };
    Ok(vec![
        plain("NDJSON", ndjson.to_path_buf(), ndjson_bytes),
        plain("JSON array", array, array_bytes),
        plain("list response", list, list_bytes),
        Shape {
            name: "NDJSON .gz",
            file: gz,
            text_bytes: ndjson_bytes,
            decompress_mb_s: Some(gzip_rate),
        },
        Shape {
            name: "NDJSON .zst",
            file: zst,
            text_bytes: ndjson_bytes,
            decompress_mb_s: Some(zstd_rate),
        },
        plain(EVENTS, events, events_bytes),
    ])
}

fn open(path: &Path) -> Result<BufReader<File>, String> {
    File::open(path)
        .map(|file| BufReader::with_capacity(1 << 20, file))
        .map_err(|err| format!("cannot open {}: {err}", path.display()))
}

/// The list response `{"code":0,"data":ARRAY,"total":N}` around the array file, streamed.
fn write_list_response(array: &Path, out: &Path, records: u64) -> Result<(), String> {
    let fail = |err: io::Error| format!("cannot write {}: {err}", out.display());
    let mut writer = BufWriter::new(File::create(out).map_err(fail)?);
    writer.write_all(b"{\"code\":0,\"data\":").map_err(fail)?;
    io::copy(&mut open(array)?, &mut writer).map_err(fail)?;
    writeln!(writer, ",\"total\":{records}}}").map_err(fail)?;
    writer.flush().map_err(fail)
}

fn gzip_file(input: &Path, out: &Path) -> Result<(), String> {
    let fail = |err: io::Error| format!("cannot write {}: {err}", out.display());
    let file = BufWriter::new(File::create(out).map_err(fail)?);
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    io::copy(&mut open(input)?, &mut encoder).map_err(fail)?;
    encoder
        .finish()
        .and_then(|mut file| file.flush())
        .map_err(fail)
}

/// The decompressor's own rate: MB/s of output, decoding the whole file to nowhere, best of two.
/// It reads into blocks of the size the validator's decompressing thread fills: small reads
/// (`io::copy`'s 8 KiB) cost a decoder more per byte.
fn decode_rate(
    output_bytes: u64,
    reader: impl Fn() -> Result<Box<dyn Read>, String>,
) -> Result<f64, String> {
    let mut block = vec![0u8; 512 * 1024];
    let mut best = Duration::MAX;
    for _ in 0..2 {
        let mut decoder = reader()?;
        let started = Instant::now();
        while decoder
            .read(&mut block)
            .map_err(|err| format!("decoding: {err}"))?
            > 0
        {}
        best = best.min(started.elapsed());
    }
    Ok(output_bytes as f64 / 1e6 / best.as_secs_f64())
}

/// Removes the shape files (they are as large as the NDJSON each).
pub(crate) fn clean(dir: &Path) {
    for name in [
        "big.json",
        "big-list.json",
        "big.ndjson.gz",
        "big.ndjson.zst",
        "events.ndjson",
    ] {
        let _ = fs::remove_file(dir.join(name));
    }
}

#[cfg(test)]
mod tests {
    use super::decompressor_bound;

    #[test]
    fn the_decompressor_bound_is_the_slower_of_decoding_and_sharing_the_cores() {
        // A decoder as fast as validation: each MB costs two core-shares, two cores give 1.
        assert!((decompressor_bound(1000.0, 1000.0, 2) - 1000.0).abs() < 1e-9);
        // A very fast decoder leaves every core to validation.
        assert!((decompressor_bound(1e12, 500.0, 4) - 2000.0).abs() < 1e-3);
        // A slow decoder is the bound itself, however many cores validate.
        assert!((decompressor_bound(300.0, 1000.0, 8) - 300.0).abs() < 1e-9);
    }
}
