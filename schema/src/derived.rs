//! Derived intelligence: what the stored rows mean (docs/methods.md). Each computation is a
//! plain function over loaded rows (exact arithmetic, tested with hand-computed values) with a
//! query that loads its inputs, or a SQL view; thresholds the standards leave open are
//! parameters with documented defaults.

pub mod carbon;
pub mod cold_chain;
mod settings;
pub mod spending;
pub mod waste;

pub use settings::{MethodSettings, SpendingSettings};
