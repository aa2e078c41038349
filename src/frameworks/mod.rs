//! Career frameworks: the model, the readers for each file format, and loading a set of them.
//!
//! - [`model`]: what a framework is, independent of any file format.
//! - [`native`], [`hugo`], [`monzo`]: one reader per format; [`detect`] picks one per file.
//! - [`loader`]: walks directories (or the bundled set), runs the readers, checks ids and
//!   aliases across files, and returns a [`Library`] plus every error with file and line.
//! - [`library`]: the loaded, validated set that questions are answered from.
//! - [`source`]: what the readers take in and give back, shared by the loader and the readers;
//!   [`repository`]: whose a Hugo site or Monzo repository is (configured, its README title…)
//!   and paths inside it; `naming`: names and text helpers the readers share.
//!
//! This module is part of the pure core: it reads files but knows nothing of Slack or SQL.

pub mod bundled;
pub mod detect;
pub mod error;
pub mod hugo;
pub mod library;
pub mod loader;
pub mod model;
pub mod monzo;
pub(crate) mod naming;
pub mod native;
pub mod repository;
pub mod source;
pub(crate) mod yaml;

pub use error::{FrameworkError, FrameworkErrorKind};
pub use library::Library;
pub use loader::{FrameworkSource, LoadReport, load};
pub use model::{Dimension, Format, Framework, Indicator, Level, Origin, Role, Source};
pub use source::{Notice, NoticeKind, ParsedFramework, SourceFile, SourceLines};
