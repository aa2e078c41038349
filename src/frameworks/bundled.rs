//! The framework files shipped inside the binary, so `career-bot` works with no files around it.
//!
//! `build.rs` lists `frameworks/*.yaml` at compile time; editing or adding a file there rebuilds.

/// `(path, contents)` of every bundled framework file, sorted by path.
pub static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/bundled_frameworks.rs"));
