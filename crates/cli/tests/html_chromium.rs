//! The HTML report in a real browser: headless Chromium opens the report of the fixtures (plus
//! a hostile record) with the network blocked, and the rendered page must show the JSON
//! report's counts (records by contract included), charts by day and the field profile, run its script without a Content-Security-Policy violation or any console
//! message, load nothing from outside the page, render input markup as text, and draw a
//! screenshot that is not blank.
//!
//! Needs Debian's `chromium` at /usr/bin/chromium (`apt-get install -y chromium`); the test
//! fails, saying so, when it is missing.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::{run_enquiry, TempDir};

const CHROMIUM: &str = "/usr/bin/chromium";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

/// A record whose unknown keys and values are markup.
const HOSTILE: &str = r#"{"_id": "h1", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing", "<script>alert(1)</script>": 1, "\"><img src=x onerror=alert(2)>": "<b>x</b>"}"#;

/// Runs Chromium headless on `page` with `args`, the network unreachable; returns stdout and
/// stderr.
fn chromium(profile: &Path, page: &Path, args: &[&str]) -> (String, String) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: this test needs Debian's chromium (apt-get install -y chromium)"
    );
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The number in `data-count` of the element `id`.
fn dom_count(dom: &str, id: &str) -> u64 {
    let marker = format!("id=\"{id}\" data-count=\"");
    let start = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the DOM"))
        + marker.len();
    let end = start + dom[start..].find('"').unwrap();
    dom[start..end].parse().unwrap()
}

/// Every value of `attribute` in `html`.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let marker = format!(" {attribute}=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            &html[start..start + html[start..].find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_report_in_chromium() {
    let dir = TempDir::new("chromium");
    let hostile = dir.write("hostile.ndjson", &format!("{HOSTILE}\n"));
    let hostile = hostile.to_str().unwrap();
    let output = run_enquiry(
        &dir.0,
        &[
            "validate",
            FIXTURES,
            hostile,
            "--format",
            "json=report.json",
            "--format",
            "html=report.html",
        ],
        None,
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("report.json")).unwrap()).unwrap();
    let page = dir.0.join("report.html");
    let html = fs::read_to_string(&page).unwrap();

    // Nothing outside the page: no src at all, links only to anchors, a strict policy.
    assert!(attribute_values(&html, "src").is_empty());
    assert!(attribute_values(&html, "href")
        .iter()
        .all(|href| href.starts_with('#')));
    let csp = attribute_values(&html, "content")
        .into_iter()
        .find(|value| value.starts_with("default-src 'none'"))
        .expect("a Content-Security-Policy meta");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{csp}"
    );

    let (dom, log) = chromium(&dir.0.join("profile-dom"), &page, &["--dump-dom"]);
    let console: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(
        dom.contains("<html lang=\"en\" class=\"js\">"),
        "the script did not run"
    );
    for key in ["files", "records", "valid", "invalid", "errors", "warnings"] {
        assert_eq!(
            dom_count(&dom, &format!("count-{key}")),
            json["summary"][key].as_u64().unwrap(),
            "{key}"
        );
    }
    // The data profile: records by contract add up to the records, and the charts by day
    // and the field profile are drawn.
    let by_contract: u64 = (0..)
        .map(|index| format!("contract-{index}-records"))
        .take_while(|id| dom.contains(&format!("id=\"{id}\"")))
        .map(|id| dom_count(&dom, &id))
        .sum();
    assert_eq!(by_contract, json["summary"]["records"].as_u64().unwrap());
    // The fixtures hold records, events and handshake bodies: the dated contracts (records
    // by `createdAt`, events by `date`) have a chart by day, every contract its field profile.
    assert_eq!(
        dom.matches("<svg class=\"chart days\" id=\"chart-day-")
            .count(),
        2
    );
    for (contract, member) in [("event", "/date"), ("record", "/createdAt")] {
        assert!(dom.contains(&format!(
            "<h2>Findings of <code>{contract}</code> by day of <code>{member}</code></h2>"
        )));
    }
    assert!(dom.contains("<table id=\"fields-0\" class=\"profile\">"));
    assert!(dom.contains("<table id=\"fields-3\" class=\"profile\">"));
    let findings = json["findings"].as_array().unwrap().len();
    assert_eq!(dom_count(&dom, "count-findings"), findings as u64);
    let rows = dom.matches("<tr class=\"").count();
    assert_eq!(rows, findings.min(500));
    assert!(
        dom.contains(&format!("<span id=\"shown\">{rows}</span>")),
        "the filter counted the rows"
    );

    // Input markup is text.
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!dom.contains("<img") && !dom.contains("<b>x"));
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("&lt;img src=x onerror=alert(2)&gt;"));

    let shot = dir.0.join("shot.png");
    let screenshot = format!("--screenshot={}", shot.display());
    chromium(
        &dir.0.join("profile-shot"),
        &page,
        &[&screenshot, "--window-size=1200,1600"],
    );
    let (variance, colours) = luminance_variance(&fs::read(&shot).unwrap());
    assert!(
        variance > 100.0 && colours > 8,
        "blank screenshot: variance {variance}, {colours} colours"
    );
}

/// The variance of the luminance of an 8-bit RGB or RGBA PNG, and how many distinct
/// luminances it has.
fn luminance_variance(png: &[u8]) -> (f64, usize) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (mut at, mut idat, mut header) = (8, Vec::new(), None);
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + length];
        match kind {
            b"IHDR" => header = Some(data.to_vec()),
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + length;
    }
    let header = header.unwrap();
    let width = u32::from_be_bytes(header[0..4].try_into().unwrap()) as usize;
    let channels = match (header[8], header[9]) {
        (8, 2) => 3,
        (8, 6) => 4,
        other => panic!("unexpected PNG depth/colour type {other:?}"),
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let pixels = unfilter(&raw, width * channels, channels);
    let lumas: Vec<f64> = pixels
        .chunks(channels)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let mean = lumas.iter().sum::<f64>() / lumas.len() as f64;
    let variance = lumas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lumas.len() as f64;
    let mut distinct: Vec<u64> = lumas.iter().map(|l| *l as u64).collect();
    distinct.sort_unstable();
    distinct.dedup();
    (variance, distinct.len())
}

/// Undoes PNG's per-row filters.
fn unfilter(raw: &[u8], stride: usize, bpp: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    for (row, line) in raw.chunks(stride + 1).enumerate() {
        let (filter, line) = (line[0], &line[1..]);
        let start = out.len();
        for (i, &byte) in line.iter().enumerate() {
            let left = if i >= bpp { out[start + i - bpp] } else { 0 };
            let up = if row > 0 { out[start + i - stride] } else { 0 };
            let up_left = if row > 0 && i >= bpp {
                out[start + i - stride - bpp]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                other => panic!("bad PNG filter {other}"),
            };
            out.push(byte.wrapping_add(predicted));
        }
    }
    out
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
