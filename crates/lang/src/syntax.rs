//! Compact syntax trees: what the front-ends analyse, converted from tree-sitter's.
//!
//! tree-sitter's trees are built for incremental re-parsing: a node costs about a
//! hundred bytes, and walking them (`child_by_field_name`) searches through hidden
//! nodes. The front-ends keep every module's tree alive while they analyse a program
//! (evaluation crosses modules lazily), so a large repository held hundreds of
//! megabytes of trees. Right after parsing, each tree is copied into a [`Tree`] here:
//! one flat array of 12-byte nodes in pre-order (a node's first child is the next
//! node; siblings are linked; each node knows the field it fills), and the tree-sitter
//! tree is dropped on the parsing thread. Nodes do not know their parent: a
//! [`TreeCursor`] keeps the path it walked down. A node's end and next sibling are
//! kept in 16 bits each, relative to its start and its place; the few that do not fit
//! (a node over 64 KiB long, a subtree of more than 65,534 nodes) are looked up aside.
//!
//! Anonymous tokens are not copied where the front-ends never read them: punctuation
//! (brackets, braces, parentheses, `;`, `.`, quotes: a quarter of a tree's nodes),
//! keywords and operators tell the analysis nothing its parent's kind and fields do
//! not. A Python tree keeps `,` and `:` (the Python front-end reads no other); a
//! JavaScript or TypeScript tree keeps the modifiers its front-end looks for among a
//! node's children (`type`, `get`, `set`, `readonly`). Any token is kept when it fills
//! a field (an operator), is missing, or sits under an error (where the front-ends read
//! what the parser found); see [`KEPT_PYTHON_TOKENS`] and [`KEPT_SCRIPT_TOKENS`]. The
//! children a node lists are otherwise tree-sitter's.
//!
//! [`Node`] and [`TreeCursor`] mirror the part of tree-sitter's API the front-ends use,
//! with the same meaning (kinds and field names as the grammar spells them, byte
//! offsets, rows and byte columns), so the analysis code reads as tree-sitter code.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

mod kinds_with_fields;

/// No node: the next sibling of a last child, or no child seen yet.
const NONE: u32 = u32::MAX;

const NAMED: u8 = 1;
const MISSING: u8 = 1 << 1;
const ERROR: u8 = 1 << 2;
const HAS_ERROR: u8 = 1 << 3;
const HAS_CHILDREN: u8 = 1 << 4;

/// The grammars the front-ends parse with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grammar {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
}

impl Grammar {
    const ALL: [Grammar; 4] = [
        Grammar::Python,
        Grammar::JavaScript,
        Grammar::TypeScript,
        Grammar::Tsx,
    ];

    /// The language's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Grammar::Python => "Python",
            Grammar::JavaScript => "JavaScript",
            Grammar::TypeScript | Grammar::Tsx => "TypeScript",
        }
    }

    /// The grammar a file's extension calls for.
    pub(crate) fn of_path(path: &str) -> Option<Grammar> {
        match path.rsplit_once('.')?.1 {
            "py" => Some(Grammar::Python),
            "js" | "mjs" | "cjs" | "jsx" => Some(Grammar::JavaScript),
            "ts" | "mts" | "cts" => Some(Grammar::TypeScript),
            "tsx" => Some(Grammar::Tsx),
            _ => None,
        }
    }

    /// The grammar's node kind and field names, by id, read once per process.
    fn tables(self) -> &'static Tables {
        static PYTHON: OnceLock<Tables> = OnceLock::new();
        static JAVASCRIPT: OnceLock<Tables> = OnceLock::new();
        static TYPESCRIPT: OnceLock<Tables> = OnceLock::new();
        static TSX: OnceLock<Tables> = OnceLock::new();
        let cell = match self {
            Grammar::Python => &PYTHON,
            Grammar::JavaScript => &JAVASCRIPT,
            Grammar::TypeScript => &TYPESCRIPT,
            Grammar::Tsx => &TSX,
        };
        cell.get_or_init(|| Tables::new(&self.language(), self))
    }

    /// The node kinds of the grammar that have fields, sorted by bytes.
    fn kinds_with_fields(self) -> &'static [&'static str] {
        match self {
            Grammar::Python => kinds_with_fields::PYTHON,
            Grammar::JavaScript => kinds_with_fields::JAVASCRIPT,
            Grammar::TypeScript | Grammar::Tsx => kinds_with_fields::TYPESCRIPT,
        }
    }

    pub(crate) fn language(self) -> tree_sitter::Language {
        match self {
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
            Grammar::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

thread_local! {
    /// One tree-sitter parser per grammar per thread, kept between files.
    static PARSERS: RefCell<[Option<tree_sitter::Parser>; 4]> =
        const { RefCell::new([None, None, None, None]) };
}

/// Parse `text` with `grammar` (on this thread's parser for it) and convert the tree.
/// `None` when the grammar cannot be loaded (a build problem), or when the text is too
/// long for 32-bit offsets (files are read under a far smaller size limit).
pub(crate) fn parse(grammar: Grammar, text: &str) -> Option<Tree> {
    parse_with(grammar, grammar.tables(), text)
}

/// [`parse`] converting with `tables` (which leave out what [`left_out`] says, or for
/// [`parse_whole`] nothing).
fn parse_with(grammar: Grammar, tables: &'static Tables, text: &str) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let slot = parsers.get_mut(Grammar::ALL.iter().position(|g| *g == grammar)?)?;
        if slot.is_none() {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&grammar.language()).ok()?;
            *slot = Some(parser);
        }
        Tree::parse(slot.as_mut()?, tables, text)
    })
}

/// `text` parsed with `grammar` and converted with nothing left out: every token
/// tree-sitter lists, for tests that check leaving tokens out changes no analysis.
#[cfg(test)]
pub(crate) fn parse_whole(grammar: Grammar, text: &str) -> Option<Tree> {
    static WHOLE: [OnceLock<Tables>; 4] = [const { OnceLock::new() }; 4];
    let tables = tables_for_tests(&WHOLE, grammar, |t| t.left_out.fill(false))?;
    parse_with(grammar, tables, text)
}

/// `grammar`'s tables changed by `adjust`, built once in its slot of `slots`: for tests
/// that compare trees converted with and without what the tables let the copy skip.
#[cfg(test)]
fn tables_for_tests(
    slots: &'static [OnceLock<Tables>; 4],
    grammar: Grammar,
    adjust: impl FnOnce(&mut Tables),
) -> Option<&'static Tables> {
    let slot = slots.get(Grammar::ALL.iter().position(|g| *g == grammar)?)?;
    Some(slot.get_or_init(|| {
        let mut tables = Tables::new(&grammar.language(), grammar);
        adjust(&mut tables);
        tables
    }))
}

