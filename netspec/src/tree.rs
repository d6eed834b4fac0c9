//! The spec document as an owned tree whose every value remembers where it was written, and
//! the `--set KEY=VALUE` overrides applied to it.
//!
//! The file is parsed by `toml`'s span-keeping parser ([`toml::de::DeTable`]) and copied into
//! [`Table`]/[`Node`] so overrides can replace values (each override value remembers the
//! argument it came from) before the sections read the tree.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{ErrorKind, Origin, SpecError, closest};

/// Where a value was written: source index (0 = the spec file, 1.. = `--set` arguments) and
/// byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// Index into [`Sources`].
    pub src: usize,
    /// Byte offset of the value in that source.
    pub start: usize,
}

/// The texts values come from: the spec file and each `--set` argument.
#[derive(Clone, Debug)]
pub struct Sources {
    sources: Vec<(String, String, bool)>,
}

impl Sources {
    /// Sources holding the spec file `name` with contents `text`.
    pub fn new(name: &str, text: &str) -> Self {
        Self {
            sources: vec![(name.to_string(), text.to_string(), false)],
        }
    }

    /// Registers a `--set` argument; returns its source index.
    fn push_override(&mut self, arg: &str) -> usize {
        self.sources
            .push((format!("--set {arg}"), arg.to_string(), true));
        self.sources.len() - 1
    }

    /// The spec file's name.
    pub fn file_name(&self) -> &str {
        &self.sources[0].0
    }

    /// File, line and column of `loc`.
    pub fn origin(&self, loc: Loc) -> Origin {
        let Some((name, text, is_override)) = self.sources.get(loc.src) else {
            return Origin {
                file: String::new(),
                line: 0,
                col: 0,
            };
        };
        if *is_override {
            return Origin {
                file: name.clone(),
                line: 0,
                col: 0,
            };
        }
        let mut start = loc.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Origin {
            file: name.clone(),
            line,
            col,
        }
    }
}

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (may be NaN or infinite as written; readers reject those).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date-time, as written.
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table.
    Table(Table),
}

impl Value {
    /// The value's TOML type, with its article, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub loc: Loc,
}

/// One `key = value` of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_loc: Loc,
    /// The value.
    pub node: Node,
}

/// A TOML table: entries in key order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The entries.
    pub entries: Vec<Entry>,
}

impl Table {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.node)
    }

    /// The string `name` of this table, if it has one.
    pub fn name(&self) -> Option<&str> {
        match self.get("name").map(|n| &n.value) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }
}

/// Reads the spec file at `path`: its display name (for errors) and its text.
pub fn read_file(path: &std::path::Path) -> Result<(String, String), SpecError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        SpecError::new(
            Origin {
                file: file.clone(),
                line: 0,
                col: 0,
            },
            "",
            ErrorKind::Io(e.to_string()),
        )
    })?;
    Ok((file, text))
}

/// Parses spec `text` (named `file` in errors) and applies the `--set` overrides to the tree.
pub fn parse_with_overrides(
    file: &str,
    text: &str,
    overrides: &[String],
) -> Result<(Sources, Node), SpecError> {
    let mut sources = Sources::new(file, text);
    let mut root = parse_document(&sources, text)?;
    for o in overrides {
        apply_override(&mut root, &mut sources, o)?;
    }
    Ok((sources, root))
}

/// Parses the spec text `text` into a tree (source index 0).
pub fn parse_document(sources: &Sources, text: &str) -> Result<Node, SpecError> {
    match DeTable::parse(text) {
        Ok(doc) => convert_table(doc.get_ref(), doc.span().start, 0)
            .map_err(|(loc, msg)| SpecError::new(sources.origin(loc), "", ErrorKind::Syntax(msg))),
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            Err(SpecError::new(
                sources.origin(Loc { src: 0, start: at }),
                "",
                ErrorKind::Syntax(e.message().trim().to_string()),
            ))
        }
    }
}

type ConvertError = (Loc, String);

