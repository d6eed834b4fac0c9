//! Spec errors: every one names where (file, line, column, or the `--set` argument) and which
//! dotted key (`population.exc.tau_rc`) is at fault.

use std::fmt;

use thiserror::Error;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The spec file path, or the `--set KEY=VALUE` argument that supplied the value.
    pub file: String,
    /// 1-based line (0 for a `--set` argument, which has no lines).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.col)
        }
    }
}

/// A spec error: where, which key, and what is wrong.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{origin}: {}{kind}", key_prefix(.key))]
pub struct SpecError {
    /// Where the offending value (or the table missing a key) is.
    pub origin: Origin,
    /// Dotted key path (`population.exc.size`); empty for whole-document errors.
    pub key: String,
    /// What is wrong (boxed: keeps `Result<_, SpecError>` small).
    pub kind: Box<ErrorKind>,
}

fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("`{key}`: ")
    }
}

/// `; did you mean `x`?` when there is a suggestion.
fn suggest(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// What is wrong with a spec value.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file is not valid TOML.
    #[error("TOML syntax error: {0}")]
    Syntax(String),
    /// A key no section knows.
    #[error("unknown key{}", suggest(.suggestion))]
    UnknownKey {
        /// The closest known key.
        suggestion: Option<String>,
    },
    /// A required key is absent.
    #[error("missing required key")]
    Missing,
    /// A value of the wrong TOML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the key takes.
        expected: &'static str,
        /// What the file gave.
        found: &'static str,
    },
    /// NaN or an infinity.
    #[error("{value} is not a finite number (NaN and infinities are rejected)")]
    NotFinite {
        /// The value as written.
        value: String,
    },
    /// A number outside the key's valid range.
    #[error("{value} {msg}")]
    OutOfRange {
        /// The value, formatted.
        value: String,
        /// The rule it breaks (`must be > 0 (a time constant, in s)`).
        msg: String,
    },
    /// The duration is not a whole number of time steps.
    #[error(
        "duration {duration} s is not a whole number of steps of dt = {dt} s ({steps} steps); \
         choose a duration that is a multiple of dt"
    )]
    DurationNotMultiple {
        /// Duration, s.
        duration: f64,
        /// Time step, s.
        dt: f64,
        /// duration / dt.
        steps: f64,
    },
    /// A name that refers to no object of the expected kind.
    #[error("no {kind} named `{name}`{}", suggest(.suggestion))]
    UnknownReference {
        /// The kind of object expected (`population`).
        kind: &'static str,
        /// The name given.
        name: String,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// Two objects of one kind share a name.
    #[error("duplicate name `{name}` (first used at {first})")]
    Duplicate {
        /// The name.
        name: String,
        /// Where it was first defined.
        first: Origin,
    },
    /// A refractory period shorter than the time step on neurons driven faster than once per step.
    #[error(
        "refractory period {t_ref} s is shorter than dt = {dt} s and neuron {neuron} would fire \
         at {rate:.1} Hz, more than once per step (1/dt = {max:.1} Hz): its rate would be clipped; \
         use a refractory period ≥ dt, a smaller dt or a weaker drive"
    )]
    RefractoryBelowDt {
        /// Refractory period, s.
        t_ref: f64,
        /// Time step, s.
        dt: f64,
        /// Index of the fastest neuron.
        neuron: usize,
        /// Its analytic rate, Hz.
        rate: f64,
        /// 1/dt, Hz.
        max: f64,
    },
    /// The network would not fit in this machine's memory.
    #[error(
        "the network needs about {need_gib:.2} GiB but this machine has {have_gib:.2} GiB of memory"
    )]
    TooLarge {
        /// Estimated need, GiB.
        need_gib: f64,
        /// Physical memory, GiB.
        have_gib: f64,
    },
    /// The spec file cannot be read.
    #[error("cannot read the spec file: {0}")]
    Io(String),
    /// Any other invalid value, explained.
    #[error("{0}")]
    Invalid(String),
}

impl SpecError {
    /// An error at `origin` on `key`.
    pub fn new(origin: Origin, key: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            origin,
            key: key.into(),
            kind: Box::new(kind),
        }
    }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to be a
/// plausible typo (at most a third of the word's length, and at most 3 edits).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Edit distance between two strings, by characters: insertions, deletions, substitutions and
/// transpositions of adjacent characters (optimal string alignment), so `ihn` is one edit
/// from `inh`.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("tau_rc", "tau_rc"), 0);
        assert_eq!(levenshtein("tau_cr", "tau_rc"), 1);
        assert_eq!(levenshtein("tua_rc", "tau_rc"), 1);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("size", "sizes"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    #[test]
    fn closest_suggests_only_plausible_typos() {
        let keys = ["tau_rc", "tau_ref", "size", "name"];
        assert_eq!(closest("tau_r", keys).as_deref(), Some("tau_rc"));
        assert_eq!(closest("sise", keys).as_deref(), Some("size"));
        assert_eq!(closest("colour", keys), None);
    }
}
