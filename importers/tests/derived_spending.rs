//! Spending computations (docs/methods/spending.md) against a real PostgreSQL filled through
//! the importers: procurement red flags, budget vs actual, follow the money, and the rules on
//! the official OCDS examples. One test binary; the parts live in `derived_spending/`.

#[path = "derived_spending/budget.rs"]
mod budget;
#[path = "derived_spending/budget_city.rs"]
mod budget_city;
#[path = "derived_spending/fixture.rs"]
mod fixture;
#[path = "derived_spending/follow.rs"]
mod follow;
#[path = "derived_spending/follow_city.rs"]
mod follow_city;
#[path = "derived_spending/red_flags.rs"]
mod red_flags;
#[path = "derived_spending/red_flags_walk.rs"]
mod red_flags_walk;
