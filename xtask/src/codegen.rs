//! `cargo xtask codegen [--check]`: every generated, checked-in file, from one place.
//!
//! Each [`Producer`] owns one directory of the repository and returns the full list of files
//! that belong in it, as (path, contents) pairs. [`Codegen::ensure_file_contents`] then brings
//! the disk in line (write mode) or reports what differs (check mode). A file in an owned
//! directory that no producer returns is stale too: check mode reports it, write mode removes it
//! and says so. Nothing is removed silently and check mode never touches the disk.
//!
//! To generate another directory (`fixtures/`), add one more [`Producer`] to [`PRODUCERS`].

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use enquiry_schema::contracts;
use enquiry_schema::json_schema::{
    collection_schema, contract_schema, enquiry_schema, label_list_schema, to_canonical_string,
    Collection, Draft, Profile,
};

/// Whether to write the generated files or only compare them with the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write every file whose contents changed, remove files no longer generated.
    Write,
    /// Write nothing; fail naming every stale file.
    Check,
}

pub use crate::generated_file::GeneratedFile;

/// A source of generated files that owns one directory: every file under `dir` must be one
/// of the files `generate` returns.
pub struct Producer {
    /// The owned directory, relative to the workspace root (`schemas`).
    pub dir: &'static str,
    /// Every file that belongs in `dir`.
    pub generate: fn() -> Result<Vec<GeneratedFile>, String>,
}

/// Every producer, in the order they run.
pub const PRODUCERS: &[Producer] = &[
    Producer {
        dir: "schemas",
        generate: schemas,
    },
    Producer {
        dir: "fixtures",
        generate: crate::fixtures::generate,
    },
    Producer {
        dir: "crates/schema/src/generated",
        generate: schema_code,
    },
    Producer {
        dir: "docs/report",
        generate: crate::report_screenshot::generate,
    },
];

/// Runs every producer against the workspace.
pub fn run(mode: Mode) -> Result<(), String> {
    let mut codegen = Codegen::new(workspace_root(), mode);
    codegen.run(PRODUCERS)?;
    codegen.finish()
}

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The JSON Schemas: both profiles, in draft 2020-12 and draft-07, and the label list.
fn schemas() -> Result<Vec<GeneratedFile>, String> {
    let mut files = Vec::new();
    for (draft, dir) in [
        (Draft::Draft2020_12, "schemas"),
        (Draft::Draft07, "schemas/draft-07"),
    ] {
        for (profile, name) in [
            (Profile::Default, "enquiry.schema.json"),
            (Profile::Strict, "enquiry.strict.schema.json"),
        ] {
            let schema = enquiry_schema(profile, draft);
            files.push(GeneratedFile::new(
                format!("{dir}/{name}"),
                to_canonical_string(&schema),
            ));
            for collection in Collection::ALL {
                let file = collection.file_name(name);
                let wrapped = collection_schema(&schema, collection, &file);
                files.push(GeneratedFile::new(
                    format!("{dir}/{file}"),
                    to_canonical_string(&wrapped),
                ));
            }
        }
        // The webhook contracts, from their tables. The label list keeps its own schema
        // below (it also accepts a plain array of label IDs, as `--labels` does).
        for contract in contracts::ALL.iter().filter(|contract| {
            contract.name != contracts::RECORD.name && contract.name != contracts::LABEL_LIST.name
        }) {
            for (profile, suffix) in [
                (Profile::Default, "schema.json"),
                (Profile::Strict, "strict.schema.json"),
            ] {
                let schema = contract_schema(contract, profile, draft);
                let name = format!("{}.{suffix}", contract.schema_stem);
                files.push(GeneratedFile::new(
                    format!("{dir}/{name}"),
                    to_canonical_string(&schema),
                ));
                // Events arrive one a request, but a capture of them is often saved as one
                // array; the handshake bodies are never collected.
                if contract.name == contracts::EVENT.name {
                    let file = Collection::Array.file_name(&name);
                    let wrapped = collection_schema(&schema, Collection::Array, &file);
                    files.push(GeneratedFile::new(
                        format!("{dir}/{file}"),
                        to_canonical_string(&wrapped),
                    ));
                }
            }
        }
    }
    files.push(GeneratedFile::new(
        "schemas/label-list.schema.json",
        to_canonical_string(&label_list_schema()),
    ));
    files.push(GeneratedFile::new(
        "schemas/openapi.json",
        enquiry_mock::openapi::document_text(),
    ));
    files.push(GeneratedFile::new(
        "schemas/report.schema.json",
        to_canonical_string(&enquiry_report::json_report_schema()),
    ));
    Ok(files)
}

