//! Spending computations (docs/methods/spending.md) against a real PostgreSQL filled through
//! the importers: procurement red flags, budget vs actual, follow the money, and the rules on
//! the official OCDS examples. The parts live in `spending/`.

mod budget;
mod budget_city;
mod budget_lines;
mod executed_vs_paid;
mod fixture;
mod follow;
mod follow_city;
mod red_flags;
mod red_flags_walk;
