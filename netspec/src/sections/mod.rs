//! The spec's sections, one module each.
//!
//! # Adding a section
//! A section module provides
//! 1. a validated type read from its table: `fn parse(t: &mut TableReader, names: &mut Names)
//!    -> Result<Self, SpecError>` (typed getters check types, ranges and finiteness; ending with
//!    `t.finish()?` reports unknown keys with a suggestion; `names.claim` registers the object's
//!    name for references and duplicate checks);
//! 2. a build step `fn build(items: &[Self], b: &mut Builder) -> Result<(), SpecError>` that adds
//!    its objects to the network: populations ([`Builder::populations`]), components coupling
//!    them ([`Builder::components`]), probes ([`Builder::probes`]); references resolve through
//!    [`Builder::population`] with "did you mean" errors.
//!
//! and is wired in with one field in [`crate::Spec`], one line in [`crate::Spec::parse_tree`]
//! (the section's key) and one in [`crate::Spec::build`] (its place in the build order: after
//! the sections it refers to). Document its keys in `docs/spec.md`.
//!
//! [`Builder::populations`]: crate::build::Builder::populations
//! [`Builder::components`]: crate::build::Builder::components
//! [`Builder::probes`]: crate::build::Builder::probes
//! [`Builder::population`]: crate::build::Builder::population

pub mod current;
pub mod input;
pub mod nef;
pub mod population;
pub mod probe;
pub mod projection;
pub mod simulation;

use crate::error::{ErrorKind, SpecError};
use crate::reader::At;

/// Names of the spec's objects (populations, probes, …), for duplicate checks and references.
#[derive(Clone, Debug, Default)]
pub struct Names {
    entries: Vec<(&'static str, At<String>)>,
}

impl Names {
    /// Registers `name` as an object of `kind`. Names must be unique within a kind; they must be
    /// non-empty, use only letters, digits, `_` and `-`, and not be all digits (so dotted keys
    /// and HDF5 paths stay unambiguous).
    pub fn claim(&mut self, kind: &'static str, name: &At<String>) -> Result<(), SpecError> {
        let n = &name.value;
        let ok_chars = n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if n.is_empty() || !ok_chars || n.chars().all(|c| c.is_ascii_digit()) {
            return Err(name.error(ErrorKind::Invalid(format!(
                "invalid name {n:?}: use letters, digits, `_` and `-` (not only digits)"
            ))));
        }
        if let Some((_, first)) = self
            .entries
            .iter()
            .find(|(k, other)| *k == kind && other.value == *n)
        {
            return Err(name.error(ErrorKind::Duplicate {
                name: n.clone(),
                first: first.origin.clone(),
            }));
        }
        self.entries.push((kind, name.clone()));
        Ok(())
    }

    /// Names of the objects of `kind`, in spec order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, n)| n.value.as_str())
    }
}
