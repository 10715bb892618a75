//! Measures single-thread throughput of the validator against a bare `serde_json` syntax pass
//! (`IgnoredAny`) on generated NDJSON. Run with
//! `cargo run --release -p enquiry-validator --example throughput [records] [jobs]`.

use std::time::Instant;

use enquiry_validator::{Config, Event, Validator};

/// One valid record of about 1.5 KB; `index` varies the identifiers.
fn record(index: usize) -> String {
    format!(
        concat!(
            r#"{{"_id":"6368a2f0c1{index:08}","uniqueKey":"uk-{index}-7f3a9c0e4b2d","createdAt":"2022-11-07T00:00:00.000Z","#,
            r#""svcID":"svc-0001-aaaa-bbbb-cccc","inquiry":"inq-{index}-0000-1111","tag":"tag-0042","visitor":"visitor-{index}-abcdef","#,
            r#""roomID":"room-{index}-0123456789abcdef","initChannel":"IM","omniType":"CINNOX","ip":"192.0.2.{ip}","language":"en","#,
            r#""location":"HK","locationDetail":{{"regionCode":"HK","subdivision":"Kowloon","city":"Hong Kong","province":"Hong Kong"}},"#,
            r#""platform":"web","status":"closed","displayCaseNumber":"CASE-{index:08}","channel":"Weblink","#,
            r#""destinationID":"dest-0001","destinationName":"Support Team","destinationType":"STAFF","destinationEndPoint":"STAFF","#,
            r#""handledType":"STAFF","handledTarget":"staff-eid-0007","handledPartyName":"Alex Example","#,
            r#""huntedStaffTargetHistory":"staff-eid-0007","type":"web","id":"channel-0001","maaiiDisplayName":"Example Web Chat","#,
            r#""name":"Example Third Party","inquiryType":"general {pad}","updatedAt":"2022-11-07T00:20:00.000Z","#,
            r#""closedAt":"2022-11-07T00:10:00.000Z","inquiryGroup":"group-0001","transferredParty":[{{"id":"staff-eid-0008","type":"STAFF"}}],"#,
            r#""pickedUpAt":"2022-11-07T00:01:00.000Z","handledPartyDepartmentID":"dept-0003","attachment":true,"#,
            r#""staffFirstName":"Alex","staffLastName":"Example","visitorFirstName":"Sam","visitorLastName":"Sample","#,
            r#""inquiryDeepLink":"https://example.com/dashboard/enquiries/room-{index}-0123456789abcdef","duration":540000,"#,
            r#""closeDuration":600000,"labelIDs":["label-0001","label-0002"]}}"#,
            "\n"
        ),
        index = index,
        ip = index % 250,
        pad = "lorem ipsum dolor sit amet ".repeat(pad_words())
    )
}

