//! The JSON formats (OCDS, EPCIS) against a real PostgreSQL, beyond each format's own tests:
//! characters the database refuses, multi-byte text, publishers' harmless slips recorded as
//! data-quality notes, records of linked releases, files larger than several load chunks, and
//! property tests over mutated real examples.

mod characters;
mod fuzz;
mod large_files;
mod linked_records;
mod shapes;
mod support;
mod tolerance;