fn convert_table(t: &DeTable<'_>, start: usize, src: usize) -> Result<Node, ConvertError> {
    let mut entries = Vec::with_capacity(t.len());
    for (k, v) in t.iter() {
        entries.push(Entry {
            key: k.get_ref().to_string(),
            key_loc: Loc {
                src,
                start: k.span().start,
            },
            node: convert(v, src)?,
        });
    }
    Ok(Node {
        value: Value::Table(Table { entries }),
        loc: Loc { src, start },
    })
}

fn convert(v: &Spanned<DeValue<'_>>, src: usize) -> Result<Node, ConvertError> {
    let loc = Loc {
        src,
        start: v.span().start,
    };
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Int(
            i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| (loc, format!("integer {i} does not fit in 64 bits")))?,
        ),
        DeValue::Float(f) => Value::Float(
            parse_float(f.as_str()).ok_or_else(|| (loc, format!("float {f} is out of range")))?,
        ),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|x| convert(x, src))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => return convert_table(t, loc.start, src),
    };
    Ok(Node { value, loc })
}

/// A TOML float as written (`1e-3`, `inf`, `-nan`, …); `None` when it overflows to infinity
/// without being written as `inf`.
fn parse_float(s: &str) -> Option<f64> {
    let unsigned = s.trim_start_matches(['+', '-']);
    if unsigned == "nan" {
        return Some(f64::NAN);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() || unsigned == "inf").then_some(f)
}

/// Applies one `--set KEY=VALUE` override to the document `root`, recording the argument in
/// `sources` so errors about the value point at it.
///
/// `KEY` is a dotted path; an array of tables is entered by an element's `name` (or its
/// 0-based index): `population.exc.size`. `VALUE` is a TOML value (`800`, `1e-4`, `"lif"`,
/// `[1, 2]`, `{dist = "uniform", low = 0, high = 1}`); text that is not valid TOML is taken as
/// a string, so `--set population.exc.model=lif` needs no shell quoting. Missing tables along
/// the path are created; a key the section does not know is reported when the section is read.
pub fn apply_override(root: &mut Node, sources: &mut Sources, arg: &str) -> Result<(), SpecError> {
    let src = sources.push_override(arg);
    let origin = sources.origin(Loc { src, start: 0 });
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(SpecError::new(
            origin,
            arg,
            ErrorKind::Invalid("expected KEY=VALUE (for example simulation.seed=3)".into()),
        ));
    };
    let path = path.trim();
    let segments: Vec<&str> = path.split('.').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(SpecError::new(
            origin,
            path,
            ErrorKind::Invalid("empty segment in dotted key".into()),
        ));
    }
    let value = parse_override_value(raw.trim(), src);
    set_path(root, &segments, value, src).map_err(|kind| SpecError::new(origin, path, kind))
}

/// The override's value: TOML when it parses as TOML, otherwise the text as a string.
fn parse_override_value(raw: &str, src: usize) -> Node {
    let loc = Loc { src, start: 0 };
    match DeValue::parse(raw) {
        Ok(v) => convert(&v, src).unwrap_or(Node {
            value: Value::Str(raw.to_string()),
            loc,
        }),
        Err(_) => Node {
            value: Value::Str(Cow::Borrowed(raw).into_owned()),
            loc,
        },
    }
}