fn main() {
    // `STREAM=path`: stream that file once (to watch peak memory with `/usr/bin/time -v`);
    // `FILE=path`: compare on that NDJSON file's content instead of generated records;
    // `WRITE=path`: write the generated NDJSON there and stop;
    // `SYNTAX=path`: only the `IgnoredAny` pass over that NDJSON file's lines, once (with
    // `STREAM`, a pair of runs to compare under `valgrind --tool=callgrind`);
    // `BYTES=path`: read that file, then `validate_bytes` it once with one job and print the
    // check's own time (without the read), to time the in-memory check alone or count its
    // instructions under callgrind.
    if let Ok(path) = std::env::var("SYNTAX") {
        let data = std::fs::read(&path).expect("readable file");
        let mut start = 0;
        let mut valid = 0;
        for end in memchr::memchr_iter(b'\n', &data).chain([data.len()]) {
            let line = &data[start..end];
            valid += usize::from(serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok());
            start = end + 1;
        }
        println!("{valid} lines of valid JSON");
        return;
    }
    if let Ok(path) = std::env::var("BYTES") {
        let data = std::fs::read(&path).expect("readable file");
        let validator = Validator::new(Config::default());
        let start = Instant::now();
        let cpu_before = thread_cpu_ns();
        let summary = validator.validate_bytes(&data, &path, 1, &mut |_| {});
        let cpu = thread_cpu_ns()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        let seconds = start.elapsed().as_secs_f64();
        println!("{summary:?}");
        // The thread's CPU time too (Linux): unlike the wall clock, not stretched when other
        // work shares the cores.
        let cpu = cpu.map_or(String::new(), |ns| {
            format!(", {:.1} ms CPU", ns as f64 / 1e6)
        });
        println!(
            "validate_bytes: {:.1} ms, {:.0} MB/s{cpu}",
            seconds * 1e3,
            data.len() as f64 / 1e6 / seconds
        );
        return;
    }
    if let Ok(path) = std::env::var("STREAM") {
        let jobs: usize = std::env::args()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let file = std::fs::File::open(&path).expect("readable file");
        let validator = Validator::new(Config::default());
        let summary = validator
            .validate_stream(file, &path, jobs, &mut |_| {})
            .expect("readable file");
        println!("{summary:?}");
        return;
    }
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let jobs: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let data: Vec<u8> = match std::env::var("FILE") {
        Ok(path) => std::fs::read(path).expect("readable file"),
        Err(_) => (0..count)
            .flat_map(|index| record(index).into_bytes())
            .collect(),
    };
    let count = data.iter().filter(|&&byte| byte == b'\n').count();
    if let Ok(path) = std::env::var("WRITE") {
        std::fs::write(&path, &data).expect("writable path");
        return;
    }
    let megabytes = data.len() as f64 / 1e6;
    println!(
        "{count} records, {megabytes:.1} MB, {:.0} bytes/record",
        data.len() as f64 / count as f64
    );

    let best = |run: &mut dyn FnMut()| {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };

    let ignored = best(&mut || {
        let stream =
            serde_json::Deserializer::from_slice(&data).into_iter::<serde::de::IgnoredAny>();
        let mut n = 0;
        for value in stream {
            value.expect("valid JSON");
            n += 1;
        }
        assert_eq!(n, count);
    });
    let validator = Validator::new(Config::default());
    // The same records through both entry points: held in memory (`validate_bytes`, checked
    // where they are) and read (`validate_stream`, copied into read buffers).
    fn count_invalid(invalid: &mut usize) -> impl FnMut(Event) + '_ {
        move |event| {
            if let Event::Record(outcome) = event {
                *invalid += usize::from(!outcome.findings.is_empty());
            }
        }
    }
    let ours = best(&mut || {
        let mut invalid = 0;
        let summary =
            validator.validate_bytes(&data, "bench", jobs, &mut count_invalid(&mut invalid));
        assert_eq!((summary.records as usize, invalid), (count, 0));
    });
    let read = best(&mut || {
        let mut invalid = 0;
        let summary = validator
            .validate_stream(&data[..], "bench", jobs, &mut count_invalid(&mut invalid))
            .expect("in-memory read");
        assert_eq!((summary.records as usize, invalid), (count, 0));
    });
    println!("serde_json IgnoredAny: {:.0} MB/s", megabytes / ignored);
    println!(
        "validator (jobs {jobs}): {:.0} MB/s ({:.2}x)",
        megabytes / ours,
        ignored / ours
    );
    println!(
        "validator through Read (jobs {jobs}): {:.0} MB/s ({:.2}x)",
        megabytes / read,
        ignored / read
    );
}

/// The CPU time this thread has run, in nanoseconds (the first field of Linux's
/// `/proc/thread-self/schedstat`); `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// How many times the filler phrase repeats in `inquiryType` (`PAD` in the environment;
/// 14 gives records of about 1.8 KB, 0 about 1.4 KB of shorter strings).
fn pad_words() -> usize {
    std::env::var("PAD")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(14)
}
