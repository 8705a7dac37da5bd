//! The order of analysis: modules after the modules they import, in parallel.
//!
//! [`schedule`] orders the modules in *waves*: a module comes in a wave after every
//! module it imports, and where no module is ready an import cycle is broken by taking
//! one module alone. The order defines what each module sees: this pass's publication
//! of a module of an earlier wave, and otherwise what an earlier pass published (the
//! seed), or nothing. That is the whole semantics; [`run_waves`] is free to run the
//! modules in any order that gives each one the same view.
//!
//! A wave of one module would run alone, and a large import cycle is made of them: the
//! 2,440 modules of aws-cdk-lib came in 1,759 waves, on one thread. So [`run_waves`]
//! runs in *rounds* instead: a module runs as soon as the modules of earlier waves it
//! imports are analysed (a few dozen rounds there). A module may also read what it
//! did not import (a value that came from another module: a class's base, a
//! function's result); every read goes through [`Deps`], which answers as the wave
//! order says, and notes a read of a module of an earlier wave that has not been
//! analysed yet. Such a module's result is dropped, and it runs again in a later round,
//! once what it missed is analysed. Each module's result is thus the one the waves give
//! it, whatever ran alongside; rounds depend only on the import graph and what was
//! missed, so the work done is the same on every run too.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::scope::Published;
use super::{ModuleOut, Modules, Parsed, analyze_module};

/// What each module published, by file.
pub(super) type Publications = HashMap<String, Arc<Published>>;

/// The order of analysis (see [`schedule`]).
#[derive(Debug)]
pub(super) struct Plan {
    /// The modules, wave by wave.
    modules: Vec<String>,
    /// Each module's wave: it sees this pass's publications of earlier waves only.
    wave: Vec<usize>,
    /// The modules each module imports (not itself), by index.
    imports: Vec<Vec<usize>>,
    /// Whether an import cycle had to be broken.
    pub cyclic: bool,
    /// The modules another module imports: what they publish is looked up later
    /// (directly, or through a value that came from them). What the others publish
    /// reaches no other module.
    imported: BTreeSet<String>,
}

/// The waves of analysis. When no module is ready, an import cycle is broken by taking
/// one module alone: the one waiting for the fewest others, preferring one that is not
/// an entry (entries are where handlers live), then the first by name. Depends only on
/// the import graph, so every pass over the modules runs in the same order.
///
/// Each module's count of imports not yet scheduled is kept up to date as modules are
/// scheduled, and the remaining modules are kept ordered by the cycle-breaking key:
/// recounting them at every break made this quadratic (aws-cdk-lib's cycle is broken
/// 1,759 times among 2,440 modules).
pub(super) fn schedule(
    imports: &BTreeMap<&String, Vec<&String>>,
    entry_set: &BTreeSet<String>,
) -> Plan {
    let imported = imports.values().flatten().map(|f| (*f).clone()).collect();
    // Modules by index in name order (the map's), and each one's imports by index.
    let index: HashMap<&String, usize> = imports.keys().enumerate().map(|(i, f)| (*f, i)).collect();
    let deps: Vec<Vec<usize>> = imports
        .values()
        .map(|deps| deps.iter().filter_map(|d| index.get(*d).copied()).collect())
        .collect();
    let mut importers: Vec<Vec<usize>> = vec![Vec::new(); deps.len()];
    for (i, deps) in deps.iter().enumerate() {
        for &d in deps {
            importers[d].push(i);
        }
    }
    let is_entry: Vec<bool> = imports.keys().map(|f| entry_set.contains(*f)).collect();
    let mut undone: Vec<usize> = deps.iter().map(Vec::len).collect();
    // The modules not scheduled, by (imports not scheduled, is an entry, name).
    let mut remaining: BTreeSet<(usize, bool, usize)> = (0..deps.len())
        .map(|i| (undone[i], is_entry[i], i))
        .collect();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    let mut cyclic = false;
    while let Some(&first) = remaining.first() {
        let mut wave: Vec<usize> = remaining
            .iter()
            .take_while(|(undone, _, _)| *undone == 0)
            .map(|&(_, _, i)| i)
            .collect();
        if wave.is_empty() {
            cyclic = true;
            wave.push(first.2);
        }
        wave.sort_unstable();
        for &m in &wave {
            remaining.remove(&(undone[m], is_entry[m], m));
        }
        for &m in &wave {
            for &importer in &importers[m] {
                if remaining.remove(&(undone[importer], is_entry[importer], importer)) {
                    undone[importer] -= 1;
                    remaining.insert((undone[importer], is_entry[importer], importer));
                }
            }
        }
        waves.push(wave);
    }
    let files: Vec<&String> = imports.keys().copied().collect();
    let order: Vec<usize> = waves.iter().flatten().copied().collect();
    let mut place = vec![0; files.len()];
    for (p, &m) in order.iter().enumerate() {
        place[m] = p;
    }
    Plan {
        modules: order.iter().map(|&m| files[m].clone()).collect(),
        wave: waves
            .iter()
            .enumerate()
            .flat_map(|(w, wave)| wave.iter().map(move |_| w))
            .collect(),
        imports: order
            .iter()
            .map(|&m| deps[m].iter().map(|&d| place[d]).collect())
            .collect(),
        cyclic,
        imported,
    }
}

