//! `enquiry explain CODE` and `enquiry rules`.

use std::fmt::Write as _;

use enquiry_validator::{Code, Config, Level, Profile};

/// How a level reads in the default profile.
fn level_text(level: Level) -> &'static str {
    match level {
        Level::Allow => "allow",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

/// The text of `enquiry explain CODE`.
pub fn explanation(code: Code) -> String {
    let mut text = String::new();
    let level = code.default_level();
    // The strict profile's levels are the validator's (`Config::level`), not restated here.
    let strict = match (level, Config::with_profile(Profile::Strict).level(code)) {
        (Level::Warn, Level::Deny) => "error (warnings are errors in the strict profile)",
        (_, strict) => level_text(strict),
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
    let schema = if code.schema_checked(Profile::Default) {
        "yes, the generated JSON Schema (`enquiry schema`) enforces it (a differential test shows they agree)"
    } else if code.schema_checked(Profile::Strict) {
        "the strict schema (`enquiry schema --strict`) enforces it (a differential test shows it agrees with `--profile strict`); the default schema does not"
    } else {
        "not checked by the default schema (or not shown to be): rely on `enquiry validate`"
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
        let schema = if code.schema_checked(Profile::Default) {
            "yes"
        } else if code.schema_checked(Profile::Strict) {
            "strict"
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
            if let Some(code) = Code::closest(code) {
                crate::diag::error_line(&format!("did you mean `{code}`?"));
            }
            crate::diag::error_line(&format!("known rules: {}", known.join(", ")));
            2
        }
    }
}

/// Every rule as JSON: `{"version": 1, "rules": [{"id", "default", "schema", "summary",
/// "why", "example"}]}`, for tools that map rule ids to their explanations.
fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            serde_json::json!({
                "id": code.as_str(),
                "default": level_text(code.default_level()),
                "schema": code.schema_expressible(),
                "summary": code.summary(),
                "why": code.rationale(),
                "example": code.example(),
            })
        })
        .collect();
    let document = serde_json::json!({"version": 1, "rules": rules});
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// Runs `enquiry rules`, as a table or (`json`) a JSON document.
pub fn rules(json: bool) -> u8 {
    crate::print_or_fail(&if json { rules_json() } else { rules_table() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_names_severity_and_example() {
        let text = explanation(Code::Timeline);
        assert!(text.starts_with("timeline: "));
        assert!(text.contains("Default severity: error"));
        assert!(text.contains("rely on `enquiry validate`"));
        assert!(text.contains(Code::Timeline.example()));
        assert!(explanation(Code::Bom).contains("Strict profile:   error (warnings are errors"));
    }

    #[test]
    fn rules_json_lists_every_rule_with_its_explanation() {
        let document: serde_json::Value = serde_json::from_str(&rules_json()).unwrap();
        let rules = document["rules"].as_array().unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        let timeline = rules.iter().find(|rule| rule["id"] == "timeline").unwrap();
        assert_eq!(timeline["default"], "error");
        assert_eq!(timeline["schema"], false);
        assert_eq!(timeline["example"], Code::Timeline.example());
    }

    #[test]
    fn rules_list_has_a_line_per_rule() {
        let table = rules_table();
        assert_eq!(table.lines().count(), Code::ALL.len() + 1);
        assert!(table.contains("canonical-timestamp  allow"));
    }
}
