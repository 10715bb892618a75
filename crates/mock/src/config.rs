//! What a mock server serves and how it misbehaves: [`Config`] and the parsers of its flags.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use chrono::DateTime;
use enquiry_fake::InvalidRate;

/// The end of the default dataset range, `2026-01-01T00:00:00Z`.
///
/// "The last 30 days" cannot come from the clock: the same seed must give the same bytes on
/// every run, on every day. So the default range is the 30 days before this fixed instant, the
/// end of the fake generator's own creation window; clients pass explicit `startAt`/`endAt`.
pub const DEFAULT_TO_MILLIS: i64 = 1_767_225_600_000;
/// The length of the default range: 30 days.
pub const DEFAULT_SPAN_MILLIS: i64 = 30 * 24 * 3_600_000;

/// Why a flag or configuration value was refused (one line, names what was expected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Extra time before a response (`--latency`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Latency {
    /// None.
    #[default]
    None,
    /// Always this many milliseconds (`fixed:MS`).
    Fixed(u64),
    /// Uniform between two bounds, in milliseconds (`uniform:MIN-MAX`).
    Uniform(u64, u64),
    /// Log-normal with this median and 99th percentile, in milliseconds
    /// (`lognormal:MEDIAN,P99`).
    LogNormal {
        /// The median.
        median: f64,
        /// The 99th percentile.
        p99: f64,
    },
}

/// The 0.99 quantile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// The longest latency any distribution produces, so a draw can never stall a server.
const MAX_LATENCY_MS: f64 = 60_000.0;

impl Latency {
    /// Parses `fixed:MS`, `uniform:MIN-MAX` or `lognormal:MEDIAN,P99`.
    pub fn parse(text: &str) -> Result<Latency, ConfigError> {
        let bad = || {
            ConfigError(format!(
                "invalid latency `{text}`: expected fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN,P99 (milliseconds)"
            ))
        };
        let number = |part: &str| part.trim().parse::<u64>().map_err(|_| bad());
        let (kind, rest) = text.split_once(':').ok_or_else(bad)?;
        match kind {
            "fixed" => Ok(Latency::Fixed(number(rest)?)),
            "uniform" => {
                let (low, high) = rest.split_once('-').ok_or_else(bad)?;
                let (low, high) = (number(low)?, number(high)?);
                if low > high {
                    return Err(bad());
                }
                Ok(Latency::Uniform(low, high))
            }
            "lognormal" => {
                let (median, p99) = rest.split_once(',').ok_or_else(bad)?;
                let (median, p99) = (number(median)?, number(p99)?);
                if median == 0 || p99 < median {
                    return Err(bad());
                }
                Ok(Latency::LogNormal {
                    median: median as f64,
                    p99: p99 as f64,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The delay for two uniform draws in `[0, 1)` (the seeded streams of the server).
    pub fn sample(&self, u1: f64, u2: f64) -> Duration {
        let millis = match *self {
            Latency::None => 0.0,
            Latency::Fixed(ms) => ms as f64,
            Latency::Uniform(low, high) => low as f64 + (high - low) as f64 * u1,
            Latency::LogNormal { median, p99 } => {
                let sigma = (p99 / median).ln() / Z99;
                // Box-Muller: a standard normal from two uniforms.
                let normal =
                    (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                median * (sigma * normal).exp()
            }
        };
        Duration::from_micros((millis.clamp(0.0, MAX_LATENCY_MS) * 1000.0) as u64)
    }
}

/// Parses a rate such as `500/min`, `20/s` or a bare number (per the given default unit), into
/// events per minute.
pub fn parse_rate_per_minute(text: &str, bare_unit_seconds: u64) -> Result<u64, ConfigError> {
    let bad = || {
        ConfigError(format!(
            "invalid rate `{text}`: expected N/min or N/s (e.g. 500/min)"
        ))
    };
    let (count, unit) = text.split_once('/').unwrap_or((text, ""));
    let count: u64 = count.trim().parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "" => bare_unit_seconds,
        "s" | "sec" | "second" => 1,
        "min" | "m" | "minute" => 60,
        _ => return Err(bad()),
    };
    if count == 0 {
        return Err(bad());
    }
    Ok(count.saturating_mul(60) / seconds)
}

/// Parses an RFC 3339 instant into milliseconds since the epoch (flag values).
pub fn parse_instant(text: &str) -> Result<i64, ConfigError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.timestamp_millis())
        .map_err(|err| ConfigError(format!("invalid RFC 3339 date-time `{text}`: {err}")))
}

/// Everything a mock server needs. `Config::default()` is a small, valid, fault-free dataset.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub addr: String,
    /// The application ID in the paths (`/v1/api/apps/{appID}/...`).
    pub app: String,
    /// The bearer token clients must send.
    pub token: String,
    /// The dataset's seed.
    pub seed: u64,
    /// How many records the dataset holds.
    pub records: u64,
    /// Records are created in `[from, to)`, milliseconds since the epoch.
    pub from_millis: i64,
    /// See [`Config::from_millis`].
    pub to_millis: i64,
    /// The share of served records that carry one labelled defect.
    pub invalid: InvalidRate,
    /// The tenant's labels (a Get Label List response), instead of the generated ones.
    pub labels_file: Option<PathBuf>,
    /// Requests per minute per token before 429.
    pub rate_limit_per_minute: u64,
    /// Extra time before each response.
    pub latency: Latency,
    /// The share of API requests that get an injected fault, in parts per million.
    pub fault_ppm: u32,
    /// Subscribe this webhook URL at start, as a PATCH to `inquiry-event-sub` would.
    pub webhook: Option<String>,
    /// Events per second the webhook sender posts at most.
    pub webhook_per_second: u64,
    /// Append the request log here as NDJSON.
    pub log_file: Option<PathBuf>,
    /// Write the manifest of served invalid records here (a JSON array), kept up to date.
    pub manifest_file: Option<PathBuf>,
    /// The member of the list response that holds the records.
    pub envelope_key: String,
    /// How many request-log entries `/_mock/requests` keeps (the oldest are dropped).
    pub request_log_capacity: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            addr: "127.0.0.1:0".to_owned(),
            app: "mock-app".to_owned(),
            token: "mock-token".to_owned(),
            seed: 0,
            records: 1000,
            from_millis: DEFAULT_TO_MILLIS - DEFAULT_SPAN_MILLIS,
            to_millis: DEFAULT_TO_MILLIS,
            invalid: InvalidRate::Never,
            labels_file: None,
            rate_limit_per_minute: 500,
            latency: Latency::None,
            fault_ppm: 0,
            webhook: None,
            webhook_per_second: 50,
            log_file: None,
            manifest_file: None,
            envelope_key: "enquiryDetails".to_owned(),
            request_log_capacity: 10_000,
        }
    }
}