/// The only anonymous tokens a Python [`Tree`] keeps where nothing else keeps them (in
/// a field, missing, under an error): the Python front-end reads no keyword or operator
/// outside a field. Keywords and operators are a tenth of a Python tree's nodes.
const KEPT_PYTHON_TOKENS: [&str; 2] = [",", ":"];

/// The only anonymous tokens a JavaScript or TypeScript [`Tree`] keeps where nothing
/// else keeps them: the modifiers the front-end looks for among a node's children
/// (`import type`, `get` and `set` accessors, `readonly` parameter properties).
/// Operators it reads fill a field (`operator`: `of`, `+`, `??`), and `import(…)`
/// is a call's `function`. `javascript::tests` checks that every fixture analyses
/// the same on whole trees.
const KEPT_SCRIPT_TOKENS: [&str; 4] = ["get", "readonly", "set", "type"];

/// Whether a [`Tree`] of `grammar` leaves out the leaf of kind `kind` where nothing can
/// read it (see [`KEPT_PYTHON_TOKENS`], [`KEPT_SCRIPT_TOKENS`]). One named kind is left
/// out too: the end of a Python string (its quotes), which says nothing its start
/// does not (the start's prefix is read: `r`, `f`).
fn left_out(grammar: Grammar, kind: &str, named: bool) -> bool {
    match grammar {
        Grammar::Python if named => kind == "string_end",
        Grammar::Python => !KEPT_PYTHON_TOKENS.contains(&kind),
        _ if named => false,
        Grammar::JavaScript | Grammar::TypeScript | Grammar::Tsx => {
            !KEPT_SCRIPT_TOKENS.contains(&kind)
        }
    }
}

/// Names by id. Owned copies: a grammar's names are static data, but tree-sitter's API
/// lends them for the lifetime of a `Language` value.
struct Tables {
    kinds: Vec<Box<str>>,
    /// Whether each kind is named (an identifier, not a `(`).
    named: Vec<bool>,
    /// Whether each kind is a leaf the grammar's trees leave out (see [`left_out`]).
    left_out: Vec<bool>,
    /// Whether each kind has fields (see [`kinds_with_fields`]): the children of one
    /// that has none fill no field.
    has_fields: Vec<bool>,
    fields: Vec<Box<str>>,
    /// Field ids by name, bucketed by the name's length: `child_by_field_name` asks for
    /// one on every call, and a length rules out all but a few names.
    fields_by_len: Vec<Vec<(Box<str>, u8)>>,
}

impl Tables {
    fn new(language: &tree_sitter::Language, grammar: Grammar) -> Tables {
        let kinds: Vec<Box<str>> = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
                    .into()
            })
            .collect();
        let named: Vec<bool> = (0..language.node_kind_count())
            .map(|id| u16::try_from(id).is_ok_and(|id| language.node_kind_is_named(id)))
            .collect();
        let left_out = kinds
            .iter()
            .zip(&named)
            .map(|(kind, &named)| left_out(grammar, kind, named))
            .collect();
        let with_fields = grammar.kinds_with_fields();
        let has_fields = kinds
            .iter()
            .map(|kind| {
                with_fields
                    .binary_search_by(|k| k.as_bytes().cmp(kind.as_bytes()))
                    .is_ok()
            })
            .collect();
        // Field ids start at 1; index 0 stands for "no field".
        let fields: Vec<Box<str>> = (0..=language.field_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .filter(|&id| id > 0)
                    .and_then(|id| language.field_name_for_id(id))
                    .unwrap_or("")
                    .into()
            })
            .collect();
        let mut fields_by_len: Vec<Vec<(Box<str>, u8)>> = Vec::new();
        for (id, name) in fields.iter().enumerate().skip(1) {
            let Ok(id) = u8::try_from(id) else { continue };
            if fields_by_len.len() <= name.len() {
                fields_by_len.resize_with(name.len() + 1, Vec::new);
            }
            if let Some(bucket) = fields_by_len.get_mut(name.len())
                && !bucket.iter().any(|(n, _)| n == name)
            {
                bucket.push((name.clone(), id));
            }
        }
        Tables {
            kinds,
            named,
            left_out,
            has_fields,
            fields,
            fields_by_len,
        }
    }

    fn kind(&'static self, id: u16) -> &'static str {
        if id == u16::MAX {
            // tree-sitter's built-in error symbol.
            return "ERROR";
        }
        self.kinds.get(usize::from(id)).map_or("", |k| k)
    }

    fn is_named(&self, id: u16) -> bool {
        id == u16::MAX || self.named.get(usize::from(id)).copied().unwrap_or(false)
    }

    fn is_left_out(&self, id: u16) -> bool {
        self.left_out.get(usize::from(id)).copied().unwrap_or(false)
    }

    /// Whether a node of kind `id` may have children that fill fields (an error may).
    fn has_fields(&self, id: u16) -> bool {
        id == u16::MAX
            || self
                .has_fields
                .get(usize::from(id))
                .copied()
                .unwrap_or(true)
    }

    /// The id of field `name` (the lowest, as tree-sitter's `field_id_for_name`).
    fn field_id(&self, name: &str) -> Option<u8> {
        self.fields_by_len
            .get(name.len())?
            .iter()
            .find(|(n, _)| same_short(n, name))
            .map(|&(_, id)| id)
    }
}

/// Whether two short strings (names) are equal, compared in line: `==` calls `memcmp`,
/// whose call costs more than a field name's few bytes.
fn same_short(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// A node as a [`Tree`] stores it. Every module's tree is alive while a program is
/// analysed, so its size is most of the memory of a large one: 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NodeData {
    start: u32,
    /// `end - start`, or [`FAR`] when that does not fit: the end is in [`Far::ends`].
    len: u16,
    /// The next sibling's index less this node's; 0 for none, or [`FAR`] when the
    /// difference does not fit: the sibling is in [`Far::siblings`].
    sibling: u16,
    kind: u16,
    /// The field this node fills in its parent; 0 for none. The grammars have fewer
    /// than 256 fields (checked by a test).
    field: u8,
    flags: u8,
}

const _: () = assert!(std::mem::size_of::<NodeData>() == 12);

/// A length or a sibling offset that does not fit a [`NodeData`]'s 16 bits.
const FAR: u16 = u16::MAX;

impl NodeData {
    const EMPTY: NodeData = NodeData {
        start: 0,
        len: 0,
        sibling: 0,
        kind: 0,
        field: 0,
        flags: 0,
    };
}

