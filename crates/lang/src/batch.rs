//! Splitting a large folder analysed as one unit into batches closed under imports, so
//! that only one batch's syntax trees and analysis state are held at a time.
//!
//! Both front-ends hold every module's tree (and Python its scopes and bindings) until
//! the whole program is evaluated, because evaluation crosses modules lazily and call
//! sites anywhere give parameters their values. That is what makes the result exact,
//! and what makes a unit's peak memory grow with its size. But a module's facts depend
//! only on the modules connected to it by imports: it evaluates into the modules it
//! loads, and the call sites that reach its functions are in modules that load it. So
//! the import graph's connected components can be analysed apart, and a batch that is a
//! union of whole components gives each of its modules the facts the whole unit gives.
//!
//! Finding the components needs every file's imports first: a pass that reads each file
//! and finds its imports in the text, without parsing it (`python::imports::scan_imports`,
//! `javascript::resolve::scan_specifiers`), before the batches parse their files. The
//! text scan finds every import the parser does, and more (words in strings and
//! comments): more only joins components that could have been apart. Should a batch's
//! analysis still reach a module the first pass put elsewhere (an import the scan
//! missed), its language is analysed again as one unit ([`Batches::holds`]), so the
//! result never depends on the scan. Only a unit above [`BATCH_FILES`] files of one
//! language is split. A folder that turns out to be mostly one component (every handler
//! imports one shared library) would gain little from batches: the first pass stops as
//! soon as a component holds more than half the entries, and the folder is analysed as
//! one unit.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Files of one language above which a folder is analysed in batches, and the most files
/// a batch holds (unless one component is larger: it is never split). At 10,000 files of
/// one language a unit's analysis peaks at about 400 MB (docs/performance.md).
pub(crate) const BATCH_FILES: usize = 10_000;

/// The import graph as the first pass reads it, from the reading threads: each read
/// file with the files it loads, joined into components as they come.
pub(crate) struct Graph {
    sets: Mutex<Sets>,
    /// Members a component may reach before batching is given up.
    limit: usize,
    stopped: AtomicBool,
}

impl Graph {
    fn new(limit: usize) -> Graph {
        Graph {
            sets: Mutex::new(Sets::default()),
            limit,
            stopped: AtomicBool::new(false),
        }
    }

