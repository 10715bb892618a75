//! Tidy: the contract tables are the only place a documented member name or enum spelling is
//! written. Reads the workspace's Rust sources and fails on a string literal that spells one
//! (of any contract: the record, the webhook event, the handshake, the label list) outside
//! the table modules, generated code and the places listed below with their reasons.
//!
//! Files that still spell names are listed in [`NOT_YET`] with how many literals they hold: the
//! count may only go down (the test asks for it to be lowered when it does), and a file not
//! listed may hold none.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use enquiry_schema::contracts;
use enquiry_schema::fields::{fields_of, FieldKind};

/// Where names may be written, and why.
const ALLOWED: &[(&str, &str)] = &[
    ("crates/schema/src/fields.rs", "the record's table"),
    (
        "crates/schema/src/contract.rs",
        "the contract type and the record contract's cross-member rules",
    ),
    (
        "crates/schema/src/contracts.rs",
        "the webhook contracts' tables",
    ),
    ("crates/schema/src/generated/", "generated code"),
    (
        "/tests/",
        "test payloads are data, written as a consumer of the contract writes them",
    ),
    ("fuzz/", "fuzz seeds are data"),
    (
        "crates/validator/src/validator/items/tests.rs",
        "a test module: payloads are data",
    ),
];

/// Files that still spell names instead of reading them from the tables, with the number of
/// such literals today and why. Lower a count when a file loses literals; never raise one.
const NOT_YET: &[(&str, usize, &str)] = &[
    (
        "crates/schema/src/rule.rs",
        1,
        "the rule code `ip`, a rule's id that happens to spell the member",
    ),
    (
        "crates/fake/src/record.rs",
        1,
        "the channel sub-type `EMAIL` (a value of the record's `type`), which spells an event channel",
    ),
    (
        "crates/fake/src/mutate.rs",
        2,
        "the `ip` mutant's id and rule code, which spell the member",
    ),
    (
        "crates/mock/src/openapi.rs",
        3,
        "the subscription body's `updatedAt` and the handshake's webhook name: no contract's members",
    ),
    (
        "crates/mock/src/webhook.rs",
        1,
        "the subscription body's `updatedAt`, no contract's member",
    ),
    ("crates/mock/src/server.rs", 1, "the health body's `status`"),
];

/// Names that are also words of JSON Schema, SARIF, HTTP or the JSON report (`type`, `code`,
/// `id`, `name` ...): as literals they are far more often those than the member, so they
/// are not checked.
const VOCABULARY: &[&str] = &[
    "type", "code", "id", "name", "result", "language", "location", "duration", "date", "platform",
    "tag",
];

/// Every documented member key and enum spelling of every contract.
fn documented_names() -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for contract in contracts::ALL {
        for rule in fields_of(contract.fields) {
            names.insert(rule.key());
            let mut kind = rule.kind;
            while let FieldKind::ArrayOf(item) = kind {
                kind = *item;
            }
            if let FieldKind::Enum(values)
            | FieldKind::Channel(values)
            | FieldKind::RecognisedText(values)
            | FieldKind::TextOrTextList(values) = kind
            {
                names.extend(values.iter().copied());
            }
        }
    }
    for word in VOCABULARY {
        names.remove(word);
    }
    names
}

fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

/// The string literals of one line of code (comments skipped), without their quotes.
fn literals(line: &str) -> Vec<&str> {
    let code = line.trim_start();
    if code.starts_with("//") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let mut at = 0;
    while let Some(offset) = line[at..].find('"') {
        let start = at + offset + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        if end >= bytes.len() {
            break;
        }
        found.push(&line[start..end]);
        at = end + 1;
    }
    found
}

/// (file, line, literal) of every documented name written outside the allowed places; the
/// unit tests of a file (after `#[cfg(test)]` at the start of a line) are test data.
fn offenders(names: &BTreeSet<&str>) -> Vec<(String, usize, String)> {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "xtask", "fuzz"] {
        rust_files(&root.join(dir), &root, &mut files);
    }
    files.sort();
    let mut found = Vec::new();
    for file in files {
        if ALLOWED
            .iter()
            .any(|(place, _)| file.starts_with(place) || file.contains(place))
        {
            continue;
        }
        let Ok(text) = fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (index, line) in text.lines().enumerate() {
            if line.starts_with("#[cfg(test)]") {
                break;
            }
            for literal in literals(line) {
                if names.contains(literal) {
                    found.push((file.clone(), index + 1, literal.to_owned()));
                }
            }
        }
    }
    found
}

#[test]
fn documented_names_are_written_only_in_the_contract_tables() {
    let names = documented_names();
    assert!(names.contains("labelIDs") && names.contains("channelOri") && names.contains("Opened"));
    let mut per_file: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for (file, line, literal) in offenders(&names) {
        per_file.entry(file).or_default().push((line, literal));
    }
    let mut problems = Vec::new();
    for (file, hits) in &per_file {
        match NOT_YET.iter().find(|(known, ..)| known == file) {
            Some((_, limit, _)) if hits.len() <= *limit => {}
            Some((_, limit, _)) => problems.push(format!(
                "{file}: {} literals spell documented names, more than the {limit} known; read them from enquiry_schema's tables: {hits:?}",
                hits.len()
            )),
            None => problems.push(format!(
                "{file}: spells documented names; read them from enquiry_schema's tables (or list the file with a reason): {hits:?}"
            )),
        }
    }
    for (file, limit, _) in NOT_YET {
        let count = per_file.get(*file).map_or(0, Vec::len);
        if count < *limit {
            problems.push(format!(
                "{file}: now {count} literals, fewer than the {limit} listed: lower the count in NOT_YET"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_finds_literals_and_skips_comments() {
    assert_eq!(
        literals(r#"let a = ("eid", "a\"b", x);"#),
        vec!["eid", r#"a\"b"#]
    );
    assert_eq!(literals(r#"    // "eid" in a comment"#), Vec::<&str>::new());
    let names = documented_names();
    assert!(!names.contains("type"), "vocabulary words are not checked");
    assert!(names.contains("destinationTypes") && names.contains("regionCode"));
}
