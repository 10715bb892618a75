//! The README's synopsis of `enquiry fake` names every option `enquiry fake --help` lists, so
//! the documentation cannot fall behind the command.

use std::process::Command;

/// The long options (`--count`) in `text`.
fn options(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
        .filter(|word| word.starts_with("--") && word.len() > 2)
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The first code block after the `### `enquiry fake`` heading of the README.
fn readme_synopsis() -> String {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split_once("### `enquiry fake`")
        .expect("the README has an `enquiry fake` section")
        .1;
    let block = section
        .split_once("```\n")
        .expect("the section opens a code block")
        .1;
    block
        .split_once("```")
        .expect("the code block closes")
        .0
        .to_owned()
}

#[test]
fn the_fake_synopsis_lists_every_option_of_fake_help() {
    let output = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["fake", "--help"])
        .output()
        .expect("enquiry runs");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).expect("help is UTF-8");
    // Only the option list: the examples at the end repeat options.
    let listed = help.split("Examples:").next().unwrap_or_default();
    let synopsis = readme_synopsis();
    let documented = options(&synopsis);
    let missing: Vec<String> = options(listed)
        .into_iter()
        .filter(|option| !matches!(option.as_str(), "--help" | "--version"))
        .filter(|option| !documented.contains(option))
        .collect();
    assert!(
        missing.is_empty(),
        "the README's `enquiry fake` synopsis lacks {missing:?}:\n{synopsis}"
    );
}
