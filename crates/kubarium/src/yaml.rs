//! YAML as kubectl reads it: YAML 1.1 scalars into a JSON-like tree that remembers where every
//! node and key came from.
//!
//! kubectl turns YAML into JSON before anything looks at the fields
//! (`sigs.k8s.io/yaml.YAMLToJSON` over go-yaml v2), so a plain `yes`, `on` or `off` is a boolean
//! and `1.10` is a number, and map keys become strings. This module reproduces that scalar
//! resolution (go-yaml v2 `resolve.go`) on top of saphyr-parser's events, which carry positions.
//!
//! Hostile input is bounded: nesting depth and the number of nodes (aliases included) are capped,
//! and the tree is built without recursion.

use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

/// A position in the source, both 1-based, as editors and `kubectl` count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "line {}, column {}", self.line, self.column)
    }
}

/// A resolved YAML value: what the JSON that kubectl sends would hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in source order. Duplicate keys are kept, so validation can report them.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based index of the document in the stream.
    pub index: usize,
    pub root: Node,
    /// Whether the document holds nothing but comments or white space.
    pub is_empty: bool,
}

/// A syntax error, or input beyond the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for YamlError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.pos, self.message)
    }
}

/// Deeper nesting than any Kubernetes object needs; bounds recursion in later passes.
pub const MAX_DEPTH: usize = 128;
/// Nodes per stream, aliases expanded: large enough for big `List`s, small enough for a browser.
pub const MAX_NODES: usize = 500_000;

impl Value {
    /// The JSON type name Go's `encoding/json` uses in `cannot unmarshal X into ...` messages.
    pub fn json_kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }
}

impl Node {
    /// The value of `key` if this is a mapping that has it (the last one, as JSON decoding keeps).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|entry| entry.key == key)
                .map(|entry| &entry.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// Converts to JSON. Duplicate keys keep the last value, as `encoding/json` would.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(value) => serde_json::Value::Bool(*value),
            Value::Int(value) => serde_json::Value::from(*value),
            Value::Float(value) => serde_json::Number::from_f64(*value)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(text) => serde_json::Value::String(text.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut object = serde_json::Map::new();
                for entry in entries {
                    object.insert(entry.key.clone(), entry.value.to_json());
                }
                serde_json::Value::Object(object)
            }
        }
    }
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        column: span.start.col() as u32 + 1,
    }
}

/// Parses every document of a YAML (or JSON) stream.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|error| YamlError {
            message: error.info().to_string(),
            pos: Pos {
                line: error.marker().line() as u32,
                column: error.marker().col() as u32 + 1,
            },
        })?;
        builder.on_event(event, &span)?;
    }
    Ok(builder.documents)
}

/// A collection being built.
enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        pending_key: Option<(String, Pos)>,
        pos: Pos,
        anchor: usize,
    },
}

#[derive(Default)]
struct TreeBuilder {
    documents: Vec<Document>,
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node, usize)>,
    root: Option<Node>,
    node_count: usize,
    document_has_content: bool,
}

