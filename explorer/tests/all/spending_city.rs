//! The small city of the spending and emissions pages (`fixture`).

pub mod fixture;
