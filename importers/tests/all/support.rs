//! What the importers' format tests share: a test database and a folder to import files from
//! (`format_fixture`).

pub mod format_fixture;
