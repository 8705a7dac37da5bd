//! Literals and operators: strings and f-strings, lists, dicts, subscripts, `or`,
//! `+` and `%`.

use super::*;

impl<'t> Eval<'_, 't> {
    pub(super) fn string(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let src = self.src(m);
        let mut slots: Vec<Vec<Value>> = Vec::new();
        if node.kind() == "concatenated_string" {
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                slots.push(to_values(self.string(m, s, part), || "string".into()));
            }
        } else {
            let mut cursor = node.walk();
            let mut raw = false;
            let mut fstring = false;
            for part in node.named_children(&mut cursor) {
                match part.kind() {
                    "string_start" => {
                        let prefix = text(src, part).to_ascii_lowercase();
                        raw = prefix.contains('r');
                        fstring = prefix.contains('f');
                    }
                    "string_content" => {
                        let mut body = values::unescape(text(src, part), raw);
                        if fstring {
                            body = body.replace("{{", "{").replace("}}", "}");
                        }
                        slots.push(vec![Value::str(body)]);
                    }
                    "interpolation" => {
                        let vals = match part.child_by_field_name("expression") {
                            Some(e) => self.values(m, s, e),
                            None => vec![Value::unknown("empty interpolation")],
                        };
                        slots.push(vals.into_iter().map(values::stringify).collect());
                    }
                    _ => {}
                }
            }
        }
        values::concat_alternatives(slots)
            .into_iter()
            .map(Obj::Val)
            .collect()
    }

    pub(super) fn sequence(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        if self.depth.get() > MAX_VALUE_DEPTH {
            return vec![Obj::unknown("value nested too deeply")];
        }
        let mut cursor = node.walk();
        let items: Vec<Vec<Obj>> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .map(|n| self.eval(m, s, n))
            .collect();
        let plain = items
            .iter()
            .all(|alts| alts.iter().all(|o| matches!(o, Obj::Val(_))));
        if plain {
            let items = items
                .into_iter()
                .map(|alts| single(to_values(alts, || "item".into())))
                .collect();
            vec![Obj::Val(values::bounded(Value::List { items }))]
        } else {
            vec![Obj::Seq(items)]
        }
    }

    pub(super) fn dictionary(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        if self.depth.get() > MAX_VALUE_DEPTH {
            return vec![Obj::unknown("value nested too deeply")];
        }
        let mut entries = BTreeMap::new();
        let mut rest = None;
        // Entries whose key the code computes (`{table_name: items}`).
        let mut computed: Vec<(Value, Value)> = Vec::new();
        // Dicts holding SDK objects (`CLIENTS = {'s3': boto3.client('s3')}`).
        let mut objects: BTreeMap<String, Vec<Obj>> = BTreeMap::new();
        let mut cursor = node.walk();
        for item in node.named_children(&mut cursor) {
            match item.kind() {
                "pair" => {
                    let (Some(k), Some(v)) = (
                        item.child_by_field_name("key"),
                        item.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let keys = self.values(m, s, k);
                    if keys.len() > 1 || keys.first().and_then(Value::as_str).is_none() {
                        // A key the code computes: an entry per value it may have.
                        let value = single(self.values(m, s, v));
                        computed.extend(keys.into_iter().map(|key| (key, value.clone())));
                        continue;
                    }
                    match single(keys) {
                        Value::Str { value: key } => {
                            let objs = self.eval(m, s, v);
                            if objs.iter().any(Obj::is_sdk) {
                                objects.insert(key.clone(), objs.clone());
                            }
                            let vals = to_values(objs, || {
                                format!("`{}` is not a plain value", short(self.text(m, v)))
                            });
                            entries.insert(key, single(vals));
                        }
                        key => {
                            let value = single(self.values(m, s, v));
                            computed.push((key, value));
                        }
                    }
                }
                "dictionary_splat" => {
                    if let Some(inner) = item.named_child(0) {
                        match single(self.values(m, s, inner)) {
                            Value::Object {
                                entries: e,
                                rest: r,
                            } => {
                                entries.extend(e);
                                if r.is_some() {
                                    rest = r;
                                }
                            }
                            Value::Event { path } => rest = Some(values::event_reason(&path)),
                            Value::Unknown { reason } => rest = Some(reason),
                            _ => rest = Some(format!("`**{}`", short(self.text(m, inner)))),
                        }
                    }
                }
                _ => {}
            }
        }
        if !objects.is_empty() {
            for (k, v) in entries {
                objects.entry(k).or_insert_with(|| vec![Obj::Val(v)]);
            }
            return vec![Obj::Map(objects)];
        }
        if !computed.is_empty() {
            // Keys the code computes: a `Map`, holding the literal keys too. A part that
            // is unknown (a `**spread`) is an entry with an unknown key.
            let mut all: Vec<(Value, Value)> = entries
                .into_iter()
                .map(|(k, v)| (Value::str(k), v))
                .collect();
            all.extend(computed);
            if let Some(reason) = rest {
                all.push((Value::unknown(reason.clone()), Value::unknown(reason)));
            }
            return vec![Obj::Val(values::bounded(Value::Map { entries: all }))];
        }
        vec![Obj::Val(values::bounded(Value::Object { entries, rest }))]
    }

    pub(super) fn subscript(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(value), Some(key)) = (
            node.child_by_field_name("value"),
            node.child_by_field_name("subscript"),
        ) else {
            return vec![Obj::unknown("incomplete subscript")];
        };
        // `records[1:]`: the same list (of the same items).
        let slice = key.kind() == "slice";
        let keys = if slice {
            vec![Value::unknown("slice")]
        } else {
            self.values(m, s, key)
        };
        let mut out = Vec::new();
        for obj in self.eval(m, s, value) {
            for k in &keys {
                out.push(match (&obj, k) {
                    (Obj::Val(v @ Value::Event { path }), _) => {
                        match event_subscript(v, k, slice) {
                            Some(found) => Obj::Val(found),
                            None => Obj::Val(values::through_event("a computed key", path)),
                        }
                    }
                    (Obj::Val(v @ Value::List { .. }), _) if slice => Obj::Val(v.clone()),
                    (Obj::Ext(p), Value::Str { value: name }) if p == "os.environ" => {
                        Obj::Val(Value::Env {
                            name: name.clone(),
                            default: None,
                        })
                    }
                    (Obj::Val(Value::Object { entries, rest }), Value::Str { value: name }) => {
                        match entries.get(name) {
                            Some(v) => Obj::Val(v.clone()),
                            None => Obj::unknown(
                                rest.clone()
                                    .unwrap_or_else(|| format!("key `{name}` is not in the dict")),
                            ),
                        }
                    }
                    // A literal dict indexed by a key the code computes: any of its values.
                    (Obj::Val(Value::Object { entries, rest }), _) => {
                        out.extend(any_entry(entries, rest.as_deref()));
                        continue;
                    }
                    (Obj::Val(Value::List { items }), Value::Scalar { text: i }) => {
                        match index(i, items.len()).and_then(|i| items.get(i)) {
                            Some(v) => Obj::Val(v.clone()),
                            None => Obj::unknown("list index"),
                        }
                    }
                    // A literal list indexed by a computed position: any of its items.
                    (Obj::Val(Value::List { items }), _) if !items.is_empty() => {
                        out.extend(items.iter().cloned().map(Obj::Val));
                        continue;
                    }
                    (Obj::Map(entries), Value::Str { value: name }) => match entries.get(name) {
                        Some(alts) => {
                            out.extend(alts.iter().cloned());
                            continue;
                        }
                        None => Obj::unknown(format!("key `{name}` is not in the dict")),
                    },
                    (Obj::Map(entries), _) => {
                        out.extend(entries.values().flatten().cloned());
                        continue;
                    }
                    (Obj::Seq(items), Value::Scalar { text: i }) => {
                        match index(i, items.len()).and_then(|i| items.get(i)) {
                            Some(alts) => {
                                out.extend(alts.iter().cloned());
                                continue;
                            }
                            None => Obj::unknown("list index"),
                        }
                    }
                    (Obj::Val(Value::Unknown { reason }), _) => Obj::unknown(reason.clone()),
                    _ => Obj::unknown(format!("`{}`", short(self.text(m, node)))),
                });
            }
        }
        out
    }

    /// `[f(r) for r in event['Records']]`: a list whose items are each the body's value,
    /// kept when that reads the event (one item standing for every item); any other
    /// comprehension is unknown.
    pub(super) fn comprehension(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let Some(body) = node.child_by_field_name("body") else {
            return vec![Obj::unknown("built by a comprehension")];
        };
        let vals = self.values(m, s, body);
        if values::any_event_path(&vals).is_none() {
            return vec![Obj::unknown("built by a comprehension")];
        }
        vec![Obj::Val(Value::List {
            items: vec![single(vals)],
        })]
    }

    pub(super) fn boolean(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Vec::new();
        };
        let op = node
            .child_by_field_name("operator")
            .map_or("", |o| self.text(m, o));
        let rights = self.eval(m, s, right);
        if op == "and" {
            return rights;
        }
        let mut out = Vec::new();
        let mut used_right = false;
        for l in self.eval(m, s, left) {
            match l {
                Obj::Val(Value::Env {
                    name,
                    default: None,
                }) => {
                    let default = single(to_values(rights.clone(), || "default".into()));
                    out.push(Obj::Val(Value::Env {
                        name,
                        default: Some(Box::new(default)),
                    }));
                }
                Obj::Val(Value::Scalar { ref text }) if text == "None" || text == "False" => {
                    used_right = true;
                }
                other => {
                    out.push(other);
                    used_right = true;
                }
            }
        }
        if used_right {
            out.extend(rights);
        }
        out
    }

    pub(super) fn binary(&self, m: usize, s: usize, node: Node<'t>) -> Vec<Obj> {
        let (Some(left), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return Vec::new();
        };
        let op = node
            .child_by_field_name("operator")
            .map_or("", |o| self.text(m, o));
        let lv = self.values(m, s, left);
        let rv = self.values(m, s, right);
        let numeric = |vs: &[Value]| vs.iter().all(|v| matches!(v, Value::Scalar { .. }));
        // `+` of text keeps an event value's shape; anything else done to it (`*`, `+`
        // of a number) is unknown, saying from where.
        let (ev_left, ev_right) = (values::any_event_path(&lv), values::any_event_path(&rv));
        let through = match op {
            "+" if numeric(&lv) || numeric(&rv) => ev_left.or(ev_right),
            "+" => None,
            // `'%s' % key` fills a template; `key % n` is arithmetic.
            "%" => ev_left,
            _ => ev_left.or(ev_right),
        };
        if let Some(path) = through {
            return vec![Obj::Val(values::through_event(&format!("`{op}`"), path))];
        }
        let out: Vec<Value> = match op {
            "+" => {
                if numeric(&lv) && numeric(&rv) {
                    vec![Value::unknown("arithmetic")]
                } else if let ([Value::List { items: a }], [Value::List { items: b }]) =
                    (lv.as_slice(), rv.as_slice())
                {
                    vec![values::bounded(Value::List {
                        items: a.iter().chain(b).cloned().collect(),
                    })]
                } else {
                    let lv = lv.into_iter().map(values::stringify).collect();
                    let rv = rv.into_iter().map(values::stringify).collect();
                    values::concat_alternatives(vec![lv, rv])
                }
            }
            "%" => {
                let mut out = Vec::new();
                for l in &lv {
                    for r in &rv {
                        out.push(match l {
                            Value::Str { value } => values::percent_format(value, r),
                            Value::Unknown { reason } => Value::unknown(reason.clone()),
                            _ => Value::unknown("`%` of a non-literal template"),
                        });
                    }
                }
                out
            }
            _ => vec![Value::unknown(format!("result of `{op}`"))],
        };
        out.into_iter().map(Obj::Val).collect()
    }
}

/// A subscript of a value read from the event: a member for a string key, any item for
/// a position (`[0]`, `[i]`), the same list for a slice; `None` for a key the code
/// computes otherwise.
fn event_subscript(v: &Value, key: &Value, slice: bool) -> Option<Value> {
    match key {
        _ if slice => Some(v.clone()),
        Value::Str { value } => v.event_member(value),
        Value::Scalar { .. } | Value::Unknown { .. } => v.event_item(),
        _ => None,
    }
}

/// Any value of a literal dict (a lookup by a computed key), and the unknown part.
fn any_entry(entries: &BTreeMap<String, Value>, rest: Option<&str>) -> Vec<Obj> {
    let mut out: Vec<Obj> = entries.values().cloned().map(Obj::Val).collect();
    if let Some(reason) = rest {
        out.push(Obj::unknown(reason));
    }
    if out.is_empty() {
        out.push(Obj::unknown("lookup in an empty dict"));
    }
    out
}