/// The ends and next siblings too far for a [`NodeData`], by node index, sorted: a
/// node longer than 64 KiB (a module, a long function or string), a subtree of more
/// than 65,534 nodes. A few per large file, none in most.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Far {
    ends: Vec<(u32, u32)>,
    siblings: Vec<(u32, u32)>,
}

impl Far {
    fn get(list: &[(u32, u32)], index: u32) -> u32 {
        list.binary_search_by_key(&index, |&(i, _)| i)
            .ok()
            .and_then(|at| list.get(at))
            .map_or(NONE, |&(_, value)| value)
    }
}

/// An ancestor of the node being converted.
struct Open {
    /// Its index.
    index: u32,
    /// Its last child so far.
    last: u32,
    /// Whether it has an error below it (only then can its children have one).
    has_error: bool,
    /// Whether its children may fill fields: its kind has fields, or it has an error
    /// below it (where tree-sitter's answers are not the grammar's to predict).
    fields: bool,
    /// How many of its children tree-sitter counts after the last one seen.
    left: u32,
}

/// A tree-sitter tree's nodes copied in pre-order, as the cursor visits them, but for
/// the punctuation left out (see the module documentation).
struct Walk<'ts> {
    nodes: Vec<NodeData>,
    far: Far,
    /// How many nodes the cursor visited, copied or not.
    visited: usize,
    /// The tree-sitter node of each entry, kept only for a tree with errors.
    ts_nodes: Vec<tree_sitter::Node<'ts>>,
}

impl<'ts> Walk<'ts> {
    /// Copy `ts` (`count` visible nodes). Each query below is a call into tree-sitter,
    /// and this loop runs once per node of every file: ask only what cannot be derived
    /// (namedness and errors follow from the kind; only zero-width nodes can be
    /// missing; only nodes under an erroneous parent can contain errors). With
    /// `trust_counts`, a node's child count (read from the node, not walked) spares the
    /// cursor the moves that would fail: into a leaf, past a last child. A failed move
    /// costs about what a successful one does (the cursor searches the hidden nodes
    /// below or beside it), and every node ends in one. The caller checks the walk
    /// visited `count` nodes, so a count that ever disagreed with the cursor is noticed.
    fn new(
        ts: &'ts tree_sitter::Tree,
        tables: &Tables,
        count: usize,
        trust_counts: bool,
    ) -> Walk<'ts> {
        let offset = |b: usize| u32::try_from(b).unwrap_or(u32::MAX);
        let mut nodes: Vec<NodeData> = Vec::with_capacity(count);
        let mut far = Far::default();
        let mut open: Vec<Open> = Vec::new();
        let mut cursor = ts.walk();
        let erroneous = ts.root_node().has_error();
        let mut ts_nodes = Vec::new();
        let mut visited = 0;
        loop {
            visited += 1;
            let node = cursor.node();
            let index = offset(nodes.len());
            let field = if open.last().is_some_and(|parent| parent.fields) {
                cursor
                    .field_id()
                    .and_then(|f| u8::try_from(f.get()).ok())
                    .unwrap_or(0)
            } else {
                0
            };
            let kind = node.kind_id();
            let (start, end) = (node.start_byte(), node.end_byte());
            let children = if trust_counts {
                node.child_count()
            } else {
                u32::MAX
            };
            let parent_has_error = open.last().is_none_or(|parent| parent.has_error);
            // A missing token is always under a node with an error (tree-sitter counts
            // it as one), so it is never left out; the agreement test checks that.
            if field == 0
                && !parent_has_error
                && tables.is_left_out(kind)
                && (if trust_counts {
                    children
                } else {
                    node.child_count()
                }) == 0
            {
                // Left out; a leaf, so the walk goes on to its next sibling.
                if Walk::next(&mut cursor, &mut open) {
                    continue;
                }
                break;
            }
            if let Some(parent) = open.last_mut() {
                match nodes.get_mut(parent.last as usize) {
                    Some(previous) => {
                        previous.sibling = match u16::try_from(index - parent.last) {
                            Ok(step) if step != FAR => step,
                            _ => {
                                far.siblings.push((parent.last, index));
                                FAR
                            }
                        };
                    }
                    None => {
                        if let Some(data) = nodes.get_mut(parent.index as usize) {
                            data.flags |= HAS_CHILDREN;
                        }
                    }
                }
                parent.last = index;
            }
            if erroneous {
                ts_nodes.push(node);
            }
            let mut flags = 0;
            if tables.is_named(kind) {
                flags |= NAMED;
            }
            if kind == u16::MAX {
                flags |= ERROR;
            }
            if start == end && node.is_missing() {
                flags |= MISSING;
            }
            if parent_has_error && node.has_error() {
                flags |= HAS_ERROR;
            }
            let len = match u16::try_from(end.saturating_sub(start)) {
                Ok(len) if len != FAR => len,
                _ => {
                    far.ends.push((index, offset(end)));
                    FAR
                }
            };
            nodes.push(NodeData {
                start: offset(start),
                len,
                sibling: 0,
                kind,
                field,
                flags,
            });
            if children > 0 && cursor.goto_first_child() {
                let has_error = flags & HAS_ERROR != 0;
                open.push(Open {
                    index,
                    last: NONE,
                    has_error,
                    fields: has_error || tables.has_fields(kind),
                    left: children.saturating_sub(1),
                });
                continue;
            }
            if !Walk::next(&mut cursor, &mut open) {
                break;
            }
        }
        // Ends are found in pre-order; siblings as each later one is reached.
        far.siblings.sort_unstable();
        Walk {
            nodes,
            far,
            visited,
            ts_nodes,
        }
    }

    /// Move `cursor` from a node whose subtree is done to the next node in pre-order
    /// (a sibling of it or of an ancestor), closing the ancestors it leaves; `false`
    /// when the walk is over.
    fn next(cursor: &mut tree_sitter::TreeCursor<'ts>, open: &mut Vec<Open>) -> bool {
        loop {
            if let Some(parent) = open.last_mut()
                && parent.left > 0
                && cursor.goto_next_sibling()
            {
                parent.left -= 1;
                return true;
            }
            if open.pop().is_none() || !cursor.goto_parent() {
                return false;
            }
        }
    }
}

/// The byte offset of the start of each line of `text`. About 2 ms a 1,000 files of
/// 1.6 KB: not worth building lazily (memchr per line is no faster on short lines).
fn line_starts(text: &str) -> Vec<u32> {
    let offset = |b: usize| u32::try_from(b).unwrap_or(u32::MAX);
    crate::fitted(
        std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| offset(i + 1)),
            )
            .collect(),
    )
}