fn set_path(node: &mut Node, path: &[&str], value: Node, src: usize) -> Result<(), ErrorKind> {
    let loc = Loc { src, start: 0 };
    let Value::Table(table) = &mut node.value else {
        return Err(ErrorKind::Invalid(format!(
            "cannot set a key inside {}",
            node.value.type_name()
        )));
    };
    let (first, rest) = (path[0], &path[1..]);
    let pos = match table.entries.iter().position(|e| e.key == first) {
        Some(p) => p,
        None => {
            table.entries.push(Entry {
                key: first.to_string(),
                key_loc: loc,
                node: Node {
                    value: Value::Table(Table::default()),
                    loc,
                },
            });
            table.entries.len() - 1
        }
    };
    let entry = &mut table.entries[pos];
    if rest.is_empty() {
        entry.node = value;
        entry.key_loc = loc;
        return Ok(());
    }
    match &mut entry.node.value {
        Value::Array(items) => {
            let want = rest[0];
            let idx = items
                .iter()
                .position(|n| matches!(&n.value, Value::Table(t) if t.name() == Some(want)))
                .or_else(|| want.parse::<usize>().ok().filter(|&i| i < items.len()));
            let Some(i) = idx else {
                let names: Vec<&str> = items
                    .iter()
                    .filter_map(|n| match &n.value {
                        Value::Table(t) => t.name(),
                        _ => None,
                    })
                    .collect();
                return Err(ErrorKind::UnknownReference {
                    kind: "entry",
                    name: format!("{first}.{want}"),
                    suggestion: closest(want, names.iter().copied())
                        .map(|s| format!("{first}.{s}")),
                });
            };
            if rest.len() == 1 {
                items[i] = value;
                return Ok(());
            }
            set_path(&mut items[i], &rest[1..], value, src)
        }
        _ => set_path(&mut entry.node, rest, value, src),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> (Node, Sources) {
        let s = Sources::new("t.toml", text);
        (parse_document(&s, text).unwrap(), s)
    }

    #[test]
    fn locations_are_line_and_column() {
        let (root, s) = doc("[simulation]\ndt = 1e-4\n\n[[population]]\nname = \"exc\"\n");
        let Value::Table(t) = &root.value else {
            panic!()
        };
        let sim = t.get("simulation").unwrap();
        let Value::Table(sim) = &sim.value else {
            panic!()
        };
        let dt = sim.get("dt").unwrap();
        assert_eq!(dt.value, Value::Float(1e-4));
        let o = s.origin(dt.loc);
        assert_eq!((o.line, o.col), (2, 6));
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let s = Sources::new("t.toml", "a = 1\nb = \n");
        let e = parse_document(&s, "a = 1\nb = \n").unwrap_err();
        assert_eq!(e.origin.line, 2, "{e}");
        assert!(matches!(*e.kind, ErrorKind::Syntax(_)));
    }

    #[test]
    fn nan_and_inf_are_kept_for_the_readers_to_reject() {
        let (root, _) = doc("a = nan\nb = -inf\n");
        let Value::Table(t) = &root.value else {
            panic!()
        };
        assert!(matches!(t.get("a").unwrap().value, Value::Float(x) if x.is_nan()));
        assert_eq!(t.get("b").unwrap().value, Value::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn overrides_address_array_entries_by_name_and_index() {
        let (mut root, mut s) = doc("[[population]]\nname = \"exc\"\nsize = 10\n\
             [[population]]\nname = \"inh\"\nsize = 5\n");
        apply_override(&mut root, &mut s, "population.inh.size=800").unwrap();
        apply_override(&mut root, &mut s, "population.0.model=lif").unwrap();
        apply_override(&mut root, &mut s, "simulation.seed=3").unwrap();
        let Value::Table(t) = &root.value else {
            panic!()
        };
        let Value::Array(pops) = &t.get("population").unwrap().value else {
            panic!()
        };
        let Value::Table(inh) = &pops[1].value else {
            panic!()
        };
        assert_eq!(inh.get("size").unwrap().value, Value::Int(800));
        assert_eq!(
            s.origin(inh.get("size").unwrap().loc).file,
            "--set population.inh.size=800"
        );
        let Value::Table(exc) = &pops[0].value else {
            panic!()
        };
        assert_eq!(exc.get("model").unwrap().value, Value::Str("lif".into()));
        let e = apply_override(&mut root, &mut s, "population.ihn.size=1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--set population.ihn.size=1: `population.ihn.size`: no entry named \
             `population.ihn`; did you mean `population.inh`?"
        );
    }
}
