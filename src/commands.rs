pub mod db;
pub mod demo;
pub mod import;
pub mod index;
pub mod party;
pub mod serve;
pub mod token;
pub mod verify;