    /// Record that `file` (read) loads `loads`.
    pub(crate) fn record(&self, file: &str, loads: &[String]) {
        let mut sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        let a = sets.id(file);
        sets.count_read(a);
        for load in loads {
            let b = sets.id(load);
            sets.union(a, b);
        }
        if sets.members_of(a) > self.limit {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the first pass may stop: one component has more than half the entries.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

/// The entries, split into batches of at most `max` files that are unions of connected
/// components of the import graph, which `imports` records into the [`Graph`] it is
/// given (names as `key` gives an entry's). Batches come in the order of their first
/// entry, and each keeps its entries in the given order. A component is counted by the
/// files in it, entries or not; an entry the graph does not have (it could not be
/// read) is a component of its own. One batch of every entry when they are at most
/// `max`, or when a component has more than half of them (`imports` may stop early);
/// none when there is no entry.
pub(crate) fn plan(
    entries: &[String],
    max: usize,
    key: impl Fn(&str) -> String,
    imports: impl FnOnce(&Graph),
) -> Batches {
    let whole = || Batches {
        list: if entries.is_empty() {
            Vec::new()
        } else {
            vec![entries.to_vec()]
        },
        batch_of: HashMap::new(),
    };
    if entries.len() <= max {
        return whole();
    }
    let graph = Graph::new(entries.len() / 2);
    imports(&graph);
    if graph.stopped() {
        return whole();
    }
    let mut sets = graph.sets.into_inner().unwrap_or_else(|e| e.into_inner());
    // Components by their root, in the order of their first entry.
    let mut order: Vec<usize> = Vec::new();
    let mut members: HashMap<usize, Vec<&String>> = HashMap::new();
    for entry in entries {
        let id = sets.id(&key(entry));
        let root = sets.find(id);
        let list = members.entry(root).or_default();
        if list.is_empty() {
            order.push(root);
        }
        list.push(entry);
    }
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut batch_of_root: HashMap<usize, usize> = HashMap::new();
    let mut size = 0;
    for root in order {
        let files = sets.size(root).max(1);
        if batches.is_empty() || size + files > max {
            batches.push(Vec::new());
            size = 0;
        }
        size += files;
        batch_of_root.insert(root, batches.len() - 1);
        if let Some(batch) = batches.last_mut() {
            batch.extend(
                members
                    .remove(&root)
                    .unwrap_or_default()
                    .into_iter()
                    .cloned(),
            );
        }
    }
    // Entries keep their order within a batch (the front-ends sort what they need to).
    let position: BTreeMap<&String, usize> = entries.iter().zip(0..).collect();
    for batch in &mut batches {
        batch.sort_by_key(|e| position.get(e).copied().unwrap_or(usize::MAX));
    }
    let ids: Vec<(String, usize)> = sets.ids.drain().collect();
    let batch_of = ids
        .into_iter()
        .filter_map(|(name, id)| Some((name, *batch_of_root.get(&sets.find(id))?)))
        .collect();
    Batches {
        list: batches,
        batch_of,
    }
}

/// The batches of a unit's entries, and in which batch the first pass put each file.
#[derive(Debug)]
pub(crate) struct Batches {
    pub(crate) list: Vec<Vec<String>>,
    /// The batch of each file the first pass read or saw loaded, by its name in the
    /// graph; empty when the unit is one batch.
    batch_of: HashMap<String, usize>,
}

impl Batches {
    /// Whether the analysis of batch `i`, which reached `modules`, stayed in the batch:
    /// each of them is a file the first pass put there. Always true of a single batch.
    /// When false, the first pass missed an import, and the batches are not exact.
    pub(crate) fn holds<'m>(
        &self,
        i: usize,
        modules: impl IntoIterator<Item = &'m String>,
    ) -> bool {
        self.list.len() <= 1
            || modules
                .into_iter()
                .all(|m| self.batch_of.get(m.as_str()) == Some(&i))
    }
}

/// Disjoint sets over file names (union by size, path halving), counting the read
/// files in each.
#[derive(Default)]
struct Sets {
    ids: HashMap<String, usize>,
    parent: Vec<usize>,
    /// Parsed files in the set, valid at a root.
    files: Vec<usize>,
    /// Members, valid at a root (for union by size).
    members: Vec<usize>,
}

impl Sets {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.parent.len();
        self.ids.insert(name.to_string(), id);
        self.parent.push(id);
        self.files.push(0);
        self.members.push(1);
        id
    }

    /// Count `id` as a file the first pass read (a member may be only loaded).
    fn count_read(&mut self, id: usize) {
        let root = self.find(id);
        if let Some(files) = self.files.get_mut(root) {
            *files += 1;
        }
    }

    fn find(&mut self, mut id: usize) -> usize {
        while let Some(&parent) = self.parent.get(id) {
            if parent == id {
                break;
            }
            let grand = self.parent.get(parent).copied().unwrap_or(parent);
            if let Some(p) = self.parent.get_mut(id) {
                *p = grand;
            }
            id = grand;
        }
        id
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let size = |v: &Vec<usize>, i: usize| v.get(i).copied().unwrap_or(0);
        let (big, small) = if size(&self.members, a) >= size(&self.members, b) {
            (a, b)
        } else {
            (b, a)
        };
        if let Some(p) = self.parent.get_mut(small) {
            *p = big;
        }
        let (members, files) = (size(&self.members, small), size(&self.files, small));
        if let Some(m) = self.members.get_mut(big) {
            *m += members;
        }
        if let Some(f) = self.files.get_mut(big) {
            *f += files;
        }
    }

    fn size(&mut self, id: usize) -> usize {
        let root = self.find(id);
        self.files.get(root).copied().unwrap_or(0)
    }

    /// Names in the set, read or not.
    fn members_of(&mut self, id: usize) -> usize {
        let root = self.find(id);
        self.members.get(root).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    /// A first pass that records `edges` (each read file and what it loads), in order,
    /// stopping when the graph says so.
    fn pass<'e>(edges: &'e [(&'e str, &'e [&'e str])]) -> impl Fn(&Graph) + Clone + 'e {
        move |graph: &Graph| {
            for (file, loads) in edges {
                if graph.stopped() {
                    return;
                }
                graph.record(file, &names(loads));
            }
        }
    }

    #[test]
    fn a_unit_within_the_bound_is_one_batch_and_its_imports_are_not_read() {
        let entries = names(&["a.py", "b.py"]);
        let batches = plan(&entries, 2, str::to_string, |_| {
            panic!("the import graph is not needed")
        });
        assert_eq!(batches.list, vec![entries]);
        let none = plan(&[], 2, str::to_string, |_| panic!("nothing to read"));
        assert!(none.list.is_empty());
    }

    #[test]
    fn components_stay_whole_and_are_packed_in_entry_order() {
        // a–c–e are one component through the shared module lib/x.py (not an entry);
        // b and d are one through an import cycle; f to l stand alone.
        let entries = names(&[
            "a.py", "b.py", "c.py", "d.py", "e.py", "f.py", "g.py", "h.py", "i.py", "j.py", "k.py",
            "l.py",
        ]);
        let imports = pass(&[
            ("a.py", &["lib/x.py"]),
            ("c.py", &["lib/x.py"]),
            ("e.py", &["c.py"]),
            ("lib/x.py", &[]),
            ("b.py", &["d.py"]),
            ("d.py", &["b.py"]),
            ("f.py", &[]),
            ("g.py", &[]),
            ("h.py", &[]),
            ("i.py", &[]),
            ("j.py", &[]),
            ("k.py", &[]),
            ("l.py", &[]),
        ]);
        let batches = plan(&entries, 4, str::to_string, imports.clone());
        // {a, c, e, lib/x} is 4 files: a batch of its own; {b, d}, {f} and {g} share one.
        assert_eq!(
            batches.list,
            vec![
                names(&["a.py", "c.py", "e.py"]),
                names(&["b.py", "d.py", "f.py", "g.py"]),
                names(&["h.py", "i.py", "j.py", "k.py"]),
                names(&["l.py"]),
            ]
        );
        // A bound smaller than a component does not split it.
        // Each file is in its component's batch; an analysis that reaches past it (an
        // import the first pass missed) does not hold.
        let reached = |list: &[&str]| names(list);
        assert!(batches.holds(0, &reached(&["a.py", "lib/x.py", "e.py"])));
        assert!(batches.holds(1, &reached(&["d.py", "g.py"])));
        assert!(!batches.holds(0, &reached(&["a.py", "b.py"])));
        assert!(!batches.holds(3, &reached(&["l.py", "unseen.py"])));
        let batches = plan(&entries, 1, str::to_string, imports).list;
        assert_eq!(batches.len(), 9);
        assert_eq!(batches[0], names(&["a.py", "c.py", "e.py"]));
        assert_eq!(batches[1], names(&["b.py", "d.py"]));
        assert_eq!(batches[2], names(&["f.py"]));
    }

    #[test]
    fn entries_that_could_not_be_loaded_and_entry_spellings_are_kept() {
        // `./broken.py` is not in the graph (it could not be read): a batch still has
        // it, so its diagnostic is reported; `key` maps the entry to the graph's name.
        let entries = names(&["./a.py", "./broken.py", "./b.py", "./c.py", "./d.py"]);
        let imports = pass(&[
            ("a.py", &["b.py"]),
            ("b.py", &[]),
            ("c.py", &[]),
            ("d.py", &[]),
        ]);
        let key = |e: &str| e.trim_start_matches("./").to_string();
        let batches = plan(&entries, 2, key, imports);
        assert_eq!(
            batches.list,
            vec![
                names(&["./a.py", "./b.py"]),
                names(&["./broken.py", "./c.py"]),
                names(&["./d.py"])
            ]
        );
    }

    #[test]
    fn a_folder_that_is_mostly_one_component_is_one_batch_and_its_pass_stops() {
        // Six entries, all importing lib/x.py: once the component has more than three
        // members the pass stops (the last entries are never read) and nothing is split.
        let entries = names(&["a.py", "b.py", "c.py", "d.py", "e.py", "f.py"]);
        let read = std::sync::atomic::AtomicUsize::new(0);
        let edges: &[(&str, &[&str])] = &[
            ("a.py", &["lib/x.py"]),
            ("b.py", &["lib/x.py"]),
            ("c.py", &["lib/x.py"]),
            ("d.py", &["lib/x.py"]),
            ("e.py", &["lib/x.py"]),
            ("f.py", &["lib/x.py"]),
        ];
        let batches = plan(&entries, 2, str::to_string, |graph| {
            for (file, loads) in edges {
                if graph.stopped() {
                    return;
                }
                read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                graph.record(file, &names(loads));
            }
        });
        assert_eq!(batches.list, vec![entries.clone()]);
        assert!(batches.holds(0, &entries));
        // a, b, c and lib/x.py are four members, more than 6 / 2.
        assert_eq!(read.into_inner(), 3);
    }
}
