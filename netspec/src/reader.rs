//! Reading a table of the spec: typed getters that check types and finiteness, remember which
//! keys the section knows, and report every other key as unknown with a "did you mean".
//!
//! A section reads its table with [`TableReader`] and ends with [`TableReader::finish`]:
//! ```ignore
//! let size = t.u64("size")?.required(&t, "size")?;
//! let tau = t.f64("tau_rc")?.unwrap_or_else(|| t.default("tau_rc", 0.02));
//! t.finish()?;
//! ```

use crate::error::{ErrorKind, Origin, SpecError, closest};
use crate::tree::{Node, Sources, Table, Value};

/// A value read from the spec with its dotted key and where it was written (for defaults: the
/// table that omitted it).
#[derive(Clone, Debug, PartialEq)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Dotted key path, e.g. `population.exc.tau_rc`.
    pub key: String,
    /// Where it was written.
    pub origin: Origin,
}

impl<T> At<T> {
    /// An error about this value.
    pub fn error(&self, kind: ErrorKind) -> SpecError {
        SpecError::new(self.origin.clone(), self.key.clone(), kind)
    }

    /// The same location holding another value.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> At<U> {
        At {
            value: f(&self.value),
            key: self.key.clone(),
            origin: self.origin.clone(),
        }
    }
}

impl At<f64> {
    /// Error unless `ok(value)`; `msg` says what the value must be.
    pub fn check(self, ok: impl FnOnce(f64) -> bool, msg: &str) -> Result<Self, SpecError> {
        if ok(self.value) {
            Ok(self)
        } else {
            Err(self.error(ErrorKind::OutOfRange {
                value: self.value.to_string(),
                msg: msg.to_string(),
            }))
        }
    }

    /// Error unless the value is a positive time (s).
    pub fn positive_time(self) -> Result<Self, SpecError> {
        self.check(|x| x > 0.0, "must be > 0 (a time, in s)")
    }
}

/// Extension for optional values: a missing required key is an error at the table.
pub trait Required<T> {
    /// The value, or a [`ErrorKind::Missing`] error naming `key` of table `t`.
    fn required(self, t: &TableReader<'_>, key: &str) -> Result<At<T>, SpecError>;
}

impl<T> Required<T> for Option<At<T>> {
    fn required(self, t: &TableReader<'_>, key: &str) -> Result<At<T>, SpecError> {
        self.ok_or_else(|| t.missing(key))
    }
}

/// Reads one table of the spec.
#[derive(Debug)]
pub struct TableReader<'a> {
    sources: &'a Sources,
    table: &'a Table,
    node: &'a Node,
    path: String,
    known: Vec<&'static str>,
}

impl<'a> TableReader<'a> {
    /// A reader for `node` (which must be a table) at dotted `path`.
    pub fn new(sources: &'a Sources, node: &'a Node, path: &str) -> Result<Self, SpecError> {
        let Value::Table(table) = &node.value else {
            return Err(SpecError::new(
                sources.origin(node.loc),
                path,
                ErrorKind::WrongType {
                    expected: "a table",
                    found: node.value.type_name(),
                },
            ));
        };
        Ok(Self {
            sources,
            table,
            node,
            path: path.to_string(),
            known: Vec::new(),
        })
    }

    /// This table's dotted path (`population.exc`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Dotted path of `key` in this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Where this table starts.
    pub fn origin(&self) -> Origin {
        self.sources.origin(self.node.loc)
    }

