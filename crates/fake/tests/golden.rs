//! Pins the generator's output bytes: the same version, seed and options must give the same
//! bytes forever. A change here is a breaking change of the data other projects test against.
//!
//! After a deliberate change, bless with the workspace's one bless workflow,
//! `INSTA_UPDATE=always cargo test -p enquiry-fake --test golden` (insta's variable: these are
//! byte files, which insta's text snapshots cannot hold), and say so in the changelog. The files end in `.golden`, not `.ndjson`/`.json`,
//! so that tools validating payload files in the repository leave the deliberately broken ones alone.

use std::path::PathBuf;

use enquiry_fake::{Generator, InvalidRate, Options};

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Compares `actual` with the golden file, failing with the first differing line.
fn check(name: &str, actual: &[u8]) {
    let path = golden_path(name);
    if std::env::var_os("INSTA_UPDATE").is_some_and(|value| value == "always") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err} (INSTA_UPDATE=always writes it)",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let expected_text = String::from_utf8_lossy(&expected);
    let actual_text = String::from_utf8_lossy(actual);
    let mut expected_lines = expected_text.lines();
    let mut actual_lines = actual_text.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(want), Some(got)) if want == got => line += 1,
            (want, got) => {
                let column = match (want, got) {
                    (Some(want), Some(got)) => {
                        want.bytes()
                            .zip(got.bytes())
                            .take_while(|(a, b)| a == b)
                            .count()
                            + 1
                    }
                    _ => 1,
                };
                panic!(
                    "the output of {name} changed at line {line}, column {column}:\n  expected: {}\n  actual:   {}\n(a deliberate change? rerun with INSTA_UPDATE=always)",
                    want.unwrap_or("<end of file>"),
                    got.unwrap_or("<end of file>"),
                );
            }
        }
    }
}

#[test]
fn seed_1_ndjson() {
    let generator = Generator::new(Options {
        seed: 1,
        ..Options::default()
    })
    .unwrap();
    let mut out = Vec::new();
    generator.write_ndjson(3, &mut out).unwrap();
    check("seed-1.ndjson.golden", &out);
}

#[test]
fn seed_7_ndjson() {
    let generator = Generator::new(Options {
        seed: 7,
        ..Options::default()
    })
    .unwrap();
    let mut out = Vec::new();
    generator.write_ndjson(3, &mut out).unwrap();
    check("seed-7.ndjson.golden", &out);
}

#[test]
fn seed_7_json_array() {
    let generator = Generator::new(Options {
        seed: 7,
        ..Options::default()
    })
    .unwrap();
    let mut out = Vec::new();
    generator.write_json_array(2, &mut out).unwrap();
    check("seed-7.json.golden", &out);
}

#[test]
fn seed_3_invalid_only_with_manifest() {
    let generator = Generator::new(Options {
        seed: 3,
        invalid: InvalidRate::Always,
        ..Options::default()
    })
    .unwrap();
    let mut out = Vec::new();
    let labels = generator.write_ndjson(6, &mut out).unwrap();
    check("seed-3-invalid.ndjson.golden", &out);
    let mut manifest = serde_json::to_vec_pretty(&labels).unwrap();
    manifest.push(b'\n');
    check("seed-3-invalid.manifest.json.golden", &manifest);
}
