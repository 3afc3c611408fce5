//! Waste: custody chains, declared vs received mass, treatment mismatches, parked waste, facility mass balance, city rates (docs/methods/waste.md).