/// The Rust code of `enquiry-schema` that is generated: the ISO code tables, and the record
/// model and the contracts' names from the contract tables.
fn schema_code() -> Result<Vec<GeneratedFile>, String> {
    let mut files = iso_codes()?;
    files.extend(crate::contract_code::generate()?);
    Ok(files)
}

/// The ISO code tables of `enquiry-schema`, from the maintained `isolang` and `celes` crates:
/// generated here so that the schema crate (and everything that depends on it) does not link
/// them and the proc-macros they build with.
fn iso_codes() -> Result<Vec<GeneratedFile>, String> {
    let mut languages: Vec<&str> = isolang::languages()
        .filter_map(|language| language.to_639_1())
        .collect();
    let mut countries: Vec<&str> = celes::Country::get_countries()
        .iter()
        .map(|country| country.alpha2)
        .collect();
    let mut text = String::from(
        "//! ISO code tables, generated by `cargo xtask codegen` from the `isolang` and `celes`\n\
         //! crates. Do not edit.\n",
    );
    for (name, doc, codes) in [
        (
            "LANGUAGE_CODES",
            "Every ISO 639-1 code, sorted.",
            &mut languages,
        ),
        (
            "COUNTRY_CODES",
            "Every ISO 3166-1 alpha-2 code, sorted.",
            &mut countries,
        ),
    ] {
        codes.sort_unstable();
        codes.dedup();
        let _ = writeln!(text, "\n/// {doc}\npub const {name}: &[&str] = &[");
        for code in codes.iter() {
            let _ = writeln!(text, "    {code:?},");
        }
        text.push_str("];\n");
    }
    Ok(vec![GeneratedFile::new(
        "crates/schema/src/generated/iso_codes.rs",
        text,
    )])
}

/// Why a file is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Staleness {
    Missing,
    OutOfDate,
    NotGenerated,
}

/// The state of one run: where the workspace is, the mode, and what was found stale.
pub struct Codegen {
    root: PathBuf,
    mode: Mode,
    stale: Vec<(String, Staleness)>,
    written: Vec<String>,
}

impl Codegen {
    /// A run over the workspace at `root`.
    pub fn new(root: PathBuf, mode: Mode) -> Codegen {
        Codegen {
            root,
            mode,
            stale: Vec::new(),
            written: Vec::new(),
        }
    }

    /// Runs `producers`: ensures each generated file, then deals with the files in each
    /// owned directory that were not generated.
    pub fn run(&mut self, producers: &[Producer]) -> Result<(), String> {
        for producer in producers {
            let files = (producer.generate)()?;
            let mut expected = BTreeSet::new();
            for file in &files {
                if !file.path.starts_with(&format!("{}/", producer.dir)) {
                    return Err(format!(
                        "{} is outside the producer's directory {}",
                        file.path, producer.dir
                    ));
                }
                if !expected.insert(file.path.clone()) {
                    return Err(format!("{} is generated twice", file.path));
                }
                self.ensure_file_contents(&file.path, &file.contents)?;
            }
            for existing in files_under(&self.root, producer.dir)? {
                if !expected.contains(&existing) {
                    self.stray_file(&existing)?;
                }
            }
        }
        Ok(())
    }