/// Bytes between two checkpoints of [`Tree::continuations`].
const CHAR_STEP: usize = 256;

/// The UTF-8 continuation bytes (those that do not start a char) before every
/// [`CHAR_STEP`]th byte of `text`; `None` for an ASCII text, where bytes are chars.
fn continuations(text: &str) -> Option<Box<[u32]>> {
    if text.is_ascii() {
        return None;
    }
    let mut seen = 0u32;
    let mut out = Vec::with_capacity(text.len() / CHAR_STEP + 1);
    for block in text.as_bytes().chunks(CHAR_STEP) {
        out.push(seen);
        let here = continuation_bytes(block);
        seen = seen.saturating_add(u32::try_from(here).unwrap_or(u32::MAX));
    }
    out.push(seen);
    Some(out.into_boxed_slice())
}

/// The UTF-8 continuation bytes (those that do not start a char) in `bytes`.
fn continuation_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 == 0x80).count()
}

/// A whole file's syntax tree.
pub(crate) struct Tree {
    nodes: Vec<NodeData>,
    far: Far,
    /// Byte offset of the start of each line.
    lines: Vec<u32>,
    /// Continuation bytes before every [`CHAR_STEP`]th byte (see [`continuations`]), so
    /// a char column costs at most a step's bytes, not its line's: a minified file is
    /// one line of megabytes.
    continuations: Option<Box<[u32]>>,
    tables: &'static Tables,
    /// Added to node indices for [`Node::id`], unique among the trees of a process.
    base: usize,
    /// `child_by_field_name` answers that differ from "the first child filling that
    /// field": (node, field) → child or [`NONE`]. tree-sitter answers that question
    /// from the parent's production, which inside ERROR nodes can name another child
    /// than the one its cursor reports the field on; only erroneous nodes are checked.
    field_overrides: HashMap<(u32, u8), u32>,
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tree")
            .field("nodes", &self.nodes.len())
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

/// A row and a byte column, both from 0, as tree-sitter counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Point {
    pub row: usize,
    pub column: usize,
}

impl Tree {
    /// Parse `text` with `parser` (already set to the grammar of `tables`) and convert
    /// the tree.
    fn parse(
        parser: &mut tree_sitter::Parser,
        tables: &'static Tables,
        text: &str,
    ) -> Option<Tree> {
        u32::try_from(text.len()).ok()?;
        let ts = parser.parse(text, None)?;
        Some(Tree::convert(&ts, tables, text))
    }

    fn convert(ts: &tree_sitter::Tree, tables: &'static Tables, text: &str) -> Tree {
        static NEXT_BASE: AtomicUsize = AtomicUsize::new(0);
        // One entry per visible node, which is what the cursor visits.
        let expected = ts.root_node().descendant_count();
        let mut walked = Walk::new(ts, tables, expected, true);
        if walked.visited != expected {
            // The counts that spared cursor moves disagreed with the cursor (never seen;
            // tree-sitter keeps them in step): walk again asking the cursor every time.
            walked = Walk::new(ts, tables, expected, false);
        }
        let Walk {
            nodes,
            far,
            ts_nodes,
            ..
        } = walked;
        // Room was made for every node; the punctuation left out is given back.
        let nodes = crate::fitted(nodes);
        let base = NEXT_BASE.fetch_add(nodes.len(), Ordering::Relaxed);
        let mut tree = Tree {
            nodes,
            far,
            lines: line_starts(text),
            continuations: continuations(text),
            tables,
            base,
            field_overrides: HashMap::new(),
        };
        tree.field_overrides = tree.erroneous_field_answers(&ts_nodes);
        tree
    }

    /// Where tree-sitter's `child_by_field_id` disagrees with the stored fields, for the
    /// erroneous nodes of a tree whose tree-sitter nodes are `ts_nodes` (in the same
    /// pre-order; empty for a tree without errors).
    fn erroneous_field_answers(
        &self,
        ts_nodes: &[tree_sitter::Node<'_>],
    ) -> HashMap<(u32, u8), u32> {
        let mut out = HashMap::new();
        if ts_nodes.is_empty() {
            return out;
        }
        let index_of: HashMap<usize, u32> = ts_nodes
            .iter()
            .zip(0..)
            .map(|(n, i): (&tree_sitter::Node<'_>, u32)| (n.id(), i))
            .collect();
        for (ts, index) in ts_nodes.iter().zip(0..) {
            let node = Node { tree: self, index };
            if !node.has_error() || node.first_child().is_none() {
                continue;
            }
            for field in 1..self.tables.fields.len() {
                let Ok(field) = u8::try_from(field) else {
                    break;
                };
                let theirs = ts
                    .child_by_field_id(u16::from(field))
                    .map_or(NONE, |c| index_of.get(&c.id()).copied().unwrap_or(NONE));
                let ours = node
                    .child_iter()
                    .find(|c| c.data().field == field)
                    .map_or(NONE, |c| c.index);
                if theirs != ours {
                    out.insert((index, field), theirs);
                }
            }
        }
        out
    }

    /// How many nodes the tree holds.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn root_node(&self) -> Node<'_> {
        Node {
            tree: self,
            index: 0,
        }
    }

    pub(crate) fn walk(&self) -> TreeCursor<'_> {
        self.root_node().walk()
    }

    fn data(&self, index: u32) -> NodeData {
        self.nodes
            .get(index as usize)
            .copied()
            .unwrap_or(NodeData::EMPTY)
    }

    /// The end offset of node `index`, whose data is `data`.
    fn end(&self, index: u32, data: NodeData) -> u32 {
        if data.len == FAR {
            Far::get(&self.far.ends, index)
        } else {
            data.start + u32::from(data.len)
        }
    }

    /// The index of the next sibling of node `index`, whose data is `data`; [`NONE`]
    /// for none.
    fn next_sibling(&self, index: u32, data: NodeData) -> u32 {
        match data.sibling {
            0 => NONE,
            FAR => Far::get(&self.far.siblings, index),
            step => index + u32::from(step),
        }
    }

    fn node(&self, index: u32) -> Option<Node<'_>> {
        (index != NONE && (index as usize) < self.nodes.len()).then_some(Node { tree: self, index })
    }
}

/// A node of a [`Tree`]: a copyable handle, equal only to itself.
#[derive(Clone, Copy)]
pub(crate) struct Node<'t> {
    tree: &'t Tree,
    index: u32,
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.index == other.index
    }
}

impl Eq for Node<'_> {}

