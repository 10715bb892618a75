//! The `docs/report/` producer: a screenshot of an example HTML report, for the README.
//!
//! The page is the HTML report of fake captures (fixed seed, 10% invalid records), rendered by
//! the library exactly as `enquiry validate --format html` renders it, so it is byte-for-byte
//! reproducible (a test checks it). It is not checked in: only its screenshot is.
//!
//! The screenshot is taken by headless Chromium, whose pixels depend on its version and the
//! fonts installed: comparing them would fail on every other machine. So the PNG carries the
//! SHA-256 of the page it shows (a `tEXt` chunk), and the producer keeps the checked-in PNG as
//! long as that hash is the current page's. When the page changes, the screenshot is stale:
//! `cargo xtask codegen` retakes it (it needs Debian's `chromium`) and `--check` fails, saying
//! so, without needing Chromium. What is checked is therefore "the screenshot shows the current
//! report", not its exact pixels.

use std::fs;
use std::path::Path;
use std::process::Command;

use enquiry_fake::{Generator, InvalidRate, Options};
use enquiry_report::{reporter, Format, HumanOptions};
use enquiry_validator::{Config, DataProfile, Event, Validator};
use sha2::{Digest, Sha256};

use crate::codegen::workspace_root;
use crate::generated_file::GeneratedFile;

const SHOT: &str = "docs/report/screenshot.png";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The PNG text keyword holding the page's hash.
const KEYWORD: &str = "enquiry-report-sha256";
const SEED: u64 = 20_221_107;
const RECORDS: u64 = 2_000;
/// The name the example input has in the report.
const INPUT: &str = "captures/enquiries.ndjson";

/// The example page and its screenshot.
pub fn generate() -> Result<Vec<GeneratedFile>, String> {
    let page = example_page()?;
    let hash = hex(&Sha256::digest(page.as_bytes()));
    let current = fs::read(workspace_root().join(SHOT)).ok();
    let shot = match current {
        Some(png) if png_text(&png, KEYWORD).as_deref() == Some(hash.as_str()) => png,
        _ => screenshot(&page, &hash)?,
    };
    Ok(vec![GeneratedFile::new(SHOT, shot)])
}

/// The HTML report of the example captures.
fn example_page() -> Result<String, String> {
    let generator = Generator::new(Options {
        seed: SEED,
        invalid: InvalidRate::PerMillion(100_000),
        ..Options::default()
    })
    .map_err(|err| err.to_string())?;
    let mut input = Vec::new();
    generator
        .write_ndjson(RECORDS, &mut input)
        .map_err(|err| err.to_string())?;
    let mut out = Vec::new();
    {
        let mut report = reporter(
            Format::Html,
            Box::new(&mut out),
            false,
            HumanOptions::default(),
        );
        let mut profile = DataProfile::new();
        let mut failure = None;
        let summary = Validator::new(Config::default())
            .validate_stream_profiled(
                &input[..],
                INPUT,
                1,
                &mut |event| {
                    let result = match &event {
                        Event::Record(outcome) => report.record(outcome),
                        Event::Input(finding) => report.input(finding),
                    };
                    failure = failure.take().or(result.err());
                },
                &mut profile,
            )
            .map_err(|err| err.to_string())?;
        report.data_profile(&profile);
        report
            .finish(&summary, summary.errors > 0)
            .map_err(|err| err.to_string())?;
        if let Some(err) = failure {
            return Err(err.to_string());
        }
    }
    String::from_utf8(out).map_err(|err| err.to_string())
}

/// Chromium's screenshot of `page`, with `hash` written into it.
fn screenshot(page: &str, hash: &str) -> Result<Vec<u8>, String> {
    if !Path::new(CHROMIUM).exists() {
        return Err(format!(
            "{SHOT} shows another version of the report: run `cargo xtask codegen` where {CHROMIUM} is installed (apt-get install -y chromium) to retake it"
        ));
    }
    let dir = std::env::temp_dir().join(format!("enquiry-screenshot-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|err| err.to_string())?;
    let html = dir.join("report.html");
    let png = dir.join("shot.png");
    fs::write(&html, page).map_err(|err| err.to_string())?;
    let status = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-color-profile=srgb",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .map_err(|err| format!("cannot run {CHROMIUM}: {err}"))?;
    let shot = fs::read(&png);
    let _ = fs::remove_dir_all(&dir);
    let shot = shot.map_err(|_| {
        format!(
            "{CHROMIUM} took no screenshot ({}): {}",
            status.status,
            String::from_utf8_lossy(&status.stderr)
        )
    })?;
    with_png_text(&shot, KEYWORD, hash)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The PNG's chunks: (type, data).
fn png_chunks(png: &[u8]) -> Option<Vec<([u8; 4], &[u8])>> {
    let mut rest = png.strip_prefix(PNG_SIGNATURE)?;
    let mut chunks = Vec::new();
    while !rest.is_empty() {
        let length = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = rest.get(4..8)?.try_into().ok()?;
        chunks.push((kind, rest.get(8..8 + length)?));
        rest = rest.get(12 + length..)?;
    }
    Some(chunks)
}

/// The text of `keyword` in the PNG's `tEXt` chunks.
fn png_text(png: &[u8], keyword: &str) -> Option<String> {
    png_chunks(png)?.into_iter().find_map(|(kind, data)| {
        let text = data.strip_prefix(keyword.as_bytes())?.strip_prefix(b"\0")?;
        (&kind == b"tEXt").then(|| String::from_utf8_lossy(text).into_owned())
    })
}

/// The PNG with a `tEXt` chunk `keyword` = `text` after its header.
fn with_png_text(png: &[u8], keyword: &str, text: &str) -> Result<Vec<u8>, String> {
    let chunks = png_chunks(png).ok_or("Chromium's screenshot is not a PNG")?;
    let mut out = PNG_SIGNATURE.to_vec();
    let mut push = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    };
    for (index, (kind, data)) in chunks.iter().enumerate() {
        push(kind, data);
        if index == 0 {
            push(
                b"tEXt",
                &[keyword.as_bytes(), b"\0", text.as_bytes()].concat(),
            );
        }
    }
    Ok(out)
}

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn the_page_hash_round_trips_through_a_png() {
        // A 1x1 grey PNG.
        let mut png = PNG_SIGNATURE.to_vec();
        for (kind, data) in [
            (b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0][..]),
            (
                b"IDAT",
                &[0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81][..],
            ),
            (b"IEND", &[][..]),
        ] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = png.len();
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            let crc = crc32(&png[start..]);
            png.extend_from_slice(&crc.to_be_bytes());
        }
        assert_eq!(png_text(&png, KEYWORD), None);
        let marked = with_png_text(&png, KEYWORD, "abc123").unwrap();
        assert_eq!(png_text(&marked, KEYWORD).as_deref(), Some("abc123"));
        let kinds: Vec<[u8; 4]> = png_chunks(&marked).unwrap().iter().map(|c| c.0).collect();
        assert_eq!(kinds, [*b"IHDR", *b"tEXt", *b"IDAT", *b"IEND"]);
    }

    #[test]
    fn the_example_page_is_reproducible() {
        let page = example_page().unwrap();
        assert_eq!(page, example_page().unwrap());
        assert!(page.contains("id=\"chart-day-0\""));
        assert!(page.contains("id=\"fields-0\""));
    }
}