    /// Makes the file at `path` (relative, `/`-separated) hold `contents`. Write mode writes only
    /// when the contents differ (so timestamps and build caches stay put); check mode never
    /// writes and records the file as stale.
    pub fn ensure_file_contents(&mut self, path: &str, contents: &[u8]) -> Result<(), String> {
        let full = self.root.join(path);
        let staleness = match fs::read(&full) {
            // A checkout with CRLF line ends (git autocrlf) is not stale; binary files (a PNG's
            // signature holds CR LF) compare as they are.
            Ok(existing) if existing == contents || normalize_newlines(&existing) == contents => {
                return Ok(())
            }
            Ok(_) => Staleness::OutOfDate,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Staleness::Missing,
            Err(err) => return Err(format!("cannot read {}: {err}", full.display())),
        };
        match self.mode {
            Mode::Check => self.stale.push((path.to_owned(), staleness)),
            Mode::Write => {
                if let Some(parent) = full.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
                }
                fs::write(&full, contents)
                    .map_err(|err| format!("cannot write {}: {err}", full.display()))?;
                println!("updated {path}");
                self.written.push(path.to_owned());
            }
        }
        Ok(())
    }

    /// A file in an owned directory that no producer generates.
    fn stray_file(&mut self, path: &str) -> Result<(), String> {
        match self.mode {
            Mode::Check => self.stale.push((path.to_owned(), Staleness::NotGenerated)),
            Mode::Write => {
                let full = self.root.join(path);
                fs::remove_file(&full)
                    .map_err(|err| format!("cannot remove {}: {err}", full.display()))?;
                println!("removed {path} (no longer generated)");
                self.written.push(path.to_owned());
            }
        }
        Ok(())
    }

    /// Ok when nothing is stale; otherwise an error naming every stale file and the command
    /// that fixes them.
    pub fn finish(self) -> Result<(), String> {
        if self.stale.is_empty() {
            if self.mode == Mode::Write && self.written.is_empty() {
                println!("generated files are up to date");
            }
            return Ok(());
        }
        let mut message = format!("{} generated file(s) are stale:\n", self.stale.len());
        for (path, staleness) in &self.stale {
            let why = match staleness {
                Staleness::Missing => "missing",
                Staleness::OutOfDate => "out of date",
                Staleness::NotGenerated => "not generated by codegen (it would be removed)",
            };
            let _ = writeln!(message, "  {path}: {why}");
        }
        message.push_str("run `cargo xtask codegen` and commit the result");
        Err(message)
    }
}

fn normalize_newlines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(position) = rest.windows(2).position(|pair| pair == b"\r\n") {
        out.extend_from_slice(&rest[..position]);
        out.push(b'\n');
        rest = &rest[position + 2..];
    }
    out.extend_from_slice(rest);
    out
}