/// Parses a fault rate between 0 and 1 (or a percentage) into parts per million.
pub fn parse_fault_rate(text: &str) -> Result<u32, ConfigError> {
    match InvalidRate::parse(text) {
        Ok(InvalidRate::Never) => Ok(0),
        Ok(InvalidRate::PerMillion(ppm)) => Ok(ppm),
        Ok(InvalidRate::Always) => Ok(1_000_000),
        Err(err) => Err(ConfigError(
            err.0.replace("invalid rate", "invalid fault rate"),
        )),
    }
}

impl Config {
    /// Checks the combination of values (an empty token, an empty range, ...).
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.token.is_empty() {
            return Err(ConfigError("the token must not be empty".to_owned()));
        }
        if self.from_millis >= self.to_millis {
            return Err(ConfigError("--from must be before --to".to_owned()));
        }
        if self.records > u64::from(u32::MAX) {
            return Err(ConfigError(format!(
                "--records {} is too many: at most {}",
                self.records,
                u32::MAX
            )));
        }
        if self.app.is_empty() || self.app.contains('/') {
            return Err(ConfigError(
                "--app must be a non-empty path segment".to_owned(),
            ));
        }
        if self.rate_limit_per_minute == 0 || self.webhook_per_second == 0 {
            return Err(ConfigError("rates must be positive".to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_specs_parse_and_sample_in_bounds() {
        assert_eq!(Latency::parse("fixed:20"), Ok(Latency::Fixed(20)));
        assert_eq!(Latency::parse("uniform:5-10"), Ok(Latency::Uniform(5, 10)));
        let lognormal = Latency::parse("lognormal:10,100").unwrap();
        for bad in [
            "",
            "fixed",
            "fixed:x",
            "uniform:10-5",
            "lognormal:0,5",
            "gamma:1",
        ] {
            assert!(Latency::parse(bad).is_err(), "{bad}");
        }
        let uniform = Latency::Uniform(5, 10).sample(0.5, 0.0);
        assert_eq!(uniform, Duration::from_micros(7500));
        // The median of the log-normal is where the normal draw is 0 (u2 = 1/4: cos = 0).
        assert_eq!(lognormal.sample(0.3, 0.25).as_millis(), 10);
        assert!(lognormal.sample(0.999_999, 0.0) <= Duration::from_secs(60));
    }

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate_per_minute("500/min", 60), Ok(500));
        assert_eq!(parse_rate_per_minute("20/s", 60), Ok(1200));
        assert_eq!(parse_rate_per_minute("30", 60), Ok(30));
        assert!(parse_rate_per_minute("0/min", 60).is_err());
        assert!(parse_rate_per_minute("5/h", 60).is_err());
        assert_eq!(parse_fault_rate("0.5"), Ok(500_000));
        assert_eq!(parse_fault_rate("1"), Ok(1_000_000));
        assert!(parse_fault_rate("2").is_err());
    }
}
