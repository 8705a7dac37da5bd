//! Expressions → abstract values: literals, templates, concatenation, `process.env`,
//! object and array literals (with spread), member access, destructuring patterns
//! and assignments (including `this.x = …` fields and CommonJS `exports.x = …`).

use std::collections::BTreeMap;

use crate::syntax::Node;

use crate::facts::Value;

use super::functions::{is_class, is_function};
use super::resolve::{string_literal, unescape};
use super::scope::Analyzer;
use super::values::{ANY_INDEX, Abs, as_concat_part, choice, choose, concat, join};

/// Syntax that is transparent for values: TypeScript casts, parentheses, `await`.
fn is_transparent(kind: &str) -> bool {
    matches!(
        kind,
        "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion"
            | "await_expression"
    )
}

impl<'t> Analyzer<'t> {
    pub fn eval(&mut self, node: Node<'t>) -> Abs {
        self.eval_named(node, None)
    }

    /// Evaluate, naming a function defined by this expression `hint` (`const handler =
    /// async () => …`, `export const handler = middy(async (event) => …)`).
    pub fn eval_named(&mut self, node: Node<'t>, hint: Option<&str>) -> Abs {
        if !self.enter(node) {
            return Abs::unknown("nested too deeply");
        }
        let v = self.eval_inner(node, hint);
        self.leave();
        v
    }