impl Hash for Node<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{{Node {} {:?}}}",
            self.kind(),
            self.start_byte()..self.end_byte()
        )
    }
}

impl<'t> Node<'t> {
    fn data(&self) -> NodeData {
        self.tree.data(self.index)
    }

    fn flag(&self, flag: u8) -> bool {
        self.data().flags & flag != 0
    }

    /// Unique among all nodes of all trees of the process.
    pub(crate) fn id(&self) -> usize {
        self.tree.base + self.index as usize
    }

    /// This node's place in its tree: half the size of a [`Node`], for lists kept per
    /// node of every module (see [`Node::at`]).
    pub(crate) fn slot(&self) -> u32 {
        self.index
    }

    /// The node at `slot` (from [`Node::slot`]) of this node's tree.
    pub(crate) fn at(&self, slot: u32) -> Node<'t> {
        Node {
            tree: self.tree,
            index: slot,
        }
    }

    /// The grammar's name for the node's kind (`"call"`, `"identifier"`, `"("`).
    pub(crate) fn kind(&self) -> &'static str {
        self.tree.tables.kind(self.data().kind)
    }

    pub(crate) fn is_named(&self) -> bool {
        self.flag(NAMED)
    }

    pub(crate) fn is_missing(&self) -> bool {
        self.flag(MISSING)
    }

    pub(crate) fn is_error(&self) -> bool {
        self.flag(ERROR)
    }

    /// Whether this node or a descendant is an error or a missing node.
    pub(crate) fn has_error(&self) -> bool {
        self.flag(HAS_ERROR)
    }

    pub(crate) fn start_byte(&self) -> usize {
        self.data().start as usize
    }

    pub(crate) fn end_byte(&self) -> usize {
        self.tree.end(self.index, self.data()) as usize
    }

    pub(crate) fn byte_range(&self) -> Range<usize> {
        self.start_byte()..self.end_byte()
    }

    pub(crate) fn start_position(&self) -> Point {
        self.tree.point(self.data().start)
    }

    /// The column of the node's start in chars (from 0), `text` being the text the
    /// tree was parsed from: its byte column less the continuation bytes between the
    /// start of its line and it.
    pub(crate) fn start_char_column(&self, text: &str) -> usize {
        let start = self.start_byte();
        let column = self.start_position().column;
        let Some(every) = &self.tree.continuations else {
            return column;
        };
        let before = |at: usize| {
            let step = at / CHAR_STEP;
            let counted = every.get(step).map_or(0, |&n| n as usize);
            let rest = text
                .as_bytes()
                .get(step * CHAR_STEP..at)
                .map_or(0, continuation_bytes);
            counted + rest
        };
        let line_start = start.saturating_sub(column);
        column.saturating_sub(before(start).saturating_sub(before(line_start)))
    }

    /// Where the node starts, as findings report it: `file`, 1-based line and char
    /// column, `text` being the text the tree was parsed from.
    pub(crate) fn location(&self, file: &str, text: &str) -> crate::facts::Location {
        let row = self.start_position().row;
        crate::facts::Location {
            file: file.to_string(),
            line: u32::try_from(row + 1).unwrap_or(u32::MAX),
            column: u32::try_from(self.start_char_column(text) + 1).unwrap_or(u32::MAX),
        }
    }

    #[cfg(test)]
    pub(crate) fn end_position(&self) -> Point {
        self.tree.point(self.tree.end(self.index, self.data()))
    }

    pub(crate) fn next_sibling(&self) -> Option<Node<'t>> {
        self.tree
            .node(self.tree.next_sibling(self.index, self.data()))
    }

    fn first_child(&self) -> Option<Node<'t>> {
        if self.flag(HAS_CHILDREN) {
            self.tree.node(self.index + 1)
        } else {
            None
        }
    }

    fn child_iter(&self) -> impl Iterator<Item = Node<'t>> + use<'t> {
        std::iter::successors(self.first_child(), Node::next_sibling)
    }

    #[cfg(test)]
    pub(crate) fn child_count(&self) -> usize {
        self.child_iter().count()
    }

    pub(crate) fn named_child_count(&self) -> usize {
        self.child_iter().filter(Node::is_named).count()
    }

    pub(crate) fn named_child(&self, i: u32) -> Option<Node<'t>> {
        self.child_iter().filter(Node::is_named).nth(i as usize)
    }

    /// The first child filling field `name` of the grammar, as tree-sitter's
    /// `child_by_field_name` answers, with one difference: for a node without errors,
    /// only its children are considered. tree-sitter also answers with a grandchild
    /// when a child is an alias of a rule whose fields it inherits (TypeScript's
    /// `literal_type` answers `argument` with the number inside its `unary_expression`
    /// child); the front-ends never ask for those. Inside erroneous nodes, where
    /// tree-sitter answers from the production the parser was in, its answers are
    /// recorded at conversion and returned as they are.
    pub(crate) fn child_by_field_name(&self, name: &str) -> Option<Node<'t>> {
        let field = self.tree.tables.field_id(name)?;
        // Empty for every tree without errors: no hashing on the common path.
        if !self.tree.field_overrides.is_empty()
            && let Some(&child) = self.tree.field_overrides.get(&(self.index, field))
        {
            return self.tree.node(child);
        }
        self.child_iter().find(|c| c.data().field == field)
    }

    /// The children, in order. The cursor is unused (tree-sitter's API takes one).
    pub(crate) fn children(
        &self,
        _cursor: &mut TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + use<'t> {
        self.child_iter()
    }

    pub(crate) fn named_children(
        &self,
        _cursor: &mut TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + use<'t> {
        self.child_iter().filter(Node::is_named)
    }

    pub(crate) fn children_by_field_name(
        &self,
        name: &str,
        _cursor: &mut TreeCursor<'t>,
    ) -> impl Iterator<Item = Node<'t>> + use<'t> {
        let field = self.tree.tables.field_id(name);
        self.child_iter()
            .filter(move |c| field.is_some_and(|f| c.data().field == f))
    }

    /// A cursor that walks this node's subtree (and never leaves it).
    pub(crate) fn walk(&self) -> TreeCursor<'t> {
        TreeCursor {
            tree: self.tree,
            current: self.index,
            ancestors: Vec::new(),
        }
    }
}

impl Tree {
    fn point(&self, byte: u32) -> Point {
        let row = self.lines.partition_point(|&start| start <= byte).max(1) - 1;
        let start = self.lines.get(row).copied().unwrap_or(0);
        Point {
            row,
            column: (byte - start.min(byte)) as usize,
        }
    }
}