    /// The sources, for nested readers.
    pub fn sources(&self) -> &'a Sources {
        self.sources
    }

    /// An error about `key` of this table, located at the table (for missing keys and
    /// cross-key rules).
    pub fn error(&self, key: &str, kind: ErrorKind) -> SpecError {
        SpecError::new(self.origin(), self.key_path(key), kind)
    }

    /// The error for a missing required `key`. A misspelling is the likeliest cause, so an
    /// unknown key of this table close to `key` is reported instead, at its own line, with
    /// `key` as the suggestion.
    pub fn missing(&self, key: &str) -> SpecError {
        self.table
            .entries
            .iter()
            .find(|e| !self.known.contains(&e.key.as_str()) && closest(&e.key, [key]).is_some())
            .map_or_else(
                || self.error(key, ErrorKind::Missing),
                |e| {
                    SpecError::new(
                        self.sources.origin(e.key_loc),
                        self.key_path(&e.key),
                        ErrorKind::UnknownKey {
                            suggestion: Some(key.to_string()),
                        },
                    )
                },
            )
    }

    /// A default value for an absent `key`, located at the table.
    pub fn default<T>(&self, key: &str, value: T) -> At<T> {
        At {
            value,
            key: self.key_path(key),
            origin: self.origin(),
        }
    }

    /// The raw node of `key` (marks `key` as known).
    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        self.known.push(key);
        self.table.get(key)
    }

    /// `value` located at `node`, under `key`.
    pub fn at<T>(&self, key: &str, node: &Node, value: T) -> At<T> {
        At {
            value,
            key: self.key_path(key),
            origin: self.sources.origin(node.loc),
        }
    }

    fn wrong_type(&self, key: &str, node: &Node, expected: &'static str) -> SpecError {
        SpecError::new(
            self.sources.origin(node.loc),
            self.key_path(key),
            ErrorKind::WrongType {
                expected,
                found: node.value.type_name(),
            },
        )
    }

    /// A string value.
    pub fn str(&mut self, key: &'static str) -> Result<Option<At<String>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        match &n.value {
            Value::Str(s) => Ok(Some(self.at(key, n, s.clone()))),
            _ => Err(self.wrong_type(key, n, "a string")),
        }
    }

    /// A finite number under `key`, or `default` (located at the table) when it is absent.
    pub fn f64_or(&mut self, key: &'static str, default: f64) -> Result<At<f64>, SpecError> {
        Ok(self.f64(key)?.unwrap_or_else(|| self.default(key, default)))
    }

    /// A finite number (integers are accepted).
    pub fn f64(&mut self, key: &'static str) -> Result<Option<At<f64>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        self.number(key, n).map(Some)
    }

    /// `node` read as a finite number under `key`.
    pub fn number(&self, key: &str, n: &Node) -> Result<At<f64>, SpecError> {
        let x = match n.value {
            Value::Float(x) => x,
            Value::Int(i) => i as f64,
            _ => return Err(self.wrong_type(key, n, "a number")),
        };
        if !x.is_finite() {
            return Err(SpecError::new(
                self.sources.origin(n.loc),
                self.key_path(key),
                ErrorKind::NotFinite {
                    value: x.to_string(),
                },
            ));
        }
        Ok(self.at(key, n, x))
    }

    /// A non-negative integer.
    pub fn u64(&mut self, key: &'static str) -> Result<Option<At<u64>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        self.count(key, n).map(Some)
    }

    /// `node` read as a non-negative integer under `key`.
    pub fn count(&self, key: &str, n: &Node) -> Result<At<u64>, SpecError> {
        match n.value {
            Value::Int(i) if i >= 0 => Ok(self.at(key, n, i as u64)),
            Value::Int(i) => Err(SpecError::new(
                self.sources.origin(n.loc),
                self.key_path(key),
                ErrorKind::OutOfRange {
                    value: i.to_string(),
                    msg: "must be ≥ 0".into(),
                },
            )),
            _ => Err(self.wrong_type(key, n, "a non-negative integer")),
        }
    }

    /// A boolean.
    pub fn bool(&mut self, key: &'static str) -> Result<Option<At<bool>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        match n.value {
            Value::Bool(b) => Ok(Some(self.at(key, n, b))),
            _ => Err(self.wrong_type(key, n, "a boolean")),
        }
    }

    /// A sub-table.
    pub fn table(&mut self, key: &'static str) -> Result<Option<TableReader<'a>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(None);
        };
        TableReader::new(self.sources, n, &self.key_path(key)).map(Some)
    }

    /// An array of tables (`[[key]]`); each element's path is `key.NAME` when it has a string
    /// `name`, `key.INDEX` otherwise (the same addressing `--set` uses).
    pub fn tables(&mut self, key: &'static str) -> Result<Vec<TableReader<'a>>, SpecError> {
        let Some(n) = self.node(key) else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = &n.value else {
            return Err(self.wrong_type(key, n, "an array of tables"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let label = match &item.value {
                    Value::Table(t) => t.name().map_or_else(|| i.to_string(), str::to_string),
                    _ => i.to_string(),
                };
                TableReader::new(
                    self.sources,
                    item,
                    &self.key_path(&format!("{key}.{label}")),
                )
            })
            .collect()
    }

    /// Fails on the first key no getter asked for, suggesting the closest known key.
    pub fn finish(&self) -> Result<(), SpecError> {
        for e in &self.table.entries {
            if !self.known.contains(&e.key.as_str()) {
                return Err(SpecError::new(
                    self.sources.origin(e.key_loc),
                    self.key_path(&e.key),
                    ErrorKind::UnknownKey {
                        suggestion: closest(&e.key, self.known.iter().copied()),
                    },
                ));
            }
        }
        Ok(())
    }
}