    fn eval_inner(&mut self, node: Node<'t>, hint: Option<&str>) -> Abs {
        let kind = node.kind();
        if is_transparent(kind) {
            // `<T>x`: the expression is the last child; otherwise the first.
            if kind == "parenthesized_expression" {
                // `(0, f)(…)` in compiled code: the last expression is the value.
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .collect();
                let mut last = Abs::unknown("empty expression");
                let count = children.len();
                for (i, child) in children.into_iter().enumerate() {
                    last = self.eval_named(child, if i + 1 == count { hint } else { None });
                }
                return last;
            }
            let inner = if kind == "type_assertion" {
                node.named_child(
                    u32::try_from(node.named_child_count().saturating_sub(1)).unwrap_or(0),
                )
            } else {
                node.named_children(&mut node.walk())
                    .find(|c| c.kind() != "comment")
            };
            return match inner {
                Some(inner) => self.eval_named(inner, hint),
                None => Abs::unknown("empty expression"),
            };
        }
        if is_function(kind) {
            return self.eval_function(node, hint);
        }
        match kind {
            "string" => Abs::str(string_literal(node, self.text).unwrap_or_default()),
            "template_string" => self.eval_template(node),
            "number" => Abs::Val(Value::Scalar {
                text: self.text_of(node).to_string(),
            }),
            "true" | "false" | "null" | "undefined" => Abs::Val(Value::Scalar {
                text: kind.to_string(),
            }),
            "identifier" | "shorthand_property_identifier" => {
                let name = self.text_of(node);
                self.lookup(name)
            }
            "this" => match self.cur_ref().class.clone() {
                Some(class) => Abs::Instance(self.class_ref(&class)),
                None => Abs::unknown("`this` outside a class"),
            },
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("property"),
                ) else {
                    return Abs::unknown("member");
                };
                let obj = self.eval(object);
                let name = self.text_of(property).trim_start_matches('#').to_string();
                self.member_of(&obj, &name)
            }
            "subscript_expression" => self.eval_subscript(node),
            "binary_expression" => self.eval_binary(node),
            "ternary_expression" => {
                let cond = node.child_by_field_name("condition");
                if let Some(c) = cond {
                    self.eval(c);
                }
                let a = node
                    .child_by_field_name("consequence")
                    .map(|n| self.eval_named(n, hint));
                let b = node
                    .child_by_field_name("alternative")
                    .map(|n| self.eval_named(n, hint));
                match (a, b) {
                    (Some(a), Some(b)) => choice(a, b),
                    _ => Abs::unknown("depends on a condition"),
                }
            }
            "assignment_expression" => self.eval_assignment(node),
            "augmented_assignment_expression"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|o| matches!(self.text_of(o), "??=" | "||="))
                    && node.child_by_field_name("left").is_some_and(|l| {
                        matches!(l.kind(), "identifier" | "member_expression")
                    }) =>
            {
                // `this.client ??= new S3Client()`: the target keeps what it had, or
                // gets this.
                self.eval_assignment(node)
            }
            "object" => self.eval_object(node, hint),
            "array" => {
                let mut items = Vec::new();
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "comment" {
                        continue;
                    }
                    let v = self.eval(child);
                    items.push(if child.kind() == "spread_element" {
                        Abs::unknown("spread of an array")
                    } else {
                        v
                    });
                }
                Abs::Arr(items)
            }
            "spread_element" => match node.named_child(0) {
                Some(inner) => self.eval(inner),
                None => Abs::unknown("spread"),
            },
            "sequence_expression" => {
                let mut last = Abs::unknown("empty sequence");
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for child in children {
                    last = self.eval(child);
                }
                last
            }
            "call_expression" => self.eval_call(node, hint),
            "new_expression" => self.eval_new(node),
            k if is_class(k) => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| self.text_of(n).to_string())
                    .or_else(|| hint.map(str::to_string))
                    .unwrap_or_else(|| "class".to_string());
                let qual = self.child_qual(&name, node);
                self.register_class(&qual, node);
                self.ensure_class(&qual);
                Abs::Class(self.class_ref(&qual))
            }
            _ => {
                let mut cursor = node.walk();
                let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.walk(child);
                }
                Abs::unknown(format!(
                    "result of `{}`",
                    super::values::one_line(self.text_of(node), 40)
                ))
            }
        }
    }

    /// A function expression: named (deferred at module level, analysed in place
    /// otherwise) when it has a name or a hint, else part of the enclosing function.
    fn eval_function(&mut self, node: Node<'t>, hint: Option<&str>) -> Abs {
        let own = node
            .child_by_field_name("name")
            .filter(|_| node.kind() != "method_definition")
            .map(|n| self.text_of(n).to_string());
        let Some(name) = hint.map(str::to_string).or(own) else {
            self.run_inline(node);
            return Abs::unknown("an inline function");
        };
        // Only an inline callback takes the iterated item (a named one is bound at its
        // call sites); nothing inside this one may take it either.
        self.callback_item = None;
        let qual = self.child_qual(&name, node);
        if self.at_module_level() {
            self.defer_function(&qual, node, None)
        } else {
            self.run_function(&qual, node, None, true);
            Abs::Func(self.fid(&qual))
        }
    }

    fn eval_template(&mut self, node: Node<'t>) -> Abs {
        let mut parts = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "string_fragment" => parts.push(Value::str(self.text_of(child))),
                "escape_sequence" => parts.push(Value::str(unescape(self.text_of(child)))),
                "template_substitution" => {
                    let v = match child.named_child(0) {
                        Some(inner) => self.eval(inner).to_value(),
                        None => Value::unknown("empty substitution"),
                    };
                    parts.push(as_concat_part(v));
                }
                _ => {}
            }
        }
        Abs::Val(concat(parts))
    }

    fn eval_subscript(&mut self, node: Node<'t>) -> Abs {
        let (Some(object), Some(index)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("index"),
        ) else {
            return Abs::unknown("subscript");
        };
        let obj = self.eval(object);
        let idx = self.eval(index);
        match idx {
            Abs::Val(Value::Str { value }) => self.member_of(&obj, &value),
            Abs::Val(Value::Scalar { text })
                if matches!(
                    obj,
                    Abs::Arr(_) | Abs::Param(_) | Abs::Val(Value::Event { .. })
                ) =>
            {
                obj.member(&text)
            }
            // Any item: of a list read from the event (`event.Records[i]`), of a
            // parameter (bound at call sites), or one of a literal array's items
            // (`names[Math.floor(Math.random() * names.length)]`).
            _ if matches!(
                obj,
                Abs::Arr(_) | Abs::Param(_) | Abs::Val(Value::Event { .. })
            ) =>
            {
                obj.member(ANY_INDEX)
            }
            // Some member of a literal object (`TABLES[kind]`).
            ref i
                if !matches!(i, Abs::Val(Value::Scalar { .. }))
                    && matches!(&obj, Abs::Obj(entries, None) if !entries.is_empty()) =>
            {
                match obj {
                    Abs::Obj(entries, _) => choose(entries.into_values().collect()),
                    other => other,
                }
            }
            other => {
                let why = match other.to_value() {
                    Value::Unknown { reason } => reason,
                    Value::Event { path } => super::values::event_reason(&path),
                    _ => "not a literal".to_string(),
                };
                let expr = super::values::one_line(self.text_of(node), 60);
                match obj {
                    Abs::V2Ns => Abs::V2Dynamic(format!("`{expr}`: {why}")),
                    Abs::ProcessEnv => match &other {
                        Abs::Param(p) => Abs::unknown(p.env_marked_reason()),
                        _ => Abs::unknown(format!(
                            "environment variable name computed at run time (`{expr}`)"
                        )),
                    },
                    // An item of something unknown is unknown for the same reason
                    // (`page.QueueUrls[0]` of a `ListQueues` result).
                    Abs::Val(Value::Unknown { reason }) => Abs::unknown(reason),
                    _ => Abs::unknown(format!("computed property `{expr}`")),
                }
            }
        }
    }

    fn eval_binary(&mut self, node: Node<'t>) -> Abs {
        let op = node
            .child_by_field_name("operator")
            .map(|o| self.text_of(o))
            .unwrap_or("");
        let left = node.child_by_field_name("left").map(|n| self.eval(n));
        let right = node.child_by_field_name("right").map(|n| self.eval(n));
        let (Some(left), Some(right)) = (left, right) else {
            return Abs::unknown("incomplete expression");
        };
        match op {
            "+" => {
                let l = left.to_value();
                let r = right.to_value();
                let stringy = |v: &Value| {
                    matches!(
                        v,
                        Value::Str { .. }
                            | Value::Concat { .. }
                            | Value::Env { .. }
                            | Value::Event { .. }
                    )
                };
                if stringy(&l) || stringy(&r) {
                    Abs::Val(concat(vec![as_concat_part(l), as_concat_part(r)]))
                } else if let Value::Unknown { .. } = l {
                    Abs::Val(l)
                } else {
                    Abs::unknown("arithmetic")
                }
            }
            "||" | "??" => {
                if left.is_tracked() {
                    // `opts.client || new S3Client()`: either may be used.
                    return if right.is_tracked() {
                        join(left, right)
                    } else {
                        left
                    };
                }
                match left {
                    Abs::Val(Value::Env {
                        name,
                        default: None,
                    }) => Abs::Val(Value::Env {
                        name,
                        default: Some(Box::new(right.to_value())),
                    }),
                    // `event.detail?.bucket ?? 'fallback'`: either may be used.
                    l @ Abs::Val(Value::Event { .. }) if !right.is_tracked() => choice(l, right),
                    l if right.is_tracked() && l.is_unknown() => right,
                    l => l,
                }
            }
            _ => Abs::unknown(format!("result of `{op}`")),
        }
    }

    /// An object literal. With a hint, its function members become functions
    /// `hint.key` (`hint` empty: just `key`, for `module.exports = {…}`).
    pub fn eval_object(&mut self, node: Node<'t>, hint: Option<&str>) -> Abs {
        let mut entries = BTreeMap::new();
        let mut rest: Option<String> = None;
        let mut computed: Vec<(Value, Value)> = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        let member_hint = |key: &str| {
            hint.map(|h| {
                if h.is_empty() {
                    key.to_string()
                } else {
                    format!("{h}.{key}")
                }
            })
        };
        for child in children {
            match child.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key = if key.kind() == "computed_property_name" {
                        // `{ [tableName]: items }`: a literal or constant key is an
                        // ordinary entry; any other is kept with its value.
                        let k = match key.named_child(0) {
                            Some(inner) => self.eval(inner).to_value(),
                            None => Value::unknown("an empty computed key"),
                        };
                        match k {
                            Value::Str { value } | Value::Scalar { text: value } => value,
                            k => {
                                let v = self.eval(value).to_value();
                                computed.push((k, v));
                                continue;
                            }
                        }
                    } else {
                        match self.key_name(key) {
                            Some(k) => k,
                            None => {
                                self.eval(value);
                                rest = Some("a computed key".to_string());
                                continue;
                            }
                        }
                    };
                    let h = member_hint(&key);
                    let v = self.eval_named(value, h.as_deref());
                    entries.insert(key, v);
                }
                "method_definition" => {
                    let Some(key) = child
                        .child_by_field_name("name")
                        .and_then(|k| self.key_name(k))
                    else {
                        continue;
                    };
                    let v = match member_hint(&key) {
                        Some(h) => self.eval_function(child, Some(&h)),
                        None => {
                            self.run_inline(child);
                            Abs::unknown("an inline function")
                        }
                    };
                    entries.insert(key, v);
                }
                "shorthand_property_identifier" => {
                    let name = self.text_of(child).to_string();
                    let v = self.lookup(&name);
                    entries.insert(name, v);
                }
                "spread_element" => {
                    let v = self.eval(child);
                    let v = match v {
                        // `{ ...require('./a') }`: the module's exports.
                        Abs::LocalModule(file) => self.module_exports_object(&file),
                        other => other,
                    };
                    match v {
                        Abs::Obj(more, more_rest) => {
                            entries.extend(more);
                            if more_rest.is_some() {
                                rest = more_rest;
                            }
                        }
                        Abs::Val(Value::Object {
                            entries: more,
                            rest: more_rest,
                        }) => {
                            entries.extend(more.into_iter().map(|(k, v)| (k, Abs::Val(v))));
                            if more_rest.is_some() {
                                rest = more_rest;
                            }
                        }
                        other => {
                            let why = match other.to_value() {
                                Value::Unknown { reason } => reason,
                                Value::Event { path } => super::values::event_reason(&path),
                                _ => "not an object".to_string(),
                            };
                            let text = super::values::one_line(self.text_of(child), 40);
                            rest = Some(format!("spread `{text}` ({why})"));
                        }
                    }
                }
                "comment" => {}
                _ => {
                    self.walk(child);
                }
            }
        }
        if computed.is_empty() {
            return Abs::Obj(entries, rest);
        }
        let mut all: Vec<(Value, Value)> = entries
            .into_iter()
            .map(|(k, v)| (Value::str(k), v.to_value()))
            .collect();
        all.extend(computed);
        if let Some(reason) = rest {
            // What a spread adds is unknown, keys and values alike.
            all.push((Value::unknown(reason.clone()), Value::unknown(reason)));
        }
        Abs::Val(Value::Map { entries: all })
    }

    /// A property key as a string (`a`, `'a'`, `1`, `['a']`), if static.
    fn key_name(&mut self, key: Node<'t>) -> Option<String> {
        match key.kind() {
            "property_identifier" | "private_property_identifier" | "identifier" => {
                Some(self.text_of(key).trim_start_matches('#').to_string())
            }
            "string" => string_literal(key, self.text),
            "number" => Some(self.text_of(key).to_string()),
            "computed_property_name" => {
                let inner = key.named_child(0)?;
                self.eval(inner).to_value().as_str().map(str::to_string)
            }
            _ => None,
        }
    }

    /// `obj.name`, with the module context (classes, local modules).
    pub fn member_of(&mut self, obj: &Abs, name: &str) -> Abs {
        match obj {
            Abs::OneOf(all) => all
                .clone()
                .into_iter()
                .map(|a| self.member_of(&a, name))
                .reduce(join)
                .unwrap_or_else(|| Abs::unknown("nothing")),
            Abs::Instance(class) => {
                self.class_member(class.file.clone(), class.qual.clone(), name, true, 0)
            }
            Abs::Class(class) => {
                self.class_member(class.file.clone(), class.qual.clone(), name, false, 0)
            }
            Abs::LocalModule(file) => self.module_export(file, name),
            other => other.member(name),
        }
    }

    fn class_member(
        &mut self,
        file: String,
        qual: String,
        name: &str,
        instance: bool,
        depth: usize,
    ) -> Abs {
        let info = if file == self.file {
            if instance {
                self.ensure_class(&qual);
            }
            self.classes.get(&qual).cloned()
        } else {
            self.deps
                .get(&file)
                .and_then(|m| m.classes.get(&qual).cloned())
        };
        let Some(info) = info else {
            return Abs::unknown(format!("member `{name}` of a class"));
        };
        if instance && let Some(v) = info.fields.get(name) {
            return v.clone();
        }
        if info.methods.contains(name) {
            let id = crate::program::FunctionId::new(&file, &format!("{qual}.{name}"));
            if info.getters.contains(name) {
                self.add_callee(id.clone());
                return self.returns_of(&id);
            }
            return Abs::Func(id);
        }
        if depth < 8
            && let Some(Abs::Class(base)) = info.base
        {
            return self.class_member(base.file, base.qual, name, instance, depth + 1);
        }
        Abs::unknown(format!("member `{name}` of `{qual}`"))
    }

    // --- patterns and assignments ----------------------------------------------------

    pub fn bind_pattern(&mut self, pattern: Node<'t>, value: Abs) {
        if !self.enter(pattern) {
            return;
        }
        self.bind_pattern_inner(pattern, value);
        self.leave();
    }

    fn bind_pattern_inner(&mut self, pattern: Node<'t>, value: Abs) {
        match pattern.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = self.text_of(pattern).to_string();
                self.bind(&name, value);
            }
            "object_pattern" => {
                let mut cursor = pattern.walk();
                let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text_of(child).to_string();
                            let v = self.member_of(&value, &name);
                            self.bind(&name, v);
                        }
                        "pair_pattern" => {
                            let (Some(key), Some(target)) = (
                                child.child_by_field_name("key"),
                                child.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            let v = match self.key_name(key) {
                                Some(k) => self.member_of(&value, &k),
                                None => Abs::unknown("a computed key"),
                            };
                            self.bind_pattern(target, v);
                        }
                        "object_assignment_pattern" => {
                            let (Some(left), Some(right)) = (
                                child.child_by_field_name("left"),
                                child.child_by_field_name("right"),
                            ) else {
                                continue;
                            };
                            let v = if left.kind() == "shorthand_property_identifier_pattern" {
                                let name = self.text_of(left).to_string();
                                self.member_of(&value, &name)
                            } else {
                                Abs::unknown("nested pattern")
                            };
                            let d = self.eval(right);
                            self.bind_pattern(left, with_default(v, d));
                        }
                        "rest_pattern" => {
                            if let Some(inner) = child.named_child(0) {
                                self.bind_pattern(inner, Abs::unknown("rest of an object"));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let mut cursor = pattern.walk();
                let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for (i, child) in children.into_iter().enumerate() {
                    let v = value.member(&i.to_string());
                    self.bind_pattern(child, v);
                }
            }
            "assignment_pattern" => {
                let (Some(left), Some(right)) = (
                    pattern.child_by_field_name("left"),
                    pattern.child_by_field_name("right"),
                ) else {
                    return;
                };
                let d = self.eval(right);
                self.bind_pattern(left, with_default(value, d));
            }
            "rest_pattern" => {
                if let Some(inner) = pattern.named_child(0) {
                    self.bind_pattern(inner, Abs::unknown("rest of a list"));
                }
            }
            _ => {}
        }
    }

    fn eval_assignment(&mut self, node: Node<'t>) -> Abs {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Abs::unknown("assignment");
        };
        let target = self.export_target(left);
        let hint: Option<String> = match &target {
            Some(ExportTarget::Whole) => Some(String::new()),
            Some(ExportTarget::Named(name)) => Some(name.clone()),
            None if left.kind() == "identifier" => Some(self.text_of(left).to_string()),
            None => None,
        };
        let value = match (&target, right.kind()) {
            (Some(ExportTarget::Whole), k) if is_function(k) => {
                self.eval_named(right, Some("default"))
            }
            _ => self.eval_named(right, hint.as_deref()),
        };
        match target {
            Some(ExportTarget::Whole) => {
                // `module.exports = require('./impl')`: re-export everything.
                let value = match value {
                    Abs::LocalModule(file) => self.module_exports_object(&file),
                    other => other,
                };
                if let Abs::Obj(entries, _) = &value {
                    for (k, v) in entries {
                        self.exports.insert(k.clone(), v.clone());
                    }
                } else {
                    self.cjs = Some(value.clone());
                    if let Abs::Func(_) = value {
                        self.exports.insert("default".to_string(), value.clone());
                    }
                }
                return value;
            }
            Some(ExportTarget::Named(name)) => {
                self.exports.insert(name, value.clone());
                return value;
            }
            None => {}
        }
        match left.kind() {
            "identifier" => {
                let name = self.text_of(left).to_string();
                self.assign_var(&name, value.clone());
            }
            "member_expression" | "subscript_expression" => {
                let object = left.child_by_field_name("object");
                let prop = left
                    .child_by_field_name("property")
                    .map(|p| self.text_of(p).trim_start_matches('#').to_string())
                    .or_else(|| {
                        left.child_by_field_name("index")
                            .and_then(|i| string_literal(i, self.text))
                    });
                if let (Some(object), Some(prop)) = (object, prop) {
                    match object.kind() {
                        "this" => {
                            if let Some(class) = self.cur_ref().class.clone() {
                                self.set_field(&class, &prop, value.clone());
                            }
                        }
                        "identifier" => {
                            let name = self.text_of(object).to_string();
                            if let Abs::Obj(mut entries, rest) = self.lookup(&name) {
                                entries.insert(prop, value.clone());
                                self.assign_var(&name, Abs::Obj(entries, rest));
                            }
                        }
                        _ => {
                            self.eval(object);
                        }
                    }
                } else if let Some(object) = object {
                    self.eval(object);
                }
            }
            "object_pattern" | "array_pattern" => self.bind_pattern(left, value.clone()),
            _ => {}
        }
        value
    }

    /// `module.exports` / `exports.x` / `module.exports.x` as an assignment target.
    fn export_target(&self, left: Node<'t>) -> Option<ExportTarget> {
        let text = self.text_of(left);
        if text == "module.exports" {
            return Some(ExportTarget::Whole);
        }
        if left.kind() != "member_expression" {
            return None;
        }
        let object = left.child_by_field_name("object")?;
        let property = left.child_by_field_name("property")?;
        let object_text = self.text_of(object);
        let is_exports = object_text == "module.exports"
            || (object_text == "exports" && !self.is_bound("exports"));
        is_exports.then(|| ExportTarget::Named(self.text_of(property).to_string()))
    }
}

enum ExportTarget {
    Whole,
    Named(String),
}

/// A destructuring default: `{ TABLE = 'x' } = process.env` keeps the env var name.
fn with_default(value: Abs, default: Abs) -> Abs {
    match value {
        // `const { bucket = 'fallback' } = event.detail`: either may be used.
        v @ Abs::Val(Value::Event { .. }) if !default.is_tracked() => choice(v, default),
        Abs::Val(Value::Env {
            name,
            default: None,
        }) => Abs::Val(Value::Env {
            name,
            default: Some(Box::new(default.to_value())),
        }),
        v if v.is_unknown() && (default.is_tracked() || !default.is_unknown()) => {
            if let Abs::Val(Value::Unknown { reason }) = &v
                && (reason.starts_with("no property") || default.is_tracked())
            {
                return default;
            }
            v
        }
        v => v,
    }
}
