//! The composite GitHub Action (`action.yml`): its shell steps are run as the runner would run
//! them, with `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT` and `GITHUB_ACTION_PATH` pointed at
//! temporary files and the repository, and their `${{ inputs.* }}` / `${{ steps.*.outputs.* }}`
//! environment resolved from the action's inputs and the outputs earlier steps wrote.
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::TempDir;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One step of the action: its `run` command (absent for `uses` steps) and environment.
#[derive(Default, Debug)]
struct Step {
    id: Option<String>,
    run: Option<String>,
    uses: Option<String>,
    env: Vec<(String, String)>,
}

/// The steps of `action.yml` (the subset of YAML it uses: one `key: value` a line).
fn steps(action: &str) -> Vec<Step> {
    let body = &action[action.find("  steps:\n").expect("steps") + 9..];
    let mut steps: Vec<Step> = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("- ") {
            steps.push(Step::default());
            assign(steps.last_mut().unwrap(), rest, line.len() - trimmed.len());
        } else if let Some(step) = steps.last_mut() {
            assign(step, trimmed, line.len() - trimmed.len());
        }
    }
    steps
}

fn assign(step: &mut Step, line: &str, indent: usize) {
    let Some((key, value)) = line.split_once(':') else {
        return;
    };
    let value = value.trim().to_owned();
    match key {
        "id" => step.id = Some(value),
        "run" => step.run = Some(value),
        "uses" => step.uses = Some(value),
        _ if indent >= 8 && key.starts_with("ENQUIRY_") => step.env.push((key.to_owned(), value)),
        _ => {}
    }
}

/// `${{ inputs.NAME }}` or `${{ steps.ID.outputs.NAME }}`, resolved.
fn resolve(
    expression: &str,
    inputs: &BTreeMap<&str, String>,
    outputs: &BTreeMap<String, String>,
) -> String {
    let inner = expression
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    if let Some(name) = inner.strip_prefix("inputs.") {
        return inputs
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no input {name}"));
    }
    let mut parts = inner.split('.');
    assert_eq!(parts.next(), Some("steps"), "{expression}");
    let (id, _, name) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
    outputs
        .get(&format!("{id}.{name}"))
        .cloned()
        .unwrap_or_default()
}

/// Runs the action's shell steps with `inputs`; returns the job summary, the outputs of the
/// validate step and the last step's exit status.
fn run_action(
    dir: &Path,
    inputs: &[(&'static str, String)],
) -> (String, BTreeMap<String, String>, i32) {
    let action = fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    let mut given: BTreeMap<&str, String> = BTreeMap::new();
    given.insert("args", String::new());
    given.insert("sarif", "enquiry.sarif".to_owned());
    given.insert("upload-sarif", "true".to_owned());
    given.insert("enquiry", env!("CARGO_BIN_EXE_enquiry").to_owned());
    given.extend(inputs.iter().cloned());
    let summary = dir.join("step-summary.md");
    let mut outputs = BTreeMap::new();
    let mut status = None;
    for step in steps(&action) {
        if let Some(uses) = &step.uses {
            assert!(
                uses.starts_with("github/codeql-action/upload-sarif@"),
                "{uses}"
            );
            continue;
        }
        let run = step.run.expect("a run or uses step");
        let output_file = dir.join("github-output");
        let _ = fs::remove_file(&output_file);
        let mut command = Command::new("bash");
        command
            .args(["-c", &run])
            .current_dir(dir)
            .env("GITHUB_ACTION_PATH", ROOT)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output_file);
        for (key, value) in &step.env {
            command.env(key, resolve(value, &given, &outputs));
        }
        let result = command.output().unwrap();
        status = result.status.code();
        if let (Some(id), Ok(written)) = (&step.id, fs::read_to_string(&output_file)) {
            for line in written.lines() {
                let (name, value) = line.split_once('=').unwrap();
                outputs.insert(format!("{id}.{name}"), value.to_owned());
            }
        }
    }
    (
        fs::read_to_string(&summary).unwrap_or_default(),
        outputs,
        status.unwrap(),
    )
}

#[test]
fn action_reports_findings_and_fails_the_job() {
    let dir = TempDir::new("action-fail");
    let fixtures = format!("{ROOT}/fixtures/invalid");
    let (summary, outputs, status) = run_action(&dir.0, &[("paths", fixtures)]);
    assert_eq!(status, 1);
    assert_eq!(outputs["validate.exit-code"], "1");
    assert!(
        summary.starts_with("## :x: enquiry validate: failed"),
        "{summary}"
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join(&outputs["validate.sarif"])).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn action_passes_valid_payloads() {
    let dir = TempDir::new("action-pass");
    let fixtures = format!("{ROOT}/fixtures/valid");
    let (summary, outputs, status) = run_action(
        &dir.0,
        &[("paths", fixtures), ("sarif", "out.sarif".to_owned())],
    );
    assert_eq!(status, 0);
    assert_eq!(outputs["validate.sarif"], "out.sarif");
    assert!(dir.0.join("out.sarif").is_file());
    assert!(
        summary.starts_with("## :white_check_mark: enquiry validate: passed"),
        "{summary}"
    );
}

#[test]
fn action_usage_errors_fail_with_status_2() {
    let dir = TempDir::new("action-usage");
    let (_, outputs, status) = run_action(&dir.0, &[("paths", "no-such-dir".to_owned())]);
    assert_eq!((status, outputs["validate.exit-code"].as_str()), (2, "2"));
}