/// Every file under `root/dir`, recursively, as sorted `/`-separated paths relative to `root`.
fn files_under(root: &Path, dir: &str) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(relative) = pending.pop() {
        let entries = match fs::read_dir(root.join(&relative)) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(format!("cannot list {relative}: {err}")),
        };
        for entry in entries {
            let entry = entry.map_err(|err| format!("cannot list {relative}: {err}"))?;
            let name = entry.file_name().into_string().map_err(|name| {
                format!(
                    "{relative}/{} is not a UTF-8 file name",
                    name.to_string_lossy()
                )
            })?;
            let path = format!("{relative}/{name}");
            let file_type = entry
                .file_type()
                .map_err(|err| format!("cannot stat {path}: {err}"))?;
            if file_type.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in generated files are current. If this fails, run `cargo xtask codegen`.
    #[test]
    fn generated_files_are_fresh() {
        if let Err(message) = run(Mode::Check) {
            panic!("{message}");
        }
    }

    #[test]
    fn every_schema_of_the_spec_is_generated() {
        let paths: Vec<String> = schemas()
            .expect("generates")
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            [
                "schemas/enquiry.schema.json",
                "schemas/enquiry.array.schema.json",
                "schemas/enquiry.list-response.schema.json",
                "schemas/enquiry.strict.schema.json",
                "schemas/enquiry.strict.array.schema.json",
                "schemas/enquiry.strict.list-response.schema.json",
                "schemas/enquiry-event.schema.json",
                "schemas/enquiry-event.array.schema.json",
                "schemas/enquiry-event.strict.schema.json",
                "schemas/enquiry-event.strict.array.schema.json",
                "schemas/challenge-request.schema.json",
                "schemas/challenge-request.strict.schema.json",
                "schemas/challenge-response.schema.json",
                "schemas/challenge-response.strict.schema.json",
                "schemas/draft-07/enquiry.schema.json",
                "schemas/draft-07/enquiry.array.schema.json",
                "schemas/draft-07/enquiry.list-response.schema.json",
                "schemas/draft-07/enquiry.strict.schema.json",
                "schemas/draft-07/enquiry.strict.array.schema.json",
                "schemas/draft-07/enquiry.strict.list-response.schema.json",
                "schemas/draft-07/enquiry-event.schema.json",
                "schemas/draft-07/enquiry-event.array.schema.json",
                "schemas/draft-07/enquiry-event.strict.schema.json",
                "schemas/draft-07/enquiry-event.strict.array.schema.json",
                "schemas/draft-07/challenge-request.schema.json",
                "schemas/draft-07/challenge-request.strict.schema.json",
                "schemas/draft-07/challenge-response.schema.json",
                "schemas/draft-07/challenge-response.strict.schema.json",
                "schemas/label-list.schema.json",
                "schemas/openapi.json",
                "schemas/report.schema.json",
            ]
        );
    }

    /// A scratch workspace under the system temp directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("temp dir");
            Scratch(dir)
        }

        fn read(&self, path: &str) -> Option<String> {
            fs::read_to_string(self.0.join(path)).ok()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn two_files() -> Result<Vec<GeneratedFile>, String> {
        Ok(vec![
            GeneratedFile::new("out/a.json", "{}\n"),
            GeneratedFile::new("out/sub/b.json", "[]\n"),
        ])
    }

    const TWO_FILES: &[Producer] = &[Producer {
        dir: "out",
        generate: two_files,
    }];

    fn run_in(root: &Path, mode: Mode) -> (Result<(), String>, Vec<String>) {
        let mut codegen = Codegen::new(root.to_path_buf(), mode);
        codegen.run(TWO_FILES).expect("runs");
        let written = codegen.written.clone();
        (codegen.finish(), written)
    }

    #[test]
    fn check_mode_never_writes_and_names_every_stale_file_and_the_command() {
        let scratch = Scratch::new("check");
        fs::create_dir_all(scratch.0.join("out")).expect("dir");
        fs::write(scratch.0.join("out/a.json"), "{ }\n").expect("write");
        fs::write(scratch.0.join("out/extra.json"), "1\n").expect("write");

        let (result, written) = run_in(&scratch.0, Mode::Check);
        let message = result.expect_err("stale files fail the check");
        assert!(written.is_empty());
        assert!(message.contains("out/a.json: out of date"), "{message}");
        assert!(message.contains("out/sub/b.json: missing"), "{message}");
        assert!(
            message.contains("out/extra.json: not generated"),
            "{message}"
        );
        assert!(message.contains("cargo xtask codegen"), "{message}");
        assert_eq!(
            scratch.read("out/a.json").as_deref(),
            Some("{ }\n"),
            "untouched"
        );
        assert_eq!(scratch.read("out/sub/b.json"), None, "not created");
        assert_eq!(
            scratch.read("out/extra.json").as_deref(),
            Some("1\n"),
            "not removed"
        );
    }

    #[test]
    fn write_mode_writes_only_what_changed_and_then_checks_clean() {
        let scratch = Scratch::new("write");
        fs::create_dir_all(scratch.0.join("out")).expect("dir");
        fs::write(scratch.0.join("out/a.json"), "{}\n").expect("write");
        fs::write(scratch.0.join("out/extra.json"), "1\n").expect("write");

        let (result, written) = run_in(&scratch.0, Mode::Write);
        assert!(result.is_ok());
        assert_eq!(
            written,
            ["out/sub/b.json", "out/extra.json"],
            "a.json was already current"
        );
        assert_eq!(scratch.read("out/sub/b.json").as_deref(), Some("[]\n"));
        assert_eq!(
            scratch.read("out/extra.json"),
            None,
            "the stray file is removed, loudly"
        );

        let (again, written) = run_in(&scratch.0, Mode::Write);
        assert!(
            again.is_ok() && written.is_empty(),
            "a second run writes nothing"
        );
        assert!(run_in(&scratch.0, Mode::Check).0.is_ok());
    }

    #[test]
    fn crlf_checkouts_are_not_stale() {
        let scratch = Scratch::new("crlf");
        fs::create_dir_all(scratch.0.join("out/sub")).expect("dir");
        fs::write(scratch.0.join("out/a.json"), "{}\r\n").expect("write");
        fs::write(scratch.0.join("out/sub/b.json"), "[]\n").expect("write");
        assert!(run_in(&scratch.0, Mode::Check).0.is_ok());
    }
}