/// Walks a subtree without recursion, like tree-sitter's cursor: it starts on a node
/// and never moves to that node's parent or siblings.
pub(crate) struct TreeCursor<'t> {
    tree: &'t Tree,
    current: u32,
    /// The nodes above `current`, up to the cursor's root.
    ancestors: Vec<u32>,
}

impl<'t> TreeCursor<'t> {
    pub(crate) fn node(&self) -> Node<'t> {
        Node {
            tree: self.tree,
            index: self.current,
        }
    }

    /// Start over from `node`, which becomes the cursor's root.
    pub(crate) fn reset(&mut self, node: Node<'t>) {
        self.tree = node.tree;
        self.current = node.index;
        self.ancestors.clear();
    }

    pub(crate) fn goto_first_child(&mut self) -> bool {
        match self.node().first_child() {
            Some(child) => {
                self.ancestors.push(self.current);
                self.current = child.index;
                true
            }
            None => false,
        }
    }

    pub(crate) fn goto_next_sibling(&mut self) -> bool {
        if self.ancestors.is_empty() {
            return false;
        }
        match self.node().next_sibling() {
            Some(sibling) => {
                self.current = sibling.index;
                true
            }
            None => false,
        }
    }

    pub(crate) fn goto_parent(&mut self) -> bool {
        match self.ancestors.pop() {
            Some(parent) => {
                self.current = parent;
                true
            }
            None => false,
        }
    }
}

