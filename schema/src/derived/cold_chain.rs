//! Cold chain: excursions, cumulative time out of range, mean kinetic temperature, verdicts and logging gaps (docs/methods/cold-chain.md).
