//! Renderers. Pure functions from values to text: no I/O, sorted, byte-identical for the same input.

pub mod baseline;
pub mod check_markdown;
pub mod display;
pub mod environment;
pub mod findings;
pub mod graph;
pub mod impact;
pub mod inventory;
pub mod load_codes;
pub mod resolution;
pub mod table;
pub mod trace;
