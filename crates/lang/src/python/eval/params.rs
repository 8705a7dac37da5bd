//! Parameters and call sites: what callers pass, and evaluating a call's result
//! with the callee's parameters bound to one call's arguments.

use super::*;

impl<'t> Eval<'_, 't> {
    pub(super) fn param(&self, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let Some(p) = sc.params.get(index) else {
            return Vec::new();
        };
        // No frame binds a method's `self` or `cls`; any other parameter is looked up
        // in the open frames, so what it denotes depends on them unless the frame that
        // binds it was opened by the result being computed (see `memo`).
        let implicit = index == 0 && implicit_first(sc);
        if let Some(looked_up) = &self.looked_up {
            looked_up.borrow_mut().insert((m, s));
        }
        let open = self.level.get();
        for (i, frame) in self.frames.borrow().iter().enumerate().rev() {
            if frame.module == m
                && frame.scope == s
                && let Some(objs) = frame.params.get(&p.name)
            {
                if i < open {
                    self.note(|r| r.bound_in = r.bound_in.min(i));
                }
                return objs.clone();
            }
        }
        if !implicit {
            self.note(|r| r.unbound = r.unbound.with(m, s));
        }
        if let (Some(class), ParamKind::Positional(0)) = (sc.class, p.kind) {
            match sc.method_kind {
                MethodKind::Instance | MethodKind::Property => {
                    return vec![Obj::Instance(m, class)];
                }
                MethodKind::Class => return vec![Obj::Class(m, class)],
                MethodKind::Static => {}
            }
        }
        if self.index_mode && p.kind != ParamKind::Star {
            self.index_reads.borrow_mut().params.push((m, s, index));
        }
        match p.kind {
            ParamKind::Star => return vec![Obj::unknown(format!("`*{}` arguments", p.name))],
            ParamKind::DoubleStar if self.index_mode || !self.sites.contains_key(&(m, s)) => {
                return vec![Obj::Val(Value::Object {
                    entries: BTreeMap::new(),
                    rest: Some(format!("`**{}` arguments", p.name)),
                })];
            }
            _ => {}
        }
        if self.index_mode {
            return vec![Obj::Val(param_value(&sc.params, index))];
        }
        let Some(sites) = self.sites.get(&(m, s)) else {
            return self.unbound_param(m, s, index);
        };
        if let Some(objs) = self.hot_param(m, s, index, sites.len()) {
            return objs;
        }
        self.param_union(m, s, index, sites)
    }

    /// The union of what `sites` pass for parameter `index` of function (m, s).
    pub(super) fn param_union(
        &self,
        m: usize,
        s: usize,
        index: usize,
        sites: &[Site<'t>],
    ) -> Vec<Obj> {
        self.memo(Key::Param(m, s, index), || {
            let mut out = Vec::new();
            for site in sites {
                out.extend(self.site_arg(site, m, s, index));
            }
            out
        })
    }

    /// A parameter no call site binds: unknown, unless a `mypy-boto3` annotation says
    /// which SDK object it is (`def save(table: Table)`).
    pub(super) fn unbound_param(&self, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let reason = param_value(&sc.params, index);
        let annotation = sc.params.get(index).and_then(|p| p.annotation);
        if let (Some(annotation), Some(parent)) = (annotation, sc.parent) {
            let types = match annotation.named_child(0) {
                // `"S3Client"` (a forward reference): the name it spells.
                Some(inner) if inner.kind() == "string" => self
                    .values(m, parent, inner)
                    .into_iter()
                    .filter_map(|v| v.as_str().map(|n| self.lookup(m, parent, n.trim())))
                    .flatten()
                    .collect(),
                Some(inner) => self.eval(m, parent, inner),
                None => Vec::new(),
            };
            let found: Vec<Obj> = types
                .into_iter()
                .filter_map(|t| match t {
                    Obj::Ext(path) => annotated(&path, &reason),
                    _ => None,
                })
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        vec![Obj::Val(reason)]
    }

    /// What `site` passes for parameter `index` of function (m, s).
    pub(super) fn site_arg(&self, site: &Site<'t>, m: usize, s: usize, index: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        let Some(p) = sc.params.get(index) else {
            return Vec::new();
        };
        let args = self.site_args(site);
        if p.kind == ParamKind::DoubleStar {
            // The keyword arguments no named parameter takes.
            let named: BTreeSet<&str> = sc
                .params
                .iter()
                .filter(|q| matches!(q.kind, ParamKind::Positional(_) | ParamKind::KeywordOnly))
                .map(|q| q.name.as_str())
                .collect();
            let rest = Args {
                positional: Vec::new(),
                keywords: args
                    .keywords
                    .iter()
                    .filter(|(k, _)| !named.contains(k))
                    .cloned()
                    .collect(),
                star: false,
                double_star: args.double_star.clone(),
            };
            return vec![Obj::Val(self.kwargs_object(site.module, site.scope, &rest))];
        }
        let node = match p.kind {
            ParamKind::Positional(i) => args.keyword(&p.name).or_else(|| {
                i.checked_sub(site.offset)
                    .and_then(|i| args.positional.get(i + site.skip).copied())
            }),
            ParamKind::KeywordOnly => args.keyword(&p.name),
            _ => None,
        };
        if let Some(node) = node {
            let objs = self.eval(site.module, site.scope, node);
            if site.elements {
                return objs
                    .into_iter()
                    .flat_map(|o| self.element(o, &p.name))
                    .collect();
            }
            return objs;
        }
        if args.star || !args.double_star.is_empty() {
            return vec![Obj::unknown(format!(
                "parameter `{}` passed through `*args`/`**kwargs`",
                p.name
            ))];
        }
        match (p.default, sc.parent) {
            (Some(default), Some(parent)) => self.eval(m, parent, default),
            _ => vec![Obj::Val(param_value(&sc.params, index))],
        }
    }

    /// The arguments of `site`'s call, read once per evaluator.
    fn site_args(&self, site: &Site<'t>) -> Rc<Args<'t>> {
        let key = (site.module, site.call.slot());
        if let Some(args) = self.site_args.borrow().get(&key) {
            return Rc::clone(args);
        }
        let args = Rc::new(self.args(site.module, site.call));
        self.site_args.borrow_mut().insert(key, Rc::clone(&args));
        args
    }

    pub(crate) fn args(&self, m: usize, call: Node<'t>) -> Args<'t> {
        let mut out = Args::default();
        let Some(list) = call.child_by_field_name("arguments") else {
            return out;
        };
        if list.kind() == "generator_expression" {
            out.positional.push(list);
            return out;
        }
        let mut cursor = list.walk();
        for arg in list.named_children(&mut cursor) {
            match arg.kind() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        arg.child_by_field_name("name"),
                        arg.child_by_field_name("value"),
                    ) {
                        out.keywords.push((self.text(m, k), v));
                    }
                }
                "list_splat" => out.star = true,
                "dictionary_splat" => {
                    if let Some(inner) = arg.named_child(0) {
                        out.double_star.push(inner);
                    }
                }
                "comment" => {}
                _ => out.positional.push(arg),
            }
        }
        out
    }

    /// What a local function may return (for decorators: the wrapper).
    pub(crate) fn function_returns(&self, m: usize, s: usize) -> Vec<Obj> {
        self.returns(m, s)
    }

    /// A function's return values, in no particular calling context.
    pub(super) fn returns(&self, m: usize, s: usize) -> Vec<Obj> {
        self.memo(Key::Return(m, s), || self.returns_now(m, s))
    }

    pub(super) fn returns_now(&self, m: usize, s: usize) -> Vec<Obj> {
        let sc = &self.mods[m].scopes[s];
        if sc.returns.is_empty() {
            return vec![Obj::Val(Value::Scalar {
                text: "None".into(),
            })];
        }
        sc.returns
            .iter()
            .flat_map(|r| self.eval(m, s, *r))
            .collect()
    }

    /// The result of calling local function (fm, fs) at `call`, binding its parameters
    /// to this call's arguments when that is cheap.
    pub(super) fn call_result(
        &self,
        m: usize,
        s: usize,
        call: Node<'t>,
        fm: usize,
        fs: usize,
        offset: usize,
    ) -> Vec<Obj> {
        let sc = &self.mods[fm].scopes[fs];
        let has_args = call
            .child_by_field_name("arguments")
            .is_some_and(|a| a.named_child_count() > 0);
        if !has_args || sc.returns.is_empty() {
            return self.returns(fm, fs);
        }
        self.note(|r| r.counted_frames = true);
        if self.frames.borrow().len() >= MAX_FRAMES {
            return self.returns(fm, fs);
        }
        if self.index_mode {
            self.index_reads.borrow_mut().unbound_call = true;
            return self.returns(fm, fs);
        }
        let key = Key::Return(fm, fs);
        if self.in_progress(&key) {
            return Vec::new();
        }
        let site = Site {
            module: m,
            scope: s,
            call,
            offset,
            skip: 0,
            elements: false,
        };
        let mut params = FxHashMap::default();
        for (i, p) in sc.params.iter().enumerate() {
            if i == 0 && implicit_first(sc) {
                continue;
            }
            params.insert(p.name.clone(), self.site_arg(&site, fm, fs, i));
        }
        self.push_frame(fm, fs, params);
        self.begin(key.clone());
        let out = self.returns_now(fm, fs);
        self.end(&key);
        self.pop_frame();
        out
    }

    /// The call sites of local function (m, fs), when there are several and few
    /// enough to evaluate its body once per site.
    pub(crate) fn contexts(&self, m: usize, fs: usize) -> &[Site<'t>] {
        let sc = &self.mods[m].scopes[fs];
        let has_params = sc
            .params
            .iter()
            .enumerate()
            .any(|(i, _)| !(i == 0 && implicit_first(sc)));
        match self.sites.get(&(m, fs)) {
            Some(sites) if has_params && (2..=MAX_CONTEXTS).contains(&sites.len()) => sites,
            _ => &[],
        }
    }

    /// Run `f` with the parameters of (m, fs) bound to what `site` passes.
    pub(crate) fn with_site<R>(
        &self,
        m: usize,
        fs: usize,
        site: &Site<'t>,
        f: impl FnOnce() -> R,
    ) -> R {
        let sc = &self.mods[m].scopes[fs];
        let mut params = FxHashMap::default();
        for (i, p) in sc.params.iter().enumerate() {
            if i == 0 && implicit_first(sc) {
                continue;
            }
            params.insert(p.name.clone(), self.site_arg(site, m, fs, i));
        }
        self.push_frame(m, fs, params);
        let out = f();
        self.pop_frame();
        out
    }
}

/// Whether a function's first parameter is a method's `self` or `cls`, which call sites
/// pass implicitly and no frame binds.
fn implicit_first(sc: &super::super::scope::Scope<'_>) -> bool {
    sc.class.is_some() && sc.method_kind != MethodKind::Static
}
