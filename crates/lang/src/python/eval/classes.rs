//! Classes and attributes: methods through local base classes, `self.<attr>`
//! assignments, properties, and the attributes of every kind of object.

use super::*;

impl<'t> Eval<'_, 't> {
    /// The method or class-body binding `name` of class (m, c) or its local bases.
    pub(crate) fn class_member(
        &self,
        m: usize,
        c: usize,
        name: &str,
        depth: usize,
    ) -> Option<(usize, usize)> {
        let sc = self.mods.get(m)?.scopes.get(c)?;
        if sc.bindings.contains_key(name) {
            return Some((m, c));
        }
        if depth > MAX_BASES {
            return None;
        }
        let parent = sc.parent.unwrap_or(0);
        for base in sc.bases() {
            for o in self.eval(m, parent, *base) {
                if let Obj::Class(bm, bc) = o
                    && let Some(hit) = self.class_member(bm, bc, name, depth + 1)
                {
                    return Some(hit);
                }
            }
        }
        None
    }

    /// Classes in the MRO of (m, c) (local ones only), the class first.
    pub(super) fn mro(&self, m: usize, c: usize) -> Vec<(usize, usize)> {
        let mut out = vec![(m, c)];
        let mut i = 0;
        while let Some(&(cm, cc)) = out.get(i) {
            i += 1;
            if out.len() > MAX_BASES {
                break;
            }
            let sc = &self.mods[cm].scopes[cc];
            let parent = sc.parent.unwrap_or(0);
            for base in sc.bases() {
                for o in self.eval(cm, parent, *base) {
                    if let Obj::Class(bm, bc) = o
                        && !out.contains(&(bm, bc))
                    {
                        out.push((bm, bc));
                    }
                }
            }
        }
        out
    }

    /// The method `name` of class (m, c), if it is a local function.
    pub(crate) fn method(&self, m: usize, c: usize, name: &str) -> Option<(usize, usize)> {
        let (mm, mc) = self.class_member(m, c, name, 0)?;
        let binds = self.mods[mm].scopes[mc].bindings.get(name)?;
        binds.iter().rev().find_map(|b| match b.kind {
            BindKind::Def(idx) if self.mods[mm].scopes[idx].kind == ScopeKind::Function => {
                Some((mm, idx))
            }
            _ => None,
        })
    }

    pub(super) fn instance_attr(&self, m: usize, c: usize, name: &str) -> Vec<Obj> {
        if let Some((mm, f)) = self.method(m, c, name) {
            return match self.mods[mm].scopes[f].method_kind {
                MethodKind::Static => vec![Obj::Func(mm, f)],
                MethodKind::Property => self.returns(mm, f),
                _ => vec![Obj::BoundMethod(mm, f)],
            };
        }
        self.memo(Key::Attr(m, c, name.to_string()), || {
            let mut out = Vec::new();
            for (cm, cc) in self.mro(m, c) {
                let sc = &self.mods[cm].scopes[cc];
                if let Some(binds) = sc.self_attr(name) {
                    for b in binds {
                        out.extend(self.bind_kind(cm, b.scope, name, &b.kind));
                    }
                }
                if sc.bindings.contains_key(name) {
                    out.extend(self.binding(cm, cc, name));
                }
            }
            if out.is_empty() {
                let class = &self.mods[m].scopes[c].name;
                out.push(Obj::unknown(format!(
                    "attribute `{name}` of `{class}` is never assigned"
                )));
            }
            out
        })
    }

    pub(super) fn class_attr(&self, m: usize, c: usize, name: &str) -> Vec<Obj> {
        if let Some((mm, f)) = self.method(m, c, name) {
            return match self.mods[mm].scopes[f].method_kind {
                MethodKind::Class => vec![Obj::BoundMethod(mm, f)],
                _ => vec![Obj::Func(mm, f)],
            };
        }
        match self.class_member(m, c, name, 0) {
            Some((cm, cc)) => self.binding(cm, cc, name),
            None => vec![Obj::unknown(format!("class attribute `{name}`"))],
        }
    }

    // ---- attributes ----

    pub(crate) fn get_attr(&self, obj: Obj, name: &str) -> Vec<Obj> {
        if let Some(o) = sdk_attr(&obj, name) {
            return vec![o];
        }
        match obj {
            Obj::Module(mi) => self.module_attr(mi, name),
            Obj::Package(dir) => match self.resolver.submodule(&ModRef::Dir(dir), name) {
                Some(sub) => vec![self.module_obj(&sub)],
                None => vec![Obj::unknown(format!(
                    "`{name}` not found in a local package"
                ))],
            },
            Obj::Instance(m, c) => self.instance_attr(m, c, name),
            Obj::Super(m, c) => {
                for (bm, bc) in self.mro(m, c).into_iter().skip(1) {
                    if let Some((fm, f)) = self.method(bm, bc, name) {
                        return vec![Obj::BoundMethod(fm, f)];
                    }
                }
                vec![Obj::Opaque(format!("super().{name}"))]
            }
            Obj::Class(m, c) => self.class_attr(m, c, name),
            Obj::Val(Value::Unknown { reason }) => vec![Obj::unknown(reason)],
            Obj::Val(v) => vec![Obj::ValMethod(v, name.to_string())],
            Obj::Map(entries) if name == "get" => vec![Obj::MapGet(entries)],
            Obj::Map(entries) if name == "values" => vec![Obj::MapGet(entries)],
            _ => vec![Obj::Opaque(format!(".{name}"))],
        }
    }
}
