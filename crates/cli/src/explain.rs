//! `enquiry explain CODE` and `enquiry rules`.

use std::fmt::Write as _;

use enquiry_validator::{Code, Level};

/// How a level reads in the default profile.
fn level_text(level: Level) -> &'static str {
    match level {
        Level::Allow => "off",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

/// The text of `enquiry explain CODE`.
pub fn explanation(code: Code) -> String {
    let mut text = String::new();
    let level = code.default_level();
    let strict = match level {
        Level::Deny => "error",
        Level::Warn => "error (warnings are errors in the strict profile)",
        Level::Allow if code == Code::CanonicalTimestamp => "error",
        Level::Allow => "off",
    };
    let _ = writeln!(text, "{code}: {}", code.summary());
    let _ = writeln!(text);
    let _ = writeln!(text, "Why: {}", code.rationale());
    let _ = writeln!(text);
    let _ = writeln!(text, "Example of a violation:");
    let _ = writeln!(text, "    {}", code.example());
    let _ = writeln!(text);
    let _ = writeln!(text, "Default severity: {}", level_text(level));
    let _ = writeln!(text, "Strict profile:   {strict}");
    let schema = if code.schema_expressible() {
        "yes, the generated JSON Schema (`enquiry schema`) enforces it"
    } else {
        "no, only `enquiry validate` checks it"
    };
    let _ = writeln!(text, "JSON Schema:      {schema}");
    let _ = writeln!(text);
    let _ = writeln!(text, "Change its severity in enquiry.toml:");
    let _ = writeln!(text, "    [rules]");
    let _ = writeln!(text, "    {code} = \"warn\"   # allow | warn | deny");
    text
}

/// The text of `enquiry rules`.
pub fn rules_table() -> String {
    let width = Code::ALL
        .iter()
        .map(|code| code.as_str().len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<width$}  {:<8}  {:<6}  WHAT IT CHECKS",
        "RULE", "DEFAULT", "SCHEMA"
    );
    for code in Code::ALL {
        let schema = if code.schema_expressible() {
            "yes"
        } else {
            "no"
        };
        let _ = writeln!(
            text,
            "{:<width$}  {:<8}  {:<6}  {}",
            code.as_str(),
            level_text(code.default_level()),
            schema,
            code.summary()
        );
    }
    text
}

/// Runs `enquiry explain CODE`.
pub fn explain(code: &str) -> u8 {
    match code.parse::<Code>() {
        Ok(code) => crate::print_or_fail(&explanation(code)),
        Err(err) => {
            let known: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
            crate::diag::error_line(&format!("enquiry explain: {err}"));
            crate::diag::error_line(&format!("known rules: {}", known.join(", ")));
            2
        }
    }
}

/// Runs `enquiry rules`.
pub fn rules() -> u8 {
    crate::print_or_fail(&rules_table())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_names_severity_and_example() {
        let text = explanation(Code::Timeline);
        assert!(text.starts_with("timeline: "));
        assert!(text.contains("Default severity: error"));
        assert!(text.contains("no, only `enquiry validate` checks it"));
        assert!(text.contains(Code::Timeline.example()));
        assert!(explanation(Code::Bom).contains("Strict profile:   error (warnings are errors"));
    }

    #[test]
    fn rules_list_has_a_line_per_rule() {
        let table = rules_table();
        assert_eq!(table.lines().count(), Code::ALL.len() + 1);
        assert!(table.contains("canonical-timestamp  off"));
    }
}