/// Each module's imports among the modules analysed (not itself), from what `modules`
/// holds for each file and the files `deps` says it imports.
pub(super) fn imports_of<'m, T>(
    modules: &'m BTreeMap<String, T>,
    deps: impl Fn(&'m T) -> Vec<&'m String>,
) -> BTreeMap<&'m String, Vec<&'m String>> {
    modules
        .iter()
        .map(|(file, m)| {
            let deps = deps(m)
                .into_iter()
                .filter(|dep| *dep != file && modules.contains_key(*dep))
                .collect();
            (file, deps)
        })
        .collect()
}

/// A module of a pass: not analysed yet, or analysed with what it published (`None`
/// when nothing reads it later, or it could not be loaded: its importers see the seed's).
#[derive(Debug)]
enum Slot {
    Pending,
    Done(Option<Arc<Published>>),
}

/// What a module sees of the others' publications while it is analysed: this pass's
/// publication of a module of an earlier wave, else the seed's.
#[derive(Debug)]
pub(crate) struct Deps<'v> {
    /// What an earlier pass published (empty in a first pass).
    seed: &'v Publications,
    pass: Option<Pass<'v>>,
}

/// The pass a module is analysed in (see [`Deps`]).
#[derive(Debug)]
struct Pass<'v> {
    index: &'v HashMap<&'v str, usize>,
    plan: &'v Plan,
    slots: &'v [Slot],
    /// The wave of the module analysed.
    wave: usize,
    /// Modules of earlier waves it read before they were analysed.
    missed: RefCell<Vec<usize>>,
}

impl<'v> Deps<'v> {
    /// What a module analysed alone sees: `seed`.
    #[cfg(test)]
    pub(super) fn new(seed: &'v Publications) -> Deps<'v> {
        Deps { seed, pass: None }
    }

    /// What `file` published, as the module analysed sees it.
    pub(crate) fn get(&self, file: &str) -> Option<&'v Arc<Published>> {
        if let Some(pass) = &self.pass
            && let Some(&i) = pass.index.get(file)
            && pass.plan.wave.get(i).is_some_and(|&w| w < pass.wave)
        {
            match pass.slots.get(i) {
                Some(Slot::Done(Some(published))) => return Some(published),
                Some(Slot::Done(None)) => {}
                Some(Slot::Pending) | None => pass.missed.borrow_mut().push(i),
            }
        }
        self.seed.get(file)
    }
}

/// How [`run_waves`] runs the modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// In rounds, in parallel (see the module docs).
    Rounds,
    /// One at a time in the plan's order: what the waves say each module sees, read
    /// literally. The tests hold the rounds to it.
    #[cfg(test)]
    InPlanOrder,
}

