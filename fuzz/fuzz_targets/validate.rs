//! Fuzzes the validator's entry point with arbitrary bytes, in both profiles and with a small
//! record size limit, so that the record-too-large path is exercised too. Any panic, hang
//! (libFuzzer's -timeout) or runaway allocation (-rss_limit_mb) is a failure.
#![no_main]

use enquiry_validator::{Config, Profile, Validator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let default = Validator::new(Config::default());
    let report = default.validate_slice(data, "fuzz");
    assert_eq!(
        report.summary.records,
        report.summary.valid + report.summary.invalid,
        "every record is valid or invalid"
    );
    let strict = Validator::new(Config {
        max_record_size: 256,
        ..Config::with_profile(Profile::Strict)
    });
    let _ = strict.validate_slice(data, "fuzz");
    let mut events = 0usize;
    let _ = default.validate_stream(data, "fuzz", 2, &mut |_| events += 1);
});
