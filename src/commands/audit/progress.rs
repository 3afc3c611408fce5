//! How far the audit is: a bar on a terminal (rows re-proved, rows/s, ETA; then logs checked),
//! a plain line every few seconds otherwise, nothing when asked for none (the demo).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::output::thousands;

/// How often a plain progress line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    what: &'static str,
    total: u64,
    done: AtomicU64,
    started: Instant,
    display: Display,
}

enum Display {
    None,
    Bar(indicatif::ProgressBar),
    Plain(Mutex<Instant>),
}

impl Progress {
    /// Progress of `total` `what` (e.g. "rows re-proved"); shown when `show`.
    pub fn new(what: &'static str, total: u64, show: bool) -> Self {
        let display = if !show {
            Display::None
        } else if std::io::stderr().is_terminal() {
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {human_pos}/{human_len} {msg} · {per_sec} · ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            let bar = indicatif::ProgressBar::new(total).with_style(style);
            bar.set_message(what);
            Display::Bar(bar)
        } else {
            Display::Plain(Mutex::new(Instant::now()))
        };
        Self {
            what,
            total,
            done: AtomicU64::new(0),
            started: Instant::now(),
            display,
        }
    }

    /// `n` more done (from any thread).
    pub fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        match &self.display {
            Display::None => {}
            Display::Bar(bar) => bar.set_position(done),
            Display::Plain(last) => {
                let Ok(mut last) = last.lock() else {
                    return;
                };
                if last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    eprintln!("audit: {}", self.line(done));
                }
            }
        }
    }

    /// "4,200,000 of 12,819,873 rows re-proved (32 %), 980,000/s".
    fn line(&self, done: u64) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            (done as f64 / seconds) as u64
        } else {
            0
        };
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        format!(
            "{} of {} {} ({percent} %), {}/s",
            thousands(done),
            thousands(self.total),
            self.what,
            thousands(rate)
        )
    }

    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }
}
