//! One pass, several reports: a [`Tee`] hands every event to each of its reporters in turn
//! (for example `github` annotations on standard output and an `html` file).

use std::io;

use enquiry_validator::{DataProfile, Finding, RecordOutcome, Summary};

use crate::{BaselineState, Reporter};

/// Feeds every event to each reporter, in order; the first error is returned after every
/// reporter has had the event.
pub struct Tee<'w>(pub Vec<Box<dyn Reporter + 'w>>);

impl Tee<'_> {
    fn each(
        &mut self,
        mut call: impl FnMut(&mut dyn Reporter) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut first = Ok(());
        for reporter in &mut self.0 {
            let result = call(reporter.as_mut());
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

impl Reporter for Tee<'_> {
    fn baseline_states(&mut self, states: &[BaselineState]) {
        for reporter in &mut self.0 {
            reporter.baseline_states(states);
        }
    }

    fn data_profile(&mut self, profile: &DataProfile) {
        for reporter in &mut self.0 {
            reporter.data_profile(profile);
        }
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.each(|reporter| reporter.finding(finding))
    }

    fn begin_file(&mut self, file: &str) -> io::Result<()> {
        self.each(|reporter| reporter.begin_file(file))
    }

    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        self.each(|reporter| reporter.record(outcome))
    }

    fn input(&mut self, finding: &Finding) -> io::Result<()> {
        self.each(|reporter| reporter.input(finding))
    }

    fn end_file(&mut self, file: &str, summary: &Summary) -> io::Result<()> {
        self.each(|reporter| reporter.end_file(file, summary))
    }

    fn unreadable(&mut self, file: &str, message: &str) -> io::Result<()> {
        self.each(|reporter| reporter.unreadable(file, message))
    }

    fn finish(&mut self, summary: &Summary, failed: bool) -> io::Result<()> {
        self.each(|reporter| reporter.finish(summary, failed))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    use super::*;
    use crate::fixture::render;
    use crate::{reporter, Format, HumanOptions};

    /// A buffer the test keeps a handle on while a reporter writes to it.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn tee_gives_each_reporter_the_same_events() {
        let options = HumanOptions::default();
        let alone = render(|out| reporter(Format::Github, Box::new(out), false, options));
        let second = Shared::default();
        let teed = render(|out| {
            Box::new(Tee(vec![
                reporter(Format::Github, Box::new(out), false, options),
                reporter(Format::Summary, Box::new(second.clone()), false, options),
            ]))
        });
        assert_eq!(teed, alone);
        let summary = String::from_utf8(second.0.take()).unwrap();
        assert!(
            summary.starts_with("FAILED  1 file, 4 records"),
            "{summary}"
        );
    }
}
