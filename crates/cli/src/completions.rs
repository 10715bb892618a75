//! `enquiry completions SHELL`: clap_complete's script, with the rule ids offered after
//! `explain` in every shell. Bash and zsh scripts list an argument's possible values; the
//! fish, elvish and PowerShell scripts complete no positional value, so the ids are added to
//! their `explain` part here.

use clap_complete::Shell;
use enquiry_validator::Code;

/// The completion script for `shell`.
pub(crate) fn script(shell: Shell, command: &mut clap::Command) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, command, "enquiry", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    let codes = Code::ALL.iter().map(|code| (code.as_str(), code.summary()));
    match shell {
        Shell::Fish => {
            let lines: String = codes
                .map(|(code, summary)| {
                    format!(
                        "complete -c enquiry -n \"__fish_enquiry_using_subcommand explain\" -f -a {code} -d '{}'\n",
                        summary.replace('\\', "\\\\").replace('\'', "\\'")
                    )
                })
                .collect();
            script + &lines
        }
        Shell::Elvish => {
            let lines: String = codes
                .map(|(code, summary)| {
                    format!(
                        "            cand {code} '{}'\n",
                        summary.replace('\'', "''")
                    )
                })
                .collect();
            insert_after(script, "&'enquiry;explain'= {\n", &lines)
        }
        Shell::PowerShell => {
            let lines: String = codes
                .map(|(code, summary)| {
                    format!(
                        "            [CompletionResult]::new('{code}', '{code}', [CompletionResultType]::ParameterValue, '{}')\n",
                        summary.replace('\'', "''")
                    )
                })
                .collect();
            insert_after(script, "'enquiry;explain' {\n", &lines)
        }
        _ => script,
    }
}

/// `script` with `lines` after the first line that ends with `anchor` (unchanged without one:
/// the tests check that every script offers every id).
fn insert_after(mut script: String, anchor: &str, lines: &str) -> String {
    if let Some(at) = script.find(anchor) {
        script.insert_str(at + anchor.len(), lines);
    }
    script
}
