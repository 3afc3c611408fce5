//! Spending: procurement red flags, budget vs actual, follow the money (docs/methods/spending.md).