/// The fixture folders `groups` (under `fixtures/`) and every subfolder of the folders
/// `subfolders_of`, sorted: the units the front-ends' whole-folder tests analyse.
#[cfg(test)]
pub(crate) fn fixture_folders(groups: &[&str], subfolders_of: &[&str]) -> Vec<std::path::PathBuf> {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut folders: Vec<std::path::PathBuf> = groups.iter().map(|g| fixtures.join(g)).collect();
    for group in subfolders_of {
        let read = std::fs::read_dir(fixtures.join(group)).expect("fixture group");
        folders.extend(read.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    folders.sort();
    folders
}

/// Every Python, JavaScript and TypeScript file of the repository's fixtures (projects,
/// hostile inputs, snippets) that is valid UTF-8 under 1 MB (what the front-ends parse,
/// at test speed), with its grammar and text; symlinks are not followed.
#[cfg(test)]
pub(crate) fn fixture_sources() -> Vec<(Grammar, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut stack = vec![root];
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(grammar) = path.to_str().and_then(Grammar::of_path) else {
                continue;
            };
            if !meta.is_file() || meta.len() > 1 << 20 {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((grammar, text));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The children of tree-sitter's `node` that a [`Tree`] keeps: all but the leaves
    /// [`left_out`] names that fill no field, are not missing and have no error above.
    fn kept_children(grammar: Grammar, node: tree_sitter::Node<'_>) -> Vec<tree_sitter::Node<'_>> {
        let mut cursor = node.walk();
        let mut out = Vec::new();
        if !cursor.goto_first_child() {
            return out;
        }
        loop {
            let child = cursor.node();
            let dropped = cursor.field_id().is_none()
                && !node.has_error()
                && left_out(grammar, child.kind(), child.is_named())
                && !child.is_missing()
                && child.child_count() == 0;
            if !dropped {
                out.push(child);
            }
            if !cursor.goto_next_sibling() {
                return out;
            }
        }
    }

    /// `grammar`'s tables with every kind taken to have fields, so that the walk asks
    /// every node for its field.
    fn asking_every_field(grammar: Grammar) -> &'static Tables {
        static EVERY: [OnceLock<Tables>; 4] = [const { OnceLock::new() }; 4];
        tables_for_tests(&EVERY, grammar, |t| t.has_fields.fill(true))
            .expect("a grammar of Grammar::ALL")
    }

    #[test]
    fn kinds_with_fields_are_the_grammars() {
        for (grammar, node_types) in [
            (Grammar::Python, tree_sitter_python::NODE_TYPES),
            (Grammar::JavaScript, tree_sitter_javascript::NODE_TYPES),
            (
                Grammar::TypeScript,
                tree_sitter_typescript::TYPESCRIPT_NODE_TYPES,
            ),
            (Grammar::Tsx, tree_sitter_typescript::TSX_NODE_TYPES),
        ] {
            let types: Vec<serde_json::Value> =
                serde_json::from_str(node_types).expect("node-types.json");
            let mut theirs: Vec<&str> = types
                .iter()
                .filter(|t| t["fields"].as_object().is_some_and(|f| !f.is_empty()))
                .filter_map(|t| t["type"].as_str())
                .collect();
            theirs.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            theirs.dedup();
            // The kinds listed that the grammar has: all of them, but for TypeScript,
            // which shares TSX's list without its JSX kinds.
            let tables = grammar.tables();
            let (ours, absent): (Vec<&str>, Vec<&str>) = grammar
                .kinds_with_fields()
                .iter()
                .partition(|kind| tables.kinds.iter().any(|k| &**k == **kind));
            assert_eq!(
                ours, theirs,
                "{grammar:?}: regenerate syntax/kinds_with_fields.rs from node-types.json"
            );
            assert!(
                absent.is_empty()
                    || (grammar == Grammar::TypeScript
                        && absent.iter().all(|k| k.starts_with("jsx_"))),
                "{grammar:?} lists kinds it does not have: {absent:?}"
            );
        }
    }

    /// Every node of `text`, compared with tree-sitter's own tree: kind, flags,
    /// offsets, positions, children (but the punctuation left out), named children and
    /// fields.
    fn agrees(grammar: Grammar, text: &str) {
        let mut parser = tree_sitter::Parser::new();
        assert!(parser.set_language(&grammar.language()).is_ok());
        let ts = parser.parse(text, None);
        let tree = Tree::parse(&mut parser, grammar.tables(), text);
        let (Some(ts), Some(tree)) = (ts, tree) else {
            panic!("no tree for {text:?}");
        };
        // The walk that spares cursor moves by child counts visits every node, as the
        // walk asking the cursor at every step does (which `convert` falls back on).
        let count = ts.root_node().descendant_count();
        let spared = Walk::new(&ts, grammar.tables(), count, true);
        let asked = Walk::new(&ts, grammar.tables(), count, false);
        assert_eq!(spared.visited, count, "{text:?}");
        assert_eq!(spared.nodes.len(), tree.len(), "{text:?}");
        assert_eq!(spared.nodes, asked.nodes, "{text:?}");
        assert_eq!(spared.far, asked.far, "{text:?}");
        assert_eq!(spared.ts_nodes, asked.ts_nodes, "{text:?}");
        // Not asking the children of kinds without fields for theirs copies the tree
        // that asking every node does.
        let every = Walk::new(&ts, asking_every_field(grammar), count, true);
        assert_eq!(spared.nodes, every.nodes, "{text:?}");
        let language = grammar.language();
        let fields: Vec<String> = (1..=language.field_count())
            .filter_map(|id| u16::try_from(id).ok())
            .filter_map(|id| language.field_name_for_id(id).map(str::to_string))
            .collect();
        let mut pairs = vec![(ts.root_node(), tree.root_node())];
        let mut seen = 0;
        while let Some((a, b)) = pairs.pop() {
            seen += 1;
            assert_eq!(a.kind(), b.kind(), "{text:?}");
            assert_eq!(a.is_named(), b.is_named());
            assert_eq!(a.is_missing(), b.is_missing());
            assert_eq!(a.is_error(), b.is_error());
            assert_eq!(a.has_error(), b.has_error());
            assert_eq!(a.byte_range(), b.byte_range());
            let (sa, sb) = (a.start_position(), b.start_position());
            assert_eq!((sa.row, sa.column), (sb.row, sb.column), "{a:?} {b:?}");
            let (ea, eb) = (a.end_position(), b.end_position());
            assert_eq!((ea.row, ea.column), (eb.row, eb.column));
            let kept = kept_children(grammar, a);
            assert_eq!(kept.len(), b.child_count(), "{a:?}");
            // Named children but a Python string's end, which is left out.
            let named: Vec<tree_sitter::Node<'_>> =
                kept.iter().copied().filter(|c| c.is_named()).collect();
            assert_eq!(named.len(), b.named_child_count());
            for name in &fields {
                let theirs = a.child_by_field_name(name);
                // The one documented difference: a field tree-sitter finds below a
                // child of an error-free node (see `Node::child_by_field_name`).
                if theirs.is_some_and(|t| t.parent() != Some(a)) && !a.has_error() {
                    assert_eq!(b.child_by_field_name(name), None, "field {name} of {a:?}");
                    continue;
                }
                assert_eq!(
                    theirs.map(|n| (n.kind(), n.byte_range())),
                    b.child_by_field_name(name)
                        .map(|n| (n.kind(), n.byte_range())),
                    "field {name} of {a:?}"
                );
                let mut ca = a.walk();
                let mut cb = b.walk();
                assert_eq!(
                    a.children_by_field_name(name, &mut ca)
                        .map(|n| n.byte_range())
                        .collect::<Vec<_>>(),
                    b.children_by_field_name(name, &mut cb)
                        .map(|n| n.byte_range())
                        .collect::<Vec<_>>(),
                );
            }
            for (i, n) in (0..).zip(&named) {
                assert_eq!(
                    Some(n.byte_range()),
                    b.named_child(i).map(|n| n.byte_range())
                );
            }
            let mut cb = b.walk();
            pairs.extend(kept.into_iter().zip(b.children(&mut cb)));
        }
        assert!(text.trim().is_empty() || seen > 1);
    }

    #[test]
    fn python_trees_match_tree_sitter() {
        agrees(
            Grammar::Python,
            "import boto3\n\ns3 = boto3.client('s3')  # comment\n\n\
             def handler(event, ctx):\n    for r in event['Records']:\n        \
             s3.get_object(Bucket=r['b'], Key=f\"k/{r['k']}\")\n    return {'ok': True}\n",
        );
        // Errors and missing nodes.
        agrees(Grammar::Python, "def f(:\n    x = (1,\nprint 'x'\n");
        agrees(Grammar::Python, "");
    }

    #[test]
    fn nodes_too_long_or_too_far_from_their_sibling_for_16_bits_are_kept_aside() {
        // A function of 85,000 nodes and 300 KB, between two others: its end and the
        // step to its sibling do not fit a node's 16 bits, nor do the module's. (In
        // blocks of 140 statements: comparing a node's children one by one is
        // quadratic in their number.)
        let body = format!("    if c:\n{}", "        x = 1\n".repeat(140)).repeat(150);
        let text = format!("def a():\n    pass\n\ndef big():\n{body}\ndef c():\n    pass\n");
        agrees(Grammar::Python, &text);
        let Some(tree) = parse(Grammar::Python, &text) else {
            panic!("no tree");
        };
        assert!(tree.far.ends.len() >= 2, "{:?}", tree.far.ends);
        assert_eq!(tree.far.siblings.len(), 1, "{:?}", tree.far.siblings);
        let big = tree.root_node().child_iter().find(|f| {
            f.child_by_field_name("name")
                .and_then(|n| text.get(n.byte_range()))
                == Some("big")
        });
        let Some(big) = big else {
            panic!("no function big");
        };
        assert_eq!(big.end_byte(), text.find("\n\ndef c").unwrap_or(0));
        let after = big
            .next_sibling()
            .and_then(|c| c.child_by_field_name("name"));
        assert_eq!(after.and_then(|n| text.get(n.byte_range())), Some("c"));
        // A string longer than 64 KiB in a small tree.
        agrees(Grammar::Python, &format!("s = '{}'\n", "a".repeat(70_000)));
    }

    #[test]
    fn javascript_and_typescript_trees_match_tree_sitter() {
        let js = "const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');\n\
                  // comment\nexport const handler = async (event) => {\n  \
                  const c = new S3Client({});\n  return c.send(new GetObjectCommand({ Bucket: `b-${event.x}`, Key: 'k' }));\n};\n";
        agrees(Grammar::JavaScript, js);
        agrees(Grammar::JavaScript, "function f( { return [1, 2;\n");
        agrees(
            Grammar::TypeScript,
            "import { DynamoDB } from 'aws-sdk';\nclass A<T> { private d: DynamoDB = new DynamoDB(); \
             async go(x: T): Promise<void> { await this.d.getItem({ TableName: 't', Key: {} } as any).promise(); } }\n",
        );
        agrees(
            Grammar::Tsx,
            "const a = <div onClick={() => f(1)}>hi</div>;\n",
        );
    }

    /// Every Python, JavaScript and TypeScript file of the repository's fixtures
    /// (projects, hostile inputs, snippets) converts to the same tree.
    #[test]
    fn fixture_trees_match_tree_sitter() {
        let sources = fixture_sources();
        for (grammar, text) in &sources {
            agrees(*grammar, text);
        }
        let checked = sources.len();
        assert!(checked > 50, "only {checked} fixture files");
    }

    proptest::proptest! {
        /// Arbitrary code-like text (mostly broken: errors, missing nodes, stray
        /// tokens) converts to the same tree in every grammar.
        #[test]
        fn arbitrary_text_matches_tree_sitter(
            text in "[a-z0-9_ ()\\[\\]{}<>:;,.=+*/'\"`$!?&|\n\t#@-]{0,160}",
        ) {
            for grammar in Grammar::ALL {
                agrees(grammar, &text);
            }
        }
    }

    /// Punctuation is left out where nothing reads it, and kept in a field, when
    /// missing, and under an error.
    #[test]
    fn punctuation_is_left_out_only_where_unread() {
        let kinds = |grammar: Grammar, text: &str| {
            let Some(tree) = parse(grammar, text) else {
                panic!("no tree for {text:?}");
            };
            let mut out = Vec::new();
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                out.push(node.kind());
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
            out.join(" ")
        };
        assert_eq!(
            kinds(Grammar::Python, "f(a.b)[0]\n"),
            "module expression_statement subscript call identifier argument_list \
             attribute identifier identifier integer"
        );
        // Python keeps no keyword or operator outside a field, but `,` and `:`, nor a
        // string's end.
        assert_eq!(
            kinds(
                Grammar::Python,
                "for a, b in c:\n    d = not a or b is 'x'\n",
            ),
            "module for_statement pattern_list identifier , identifier identifier : block \
             expression_statement assignment identifier boolean_operator not_operator \
             identifier or comparison_operator identifier is string string_start \
             string_content"
        );
        // A JavaScript tree keeps operators filling a field, and the modifiers its
        // front-end reads (`get`, `type`), but no other keyword or punctuation.
        assert_eq!(
            kinds(Grammar::JavaScript, "x = {a: 1, \"b\": y + 1};"),
            "program expression_statement assignment_expression identifier object pair \
             property_identifier number pair string string_fragment binary_expression \
             identifier + number"
        );
        assert_eq!(
            kinds(
                Grammar::TypeScript,
                "import type { A } from 'a';\nclass C { static get x() { return new A(); } }\n",
            ),
            "program import_statement type import_clause named_imports import_specifier \
             identifier string string_fragment class_declaration type_identifier class_body \
             method_definition get property_identifier formal_parameters statement_block \
             return_statement new_expression identifier arguments"
        );
        // Under an error, every token stays; a missing one too.
        assert!(kinds(Grammar::Python, "f(a, (b\n").contains("( identifier"));
        assert_eq!(
            kinds(Grammar::JavaScript, "f(a"),
            "program ERROR identifier ( identifier"
        );
        let missing = |grammar: Grammar, text: &str| {
            let Some(tree) = parse(grammar, text) else {
                panic!("no tree for {text:?}");
            };
            let mut cursor = tree.walk();
            let mut out = Vec::new();
            loop {
                let node = cursor.node();
                if node.is_missing() {
                    out.push(node.kind());
                }
                if cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        return out;
                    }
                }
            }
        };
        assert_eq!(missing(Grammar::JavaScript, "let x = (1;"), [")"]);
    }

    #[test]
    fn field_ids_fit_a_byte() {
        for grammar in Grammar::ALL {
            assert!(grammar.language().field_count() < 256, "{grammar:?}");
        }
    }

    #[test]
    fn field_ids_by_name_agree_with_tree_sitter() {
        for grammar in Grammar::ALL {
            let language = grammar.language();
            let tables = grammar.tables();
            for id in 1..=language.field_count() {
                let Some(name) = u16::try_from(id)
                    .ok()
                    .and_then(|id| language.field_name_for_id(id))
                else {
                    continue;
                };
                let theirs = language.field_id_for_name(name).map(|f| f.get());
                let ours = tables.field_id(name).map(u16::from);
                assert_eq!(ours, theirs, "{grammar:?} {name}");
            }
            assert_eq!(tables.field_id("no_such_field"), None);
            assert_eq!(tables.field_id(""), None);
        }
    }

    /// Char columns from the checkpoints are the chars before the node on its line, on
    /// lines longer than several checkpoint steps with one-, two-, three- and four-byte
    /// chars before, after and across the checkpoints, and on an ASCII text.
    #[test]
    fn char_columns_count_the_chars_before_a_node_on_its_line() {
        let mut long = String::from("const a = 1;\n");
        for i in 0..200 {
            long.push_str(&format!("f{i}('é', \"日本\", `😀`, x{i}); "));
        }
        long.push_str("\nconst é = g('ü');\n");
        for (grammar, text) in [
            (Grammar::JavaScript, long.as_str()),
            (Grammar::Python, "x = 'ä' + f('😀') + y\nz = 1\n"),
            (Grammar::JavaScript, "a(b, c);\nd(e);\n"),
        ] {
            let Some(tree) = parse(grammar, text) else {
                panic!("no tree");
            };
            assert_eq!(tree.continuations.is_none(), text.is_ascii());
            let mut checked = 0;
            let mut stack = vec![tree.root_node()];
            while let Some(node) = stack.pop() {
                let start = node.start_byte();
                let line_start = start - node.start_position().column;
                let expected = text.get(line_start..start).map(|s| s.chars().count());
                let Some(expected) = expected else {
                    panic!("{} starts inside a char", node.kind());
                };
                assert_eq!(node.start_char_column(text), expected, "{}", node.kind());
                checked += 1;
                stack.extend(node.child_iter());
            }
            assert!(checked > 10, "{checked} nodes");
        }
        assert!(
            long.lines()
                .nth(1)
                .is_some_and(|line| line.len() > 10 * CHAR_STEP)
        );
    }

    #[test]
    fn cursor_stays_inside_its_subtree() {
        let mut parser = tree_sitter::Parser::new();
        assert!(parser.set_language(&Grammar::Python.language()).is_ok());
        let Some(tree) = Tree::parse(&mut parser, Grammar::Python.tables(), "a = 1\nb = 2\n")
        else {
            panic!("no tree");
        };
        let first = tree.root_node().named_child(0);
        let Some(first) = first else {
            panic!("no statement");
        };
        let mut cursor = first.walk();
        assert!(!cursor.goto_next_sibling());
        assert!(!cursor.goto_parent());
        assert!(cursor.goto_first_child());
        assert!(cursor.goto_parent());
        assert_eq!(cursor.node(), first);
        // Ids are unique across trees.
        let Some(other) = Tree::parse(&mut parser, Grammar::Python.tables(), "a = 1\nb = 2\n")
        else {
            panic!("no tree");
        };
        assert_ne!(tree.root_node().id(), other.root_node().id());
        assert_ne!(tree.root_node(), other.root_node());
    }
}
