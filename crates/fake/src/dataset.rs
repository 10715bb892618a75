//! A consistent capture: valid records and, for each, the lifecycle events the webhook would
//! have pushed for it ([`crate::events::lifecycle`]), as two NDJSON streams.
//!
//! This is what `enquiry reconcile` expects from a healthy integration, so a dataset written
//! here reconciles with no finding; a test keeps that true. Events follow their record, one
//! enquiry after another in record order, as the mock's webhook sender delivers them. The same
//! generator options give the same bytes, as for the records alone.

use std::io::{self, Write};

use serde_json::Value;

use crate::events::lifecycle;
use crate::{Generator, Profile};

/// How much a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct DatasetCounts {
    /// Records written.
    pub records: u64,
    /// Events written (every record has at least its `Opened` event).
    pub events: u64,
}

/// Writes records `0..count` of `generator` (always their valid form: a dataset is consistent
/// by definition) to `records`, and their lifecycle events to `events`, one JSON value a line.
pub fn write_dataset<R: Write, E: Write>(
    generator: &Generator,
    count: u64,
    mut records: R,
    mut events: E,
) -> io::Result<DatasetCounts> {
    if generator.options().profile == Profile::Strict {
        // Its placeholder instants (a `missedAt` on a closed enquiry) have no events.
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a dataset holds default-profile records: their events follow what happened",
        ));
    }
    let mut counts = DatasetCounts::default();
    let mut line = Vec::with_capacity(2048);
    for index in 0..count {
        line.clear();
        generator.valid_record(index, &mut line);
        let record: Value = serde_json::from_slice(&line).map_err(io::Error::other)?;
        let lifecycle = lifecycle(&record).ok_or_else(|| {
            io::Error::other(format!("record {index} lacks what its events need"))
        })?;
        line.push(b'\n');
        records.write_all(&line)?;
        counts.records += 1;
        for event in &lifecycle {
            serde_json::to_writer(&mut events, event).map_err(io::Error::from)?;
            events.write_all(b"\n")?;
            counts.events += 1;
        }
    }
    records.flush()?;
    events.flush()?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn dataset(seed: u64, count: u64) -> (Vec<u8>, Vec<u8>, DatasetCounts) {
        let generator = Generator::new(Options {
            seed,
            ..Options::default()
        })
        .unwrap();
        let (mut records, mut events) = (Vec::new(), Vec::new());
        let counts = write_dataset(&generator, count, &mut records, &mut events).unwrap();
        (records, events, counts)
    }

    #[test]
    fn every_record_is_followed_by_its_own_events_in_date_order() {
        let (records, events, counts) = dataset(3, 300);
        assert_eq!(counts.records, 300);
        assert_eq!(records.iter().filter(|&&b| b == b'\n').count(), 300);
        let events: Vec<Value> = events
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        assert_eq!(events.len() as u64, counts.events);
        assert!(
            counts.events > counts.records,
            "closed enquiries have several events"
        );
        let mut position = 0;
        for line in records.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let record: Value = serde_json::from_slice(line).unwrap();
            let own = &events[position..];
            let run = own.iter().take_while(|e| e["eid"] == record["_id"]).count();
            assert!(run >= 1, "record {} has no events", record["_id"]);
            assert_eq!(own[0]["date"], record["createdAt"]);
            let dates: Vec<&str> = own[..run]
                .iter()
                .map(|e| e["date"].as_str().unwrap())
                .collect();
            assert!(dates.windows(2).all(|pair| pair[0] <= pair[1]), "{dates:?}");
            position += run;
        }
        assert_eq!(position, events.len());
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
        let first = dataset(11, 50);
        assert_eq!(first, dataset(11, 50));
        assert_ne!(first.0, dataset(12, 50).0);
    }
}
