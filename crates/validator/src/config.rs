//! What to check: profile, per-rule levels, required set, allowlists and limits.
//!
//! [`Config`] is plain data; [`ConfigFile`] is the `enquiry.toml` form of it. Reading files is
//! left to the caller (the CLI), so that a library user can build a configuration in code.

use std::collections::{BTreeMap, BTreeSet};

use enquiry_schema::json_schema::{LabelListResponse, Profile};
use serde::Deserialize;

use enquiry_schema::contract::{Contract, RECORD};

use crate::code::{Code, Level};

/// The default `--max-record-size`: 16 MiB.
pub const DEFAULT_MAX_RECORD_SIZE: usize = 16 * 1024 * 1024;

/// The default `--max-findings-per-record`.
pub const DEFAULT_MAX_FINDINGS_PER_RECORD: usize = 1000;

/// The validator's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Which rules apply and how strictly.
    pub profile: Profile,
    /// Per-rule levels that override the profile's.
    pub levels: BTreeMap<Code, Level>,
    /// Documented member names (dotted for nested ones) that are required, replacing the
    /// profile's set when given.
    pub required: Option<BTreeSet<String>>,
    /// The tenant's label IDs (`--labels`); `labelIDs` outside it are `label-unknown`.
    pub labels: Option<BTreeSet<String>>,
    /// The tenant's channels (`--channels`); replaces the documented list and makes a channel
    /// outside it `channel-unknown`.
    pub channels: Option<BTreeSet<String>>,
    /// Where the records are in a list response (`--pointer`), RFC 6901.
    pub pointer: Option<String>,
    /// The largest record, in bytes, that is parsed; a larger one is `record-too-large`.
    pub max_record_size: usize,
    /// The most findings listed for one record (`--max-findings-per-record`), the first by
    /// position; the others are counted in one `too-many-findings` finding.
    pub max_findings_per_record: usize,
    /// Show values of personal members in messages instead of masking them.
    pub show_values: bool,
    /// The contract records are checked against; `None`: detected per record among
    /// [`enquiry_schema::contracts::ALL`] from the members present.
    pub contract: Option<&'static Contract>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            profile: Profile::Default,
            levels: BTreeMap::new(),
            required: None,
            labels: None,
            channels: None,
            pointer: None,
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
            max_findings_per_record: DEFAULT_MAX_FINDINGS_PER_RECORD,
            show_values: false,
            contract: Some(&RECORD),
        }
    }
}

impl Config {
    /// The configuration of a profile, with everything else at its default.
    pub fn with_profile(profile: Profile) -> Config {
        Config {
            profile,
            ..Config::default()
        }
    }

    /// The level of a rule after profile and overrides.
    pub fn level(&self, code: Code) -> Level {
        if let Some(level) = self.levels.get(&code) {
            return *level;
        }
        match (self.profile, code.default_level()) {
            (Profile::Strict, Level::Warn) => Level::Deny,
            (Profile::Strict, Level::Allow) if code == Code::CanonicalTimestamp => Level::Deny,
            (_, level) => level,
        }
    }

    /// Applies an `enquiry.toml` on top of this configuration.
    pub fn apply(&mut self, file: &ConfigFile) {
        if let Some(profile) = file.profile {
            self.profile = profile;
        }
        for (code, level) in &file.rules {
            self.levels.insert(*code, *level);
        }
        if let Some(required) = &file.required {
            self.required = Some(required.iter().cloned().collect());
        }
        if let Some(size) = file.max_record_size {
            self.max_record_size = size;
        }
        if let Some(cap) = file.max_findings_per_record {
            self.max_findings_per_record = cap;
        }
    }
}

/// `enquiry.toml`.
///
/// ```toml
/// profile = "default"          # or "strict"
/// required = ["_id", "createdAt", "status", "channel"]
/// max-record-size = 16777216
/// max-findings-per-record = 1000
///
/// [rules]
/// unknown-field = "allow"      # allow | warn | deny
/// null-value = "deny"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    /// The profile.
    pub profile: Option<Profile>,
    /// Per-rule levels.
    #[serde(default)]
    pub rules: BTreeMap<Code, Level>,
    /// The required set (documented names, dotted for nested members).
    pub required: Option<Vec<String>>,
    /// The record size limit in bytes.
    pub max_record_size: Option<usize>,
    /// The most findings listed for one record.
    pub max_findings_per_record: Option<usize>,
}

/// Why a configuration or list file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigFile {
    /// Parses the TOML text of an `enquiry.toml`; names in `required` must be documented.
    pub fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        unknown_rules(text)?;
        let file: ConfigFile = toml::from_str(text).map_err(|err| ConfigError(err.to_string()))?;
        if let Some(required) = &file.required {
            for name in required {
                if !enquiry_schema::fields::all_fields().any(|rule| rule.name == name) {
                    return Err(ConfigError(format!(
                        "required: `{name}` is not a documented member"
                    )));
                }
            }
        }
        Ok(file)
    }
}

/// Refuses a `[rules]` entry that names no rule, with the closest rule id as a hint (the
/// typed parse would only list every id).
fn unknown_rules(text: &str) -> Result<(), ConfigError> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let Some(rules) = table.get("rules").and_then(toml::Value::as_table) else {
        return Ok(());
    };
    for name in rules.keys() {
        if name.parse::<Code>().is_ok() {
            continue;
        }
        let hint = match Code::closest(name) {
            Some(code) => format!("did you mean `{code}`? "),
            None => String::new(),
        };
        return Err(ConfigError(format!(
            "[rules]: unknown rule `{name}`; {hint}(`enquiry rules` lists every rule)"
        )));
    }
    Ok(())
}

/// Reads a `--labels` file: a Get Label List response (`{code, labelList: [{id, ...}]}`) or a
/// plain JSON array of label IDs.
pub fn parse_label_list(bytes: &[u8]) -> Result<BTreeSet<String>, ConfigError> {
    const EXPECTED: &str = "expected a Get Label List response {\"labelList\": [{\"id\": ...}]} or a JSON array of label IDs";
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|err| ConfigError(format!("{EXPECTED}: not JSON: {err}")))?;
    if let serde_json::Value::Array(items) = &value {
        return string_items(items, "label ID");
    }
    // An error body of the API (`{"code": 401, "labelList": []}`) is not an empty label list.
    if let Some(code) = value.get("code").filter(|code| code.as_i64() != Some(0)) {
        return Err(ConfigError(format!(
            "{EXPECTED}: this is an API error response (code {code}), not a label list"
        )));
    }
    serde_json::from_value::<LabelListResponse>(value)
        .map(|response| {
            response
                .label_list
                .into_iter()
                .map(|label| label.id)
                .collect()
        })
        .map_err(|err| ConfigError(format!("{EXPECTED}: {err}")))
}

/// The items of a JSON array of strings, or an error naming the first item that is not one.
fn string_items(items: &[serde_json::Value], what: &str) -> Result<BTreeSet<String>, ConfigError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_str().map(str::to_owned).ok_or_else(|| {
                ConfigError(format!(
                    "item {index} of the list is {item}; expected every {what} to be a JSON string"
                ))
            })
        })
        .collect()
}

/// Reads a `--channels` file: a JSON array of channel names.
pub fn parse_channel_list(bytes: &[u8]) -> Result<BTreeSet<String>, ConfigError> {
    serde_json::from_slice::<Vec<String>>(bytes)
        .map(|names| names.into_iter().collect())
        .map_err(|err| ConfigError(format!("expected a JSON array of channel names: {err}")))
}