impl TreeBuilder {
    fn on_event(&mut self, event: Event<'_>, span: &Span) -> Result<(), YamlError> {
        let pos = pos_of(span);
        match event {
            Event::DocumentStart(_) => {
                self.root = None;
                self.document_has_content = false;
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or(Node {
                    value: Value::Null,
                    pos,
                });
                // A document of nothing but comments is an empty plain scalar: null. kubectl
                // skips such documents, and an explicit `~` too.
                let is_empty = !self.document_has_content || root.value == Value::Null;
                self.documents.push(Document {
                    index: self.documents.len(),
                    root,
                    is_empty,
                });
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.document_has_content = true;
                let value = resolve_scalar(&text, style, tag.as_deref());
                self.finish_node(Node { value, pos }, anchor, 1)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.document_has_content = true;
                self.open(Frame::Seq {
                    items: Vec::new(),
                    pos,
                    anchor,
                })?;
            }
            Event::MappingStart(anchor, _) => {
                self.document_has_content = true;
                self.open(Frame::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    pos,
                    anchor,
                })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(YamlError {
                        message: "unbalanced collection end".to_string(),
                        pos,
                    });
                };
                let (node, anchor) = match frame {
                    Frame::Seq { items, pos, anchor } => (
                        Node {
                            value: Value::Seq(items),
                            pos,
                        },
                        anchor,
                    ),
                    Frame::Map {
                        entries, pos, anchor, ..
                    } => (
                        Node {
                            value: Value::Map(entries),
                            pos,
                        },
                        anchor,
                    ),
                };
                self.finish_node(node, anchor, 0)?;
            }
            Event::Alias(id) => {
                let Some((_, node, size)) = self.anchors.iter().rev().find(|(anchor, _, _)| *anchor == id) else {
                    return Err(YamlError {
                        message: "unknown anchor".to_string(),
                        pos,
                    });
                };
                let (node, size) = (Node { pos, ..node.clone() }, *size);
                if self.node_count + size > MAX_NODES {
                    return Err(YamlError {
                        message: "document contains excessive aliasing".to_string(),
                        pos,
                    });
                }
                self.finish_node(node, 0, size)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), YamlError> {
        let pos = match &frame {
            Frame::Seq { pos, .. } | Frame::Map { pos, .. } => *pos,
        };
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                pos,
            });
        }
        self.count_nodes(1, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    fn count_nodes(&mut self, count: usize, pos: Pos) -> Result<(), YamlError> {
        self.node_count += count;
        if self.node_count > MAX_NODES {
            return Err(YamlError {
                message: format!("input has more than {MAX_NODES} nodes"),
                pos,
            });
        }
        Ok(())
    }

    /// Places a finished node in its parent (or as the document root) and records its anchor.
    fn finish_node(&mut self, node: Node, anchor: usize, new_nodes: usize) -> Result<(), YamlError> {
        self.count_nodes(new_nodes, node.pos)?;
        if anchor != 0 {
            let size = count_tree(&node);
            self.anchors.push((anchor, node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, pending_key, ..
            }) => match pending_key.take() {
                None => {
                    let key = map_key(&node)?;
                    *pending_key = Some((key, node.pos));
                }
                Some((key, key_pos)) if key == "<<" => merge_into(entries, node, key_pos)?,
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

fn count_tree(node: &Node) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        count += 1;
        match &node.value {
            Value::Seq(items) => pending.extend(items),
            Value::Map(entries) => pending.extend(entries.iter().map(|entry| &entry.value)),
            _ => {}
        }
    }
    count
}

/// Map keys become strings, as `YAMLToJSON` makes them: `true`, `1`, `1.5`, `null`.
fn map_key(node: &Node) -> Result<String, YamlError> {
    Ok(match &node.value {
        Value::String(text) => text.clone(),
        Value::Bool(value) => value.to_string(),
        Value::Int(value) => value.to_string(),
        Value::Float(value) => value.to_string(),
        Value::Null => "null".to_string(),
        Value::Seq(_) | Value::Map(_) => {
            return Err(YamlError {
                message: "invalid map key: a key must be a scalar".to_string(),
                pos: node.pos,
            })
        }
    })
}

/// The merge key `<<` (YAML 1.1, supported by go-yaml v2): entries of the merged map(s) that the
/// map does not set itself.
fn merge_into(entries: &mut Vec<Entry>, node: Node, key_pos: Pos) -> Result<(), YamlError> {
    let sources = match node.value {
        Value::Map(merged) => vec![merged],
        Value::Seq(items) => items
            .into_iter()
            .map(|item| match item.value {
                Value::Map(merged) => Ok(merged),
                _ => Err(YamlError {
                    message: "map merge requires map or sequence of maps as the value".to_string(),
                    pos: item.pos,
                }),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(YamlError {
                message: "map merge requires map or sequence of maps as the value".to_string(),
                pos: key_pos,
            })
        }
    };
    for merged in sources {
        for entry in merged {
            if !entries.iter().any(|existing| existing.key == entry.key) {
                entries.push(entry);
            }
        }
    }
    Ok(())
}

fn is_core_tag(tag: &Tag, suffix: &str) -> bool {
    (tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:") && tag.suffix == suffix
}

/// go-yaml v2 `resolve`: only plain scalars are resolved; quoted and block scalars are strings.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if is_core_tag(tag, "str") || is_core_tag(tag, "binary") {
            return Value::String(text.to_string());
        }
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    resolve_plain(text)
}

/// The YAML 1.1 resolution of a plain scalar, as go-yaml v2 `resolve.go` does it.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let starts_numeric = text
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_digit() || matches!(first, '+' | '-' | '.'));
    if !starts_numeric {
        return Value::String(text.to_string());
    }
    let plain: String = text.chars().filter(|&character| character != '_').collect();
    if let Some(value) = parse_go_int(&plain) {
        return Value::Int(value);
    }
    if is_yaml_style_float(&plain) {
        if let Ok(value) = plain.parse::<f64>() {
            return Value::Float(value);
        }
    }
    Value::String(text.to_string())
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`, `0o`, `0b`, a leading `0` (octal) or
/// decimal digits.
fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|digit| digit.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// go-yaml v2 `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        index += 1;
    }
    let digits = |index: &mut usize| {
        let start = *index;
        while bytes.get(*index).is_some_and(u8::is_ascii_digit) {
            *index += 1;
        }
        *index - start
    };
    if bytes.get(index) == Some(&b'.') {
        index += 1;
        if digits(&mut index) == 0 {
            return false;
        }
    } else {
        if digits(&mut index) == 0 {
            return false;
        }
        if bytes.get(index) == Some(&b'.') {
            index += 1;
            digits(&mut index);
        }
    }
    if matches!(bytes.get(index), Some(b'e' | b'E')) {
        index += 1;
        if matches!(bytes.get(index), Some(b'+' | b'-')) {
            index += 1;
        }
        if digits(&mut index) == 0 {
            return false;
        }
    }
    index == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut documents = parse_stream(text).expect("parses");
        assert_eq!(documents.len(), 1, "{documents:?}");
        documents.remove(0).root
    }

    #[test]
    fn plain_scalars_resolve_the_yaml_1_1_way() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Bool(true)),
            ("On", Value::Bool(true)),
            ("n", Value::Bool(false)),
            ("OFF", Value::Bool(false)),
            ("~", Value::Null),
            ("42", Value::Int(42)),
            ("-0x1F", Value::Int(-31)),
            ("0755", Value::Int(493)),
            ("0b101", Value::Int(5)),
            ("1_000", Value::Int(1000)),
            ("1.10", Value::Float(1.1)),
            ("1e3", Value::Float(1000.0)),
            (".5", Value::Float(0.5)),
            ("1Gi", Value::String("1Gi".to_string())),
            ("100m", Value::String("100m".to_string())),
            ("08", Value::Float(8.0)),
            ("1.2.3", Value::String("1.2.3".to_string())),
            ("nginx:1.25", Value::String("nginx:1.25".to_string())),
            ("99999999999999999999", Value::Float(1e20)),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text), expected, "plain scalar {text:?}");
        }
    }

    #[test]
    fn quoted_block_and_tagged_scalars_stay_strings() {
        let root = one("a: \"yes\"\nb: 'on'\nc: !!str 42\nd: |\n  yes\n");
        assert_eq!(root.get("a").and_then(Node::as_str), Some("yes"));
        assert_eq!(root.get("b").and_then(Node::as_str), Some("on"));
        assert_eq!(root.get("c").and_then(Node::as_str), Some("42"));
        assert_eq!(root.get("d").and_then(Node::as_str), Some("yes\n"));
    }

    #[test]
    fn keys_become_strings_like_yaml_to_json() {
        let root = one("on: push\n1: one\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        let keys: Vec<&str> = entries.iter().map(|entry| entry.key.as_str()).collect();
        assert_eq!(keys, ["true", "1"]);
    }

    #[test]
    fn positions_are_one_based() {
        let root = one("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        let spec = &entries[2];
        assert_eq!(spec.key, "spec");
        assert_eq!(spec.key_pos, Pos { line: 3, column: 1 });
        let containers = spec.value.get("containers").expect("containers");
        let Value::Seq(items) = &containers.value else {
            panic!("seq")
        };
        let Value::Map(container) = &items[0].value else {
            panic!("map")
        };
        assert_eq!(container[0].key_pos, Pos { line: 5, column: 5 });
    }

    #[test]
    fn duplicate_keys_are_kept_for_validation() {
        let root = one("a: 1\na: 2\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(root.get("a").map(|node| node.value.clone()), Some(Value::Int(2)));
    }

    #[test]
    fn documents_and_empty_documents() {
        let documents = parse_stream("---\n# only a comment\n---\na: 1\n---\n").expect("parses");
        let empties: Vec<bool> = documents.iter().map(|document| document.is_empty).collect();
        assert_eq!(empties, [true, false, true], "{documents:?}");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let root = one("base: &b {p: 1, q: 2}\nother:\n  <<: *b\n  q: 3\n");
        let other = root.get("other").expect("other");
        assert_eq!(other.get("p").map(|node| node.value.clone()), Some(Value::Int(1)));
        assert_eq!(other.get("q").map(|node| node.value.clone()), Some(Value::Int(3)));
        // YAML 1.1: a plain `y` is a boolean, so as a key it becomes "true".
        let root = one("y: 1\n");
        assert!(root.get("true").is_some() && root.get("y").is_none());
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        let error = parse_stream(&text).unwrap_err();
        assert_eq!(error.message, "document contains excessive aliasing");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let text = "[".repeat(10_000);
        assert!(parse_stream(&text).is_err());
        let mut block = String::new();
        for depth in 0..(MAX_DEPTH + 5) {
            block.push_str(&" ".repeat(depth));
            block.push_str("a:\n");
        }
        let error = parse_stream(&block).unwrap_err();
        assert!(error.message.contains("nesting deeper"), "{error}");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse_stream("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.pos.line >= 1 && error.pos.column >= 1, "{error}");
        let error = parse_stream("a: b\n  c: d\n").unwrap_err();
        assert_eq!(error.pos.line, 2, "{error}");
    }
}