/// What [`run_waves`] gives.
pub(super) struct Ran {
    /// Each module's results, by file.
    pub outs: BTreeMap<String, ModuleOut>,
    /// What was published: by every module if the modules were kept, else by the
    /// imported ones; the seed's for the others.
    pub published: Publications,
    /// Analyses dropped because the module read one that was not analysed yet.
    pub reruns: usize,
}

/// How one module's analysis in a round ended.
enum Outcome {
    Done(Box<ModuleOut>, Option<Arc<Published>>, Option<Parsed>),
    /// It read modules of earlier waves that were not analysed yet: it runs again.
    Missed(Vec<usize>, Parsed),
    /// It could not be loaded.
    Unloaded,
}

/// Analyse the modules as the plan's waves order them (see the module docs). `seed`
/// holds what an earlier pass published, for imports not analysed yet in this one.
/// Each module's tree is dropped once it is analysed, unless `keep` (for a second
/// pass), which also keeps what every module published.
pub(super) fn run_waves(
    mut modules: Modules<'_, '_>,
    plan: &Plan,
    entry_set: &BTreeSet<String>,
    seed: &Publications,
    keep: bool,
    order: Order,
) -> Ran {
    let lean = match &modules {
        Modules::Load(lean) => Some(*lean),
        Modules::Parsed(_) => None,
    };
    let index: HashMap<&str, usize> = plan
        .modules
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    // Each module's tree, or `None` for one to load on the analysing thread.
    let mut held: Vec<Option<Parsed>> = match &mut modules {
        Modules::Parsed(parsed) => plan.modules.iter().map(|f| parsed.remove(f)).collect(),
        Modules::Load(_) => plan.modules.iter().map(|_| None).collect(),
    };
    // What each module waits for: its imports of earlier waves, and what it missed.
    let mut needs: Vec<Vec<usize>> = plan
        .imports
        .iter()
        .zip(&plan.wave)
        .map(|(deps, &w)| {
            deps.iter()
                .copied()
                .filter(|&d| plan.wave.get(d).is_some_and(|&dw| dw < w))
                .collect()
        })
        .collect();
    let mut slots: Vec<Slot> = plan.modules.iter().map(|_| Slot::Pending).collect();
    let mut outs: BTreeMap<String, ModuleOut> = BTreeMap::new();
    let mut remaining: Vec<usize> = (0..plan.modules.len()).collect();
    let mut reruns = 0;
    while !remaining.is_empty() {
        let ready: Vec<usize> = match order {
            // Never empty: the remaining modules of the lowest wave wait for nothing,
            // as every module of an earlier wave is done.
            Order::Rounds => {
                let (ready, waiting) = remaining.iter().partition(|&&m| {
                    needs[m]
                        .iter()
                        .all(|&d| matches!(slots.get(d), Some(Slot::Done(_))))
                });
                remaining = waiting;
                ready
            }
            #[cfg(test)]
            Order::InPlanOrder => {
                remaining.sort_unstable();
                vec![remaining.remove(0)]
            }
        };
        let taken: Vec<(usize, Option<Parsed>)> =
            ready.iter().map(|&m| (m, held[m].take())).collect();
        // One module at a time: modules differ in size a hundredfold (see Python's
        // `facts`); kept indexed, so the results are written in place.
        let results: Vec<(usize, Outcome)> = taken
            .into_par_iter()
            .with_max_len(1)
            .map(|(m, p)| {
                let file = &plan.modules[m];
                let Some(p) = p.or_else(|| lean?.load(file)) else {
                    return (m, Outcome::Unloaded);
                };
                let deps = Deps {
                    seed,
                    pass: Some(Pass {
                        index: &index,
                        plan,
                        slots: &slots,
                        wave: plan.wave[m],
                        missed: RefCell::new(Vec::new()),
                    }),
                };
                let (out, published) = analyze_module(file, &p, &deps, entry_set.contains(file));
                let missed = deps.pass.map(|pass| pass.missed.into_inner());
                if let Some(mut missed) = missed.filter(|m| !m.is_empty()) {
                    missed.sort_unstable();
                    missed.dedup();
                    return (m, Outcome::Missed(missed, p));
                }
                // Not kept: dropped here, on the analysing thread.
                let p = keep.then_some(p);
                let published = (keep || plan.imported.contains(file)).then(|| Arc::new(published));
                (m, Outcome::Done(Box::new(out), published, p))
            })
            .collect();
        for (m, outcome) in results {
            match outcome {
                Outcome::Done(out, published, p) => {
                    held[m] = p;
                    slots[m] = Slot::Done(published);
                    outs.insert(plan.modules[m].clone(), *out);
                }
                Outcome::Missed(missed, p) => {
                    reruns += 1;
                    held[m] = Some(p);
                    needs[m].extend(missed);
                    remaining.push(m);
                }
                Outcome::Unloaded => slots[m] = Slot::Done(None),
            }
        }
    }
    if let Modules::Parsed(parsed) = &mut modules {
        for (file, p) in plan.modules.iter().zip(held) {
            if let Some(p) = p {
                parsed.insert(file.clone(), p);
            }
        }
    }
    let mut published = seed.clone();
    for (file, slot) in plan.modules.iter().zip(slots) {
        if let Slot::Done(Some(p)) = slot {
            published.insert(file.clone(), p);
        }
    }
    Ran {
        outs,
        published,
        reruns,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    /// The waves as [`super::schedule`] defines them, recounting every module's imports
    /// not yet scheduled at every step.
    fn recounted(
        imports: &BTreeMap<&String, Vec<&String>>,
        entry_set: &BTreeSet<String>,
    ) -> (Vec<Vec<String>>, bool) {
        let mut done: BTreeSet<&String> = BTreeSet::new();
        let mut remaining: BTreeSet<&String> = imports.keys().copied().collect();
        let undone = |file: &String, done: &BTreeSet<&String>| {
            imports
                .get(file)
                .map_or(0, |deps| deps.iter().filter(|d| !done.contains(*d)).count())
        };
        let (mut waves, mut cyclic) = (Vec::new(), false);
        while !remaining.is_empty() {
            let mut ready: Vec<&String> = remaining
                .iter()
                .copied()
                .filter(|file| undone(file, &done) == 0)
                .collect();
            if ready.is_empty() {
                cyclic = true;
                ready.extend(
                    remaining
                        .iter()
                        .copied()
                        .min_by_key(|f| (undone(f, &done), entry_set.contains(*f), *f)),
                );
            }
            for file in &ready {
                remaining.remove(*file);
                done.insert(*file);
            }
            waves.push(ready.into_iter().cloned().collect());
        }
        (waves, cyclic)
    }

    proptest! {
        /// On any import graph (cycles, repeated imports, entries anywhere), the waves
        /// are the ones recounting gives, and each module's imports are where the plan
        /// says.
        #[test]
        fn schedule_gives_the_waves_recounting_gives(
            edges in proptest::collection::vec((0usize..24, 0usize..24), 0..80),
            entries in proptest::collection::btree_set(0usize..24, 0..6),
            n in 1usize..24,
        ) {
            let files: Vec<String> = (0..n).map(|i| format!("m{i:02}.js")).collect();
            let mut graph: BTreeMap<&String, Vec<&String>> =
                files.iter().map(|f| (f, Vec::new())).collect();
            for (a, b) in edges {
                if a < n && b < n && a != b {
                    graph.entry(&files[a]).or_default().push(&files[b]);
                }
            }
            let entry_set: BTreeSet<String> =
                entries.iter().filter(|&&e| e < n).map(|&e| files[e].clone()).collect();
            let plan = super::schedule(&graph, &entry_set);
            let mut waves: Vec<Vec<String>> = Vec::new();
            for (file, &w) in plan.modules.iter().zip(&plan.wave) {
                if waves.len() <= w {
                    waves.push(Vec::new());
                }
                waves[w].push(file.clone());
            }
            prop_assert_eq!((waves, plan.cyclic), recounted(&graph, &entry_set));
            for (m, deps) in plan.imports.iter().enumerate() {
                let named: Vec<&String> = deps.iter().map(|&d| &plan.modules[d]).collect();
                prop_assert_eq!(&named, &graph[&plan.modules[m]]);
            }
        }
    }
}
