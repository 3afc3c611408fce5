//! The stall watchdog: when a chain counts as stalled.

use std::time::{Duration, Instant};

use crate::config::ChainConfig;

/// Decides when a chain counts as stalled, for `stall_after_polls` poll intervals: the node
/// has not answered (RPC failing or hanging), or no progress while behind, or (when configured)
/// a head that stopped moving.
pub(super) struct Watchdog {
    after: Duration,
    max_head_age: Option<Duration>,
    last_answer: Instant,
    last_progress: Instant,
    last_error: Option<String>,
    last_head: (u64, Instant),
    stalled: Option<String>,
}

impl Watchdog {
    pub(super) fn new(chain: &ChainConfig) -> Self {
        let now = Instant::now();
        Self {
            after: Duration::from_millis(chain.poll_interval_ms) * chain.stall_after_polls,
            max_head_age: chain.max_head_age_secs.map(Duration::from_secs),
            last_answer: now,
            last_progress: now,
            last_error: None,
            last_head: (0, now),
            stalled: None,
        }
    }

    pub(super) fn answered(&mut self) {
        self.last_answer = Instant::now();
        self.last_error = None;
    }

    pub(super) fn progressed(&mut self) {
        self.last_progress = Instant::now();
    }

    pub(super) fn failed(&mut self, error: &str) {
        self.last_error = Some(error.to_string());
    }

    pub(super) fn head(&mut self, head: u64) {
        if head != self.last_head.0 {
            self.last_head = (head, Instant::now());
        }
    }

    /// Some(new verdict) when it changed: Some(reason) stalled, None healthy.
    pub(super) fn verdict(&mut self, lag: u64) -> Option<Option<String>> {
        let now = Instant::now();
        let reason = if now - self.last_answer >= self.after {
            let last = self
                .last_error
                .as_deref()
                .map(|e| format!("; last error: {e}"))
                .unwrap_or_default();
            Some(format!(
                "no answer from the node for {}s{last}",
                (now - self.last_answer).as_secs()
            ))
        } else if lag > 0 && now - self.last_progress >= self.after {
            Some(format!(
                "no progress for {}s while {lag} blocks behind",
                (now - self.last_progress).as_secs()
            ))
        } else if let Some(age) = self.max_head_age.filter(|a| now - self.last_head.1 >= *a) {
            Some(format!(
                "the node's head has not moved for {}s (at most {}s expected)",
                (now - self.last_head.1).as_secs(),
                age.as_secs()
            ))
        } else {
            None
        };
        if reason.is_some() == self.stalled.is_some() {
            return None;
        }
        self.stalled = reason.clone();
        Some(reason)
    }
}
