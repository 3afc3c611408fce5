pub mod db;
pub mod demo;
pub mod import;
pub mod index;
pub mod serve;
pub mod verify;
