//! Measures `Generator::write_ndjson` throughput: `cargo run --release -p enquiry-fake --example
//! fake_throughput -- [COUNT] [SEED]`. Prints MB/s and records/s on stderr; writes nothing else.

use std::io::{self, Write};
use std::time::Instant;

use enquiry_fake::{Generator, Options};

/// Counts the bytes it is given and drops them.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(500_000);
    let seed: u64 = args.next().and_then(|text| text.parse().ok()).unwrap_or(1);
    let generator = Generator::new(Options {
        seed,
        ..Options::default()
    })
    .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
    let mut counter = Counter(0);
    let start = Instant::now();
    generator.write_ndjson(count, &mut counter)?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "{count} records, {} bytes in {seconds:.3} s: {:.1} MB/s, {:.0} records/s",
        counter.0,
        counter.0 as f64 / seconds / 1e6,
        count as f64 / seconds
    );
    Ok(())
}
