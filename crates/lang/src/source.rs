//! Reading source files defensively: size limit, binary detection, UTF-8 with a
//! lossy fallback. Every problem becomes a [`Diagnostic`], never a panic or an `Err`
//! that stops the scan.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::facts::{Code, Diagnostic, Level, Location};
use crate::syntax::{self, Grammar, Tree};
pub use leastrole_core::Confine;

/// Files larger than this are skipped with a diagnostic. Hand-written Lambda sources
/// are far smaller; a bigger file is almost always generated or bundled.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// A source file read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the analysis root, `/`-separated.
    pub rel: String,
    pub text: String,
    /// What the reader noticed but read through (invalid UTF-8), for the front-end to
    /// report with the file's other diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Read `root/rel`. Returns the file, or a diagnostic naming it and saying why not.
pub fn read_source(root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    read_file(root, rel, false)
}

/// [`read_source`]; `listed_file`: the folder's listing showed a regular file there
/// (symlinks followed), so it is opened without first asking the path whether it is
/// one. Asking guards the open, which would wait for a writer on a FIFO; either way the
/// open file's own metadata decides whether it is read.
fn read_file(root: &Path, rel: &str, listed_file: bool) -> Result<SourceFile, Diagnostic> {
    let path = root.join(rel);
    let at = || {
        Some(Location {
            file: rel.to_string(),
            line: 1,
            column: 1,
        })
    };
    let unreadable = |e: std::io::Error| {
        Diagnostic::new(
            Level::Warning,
            Code::UnreadableFile,
            format!("cannot read {rel}: {e}"),
            at(),
        )
    };
    let not_regular = || {
        Diagnostic::new(
            Level::Warning,
            Code::UnreadableFile,
            format!("{rel} is not a regular file"),
            at(),
        )
    };
    if !listed_file && !std::fs::metadata(&path).map_err(unreadable)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(&path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::new(
            Level::Warning,
            Code::FileTooLarge,
            format!(
                "skipped {rel}: {} bytes is over the {} byte limit for source files",
                meta.len(),
                MAX_SOURCE_BYTES
            ),
            at(),
        ));
    }
    // The length is at most MAX_SOURCE_BYTES; a file that grew since is read whole.
    // Through `take`, because `File`'s own `read_to_end` asks the length and the
    // position again.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(u64::MAX)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    decode(rel, bytes)
}

/// Decode file bytes: NUL bytes mean binary (skipped); invalid UTF-8 is decoded lossily
/// with a diagnostic by the caller's choice. Returns the text or the reason it is skipped.
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
    let at = Some(Location {
        file: rel.to_string(),
        line: 1,
        column: 1,
    });
    if bytes.get(..8192).unwrap_or(&bytes).contains(&0) {
        return Err(Diagnostic::new(
            Level::Warning,
            Code::BinaryFile,
            format!("skipped {rel}: it looks binary (contains NUL bytes)"),
            at,
        ));
    }
    let mut diagnostics = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = bytes.get(..valid).unwrap_or_default();
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            diagnostics.push(Diagnostic::new(
                Level::Warning,
                Code::InvalidUtf8,
                format!(
                    "{rel} is not valid UTF-8 (first bad byte at line {line}, column {column}); it was read with replacement characters, so strings containing those bytes are not matched exactly"
                ),
                Some(Location {
                    file: rel.to_string(),
                    line: u32::try_from(line).unwrap_or(u32::MAX),
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                }),
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    Ok(SourceFile {
        rel: rel.to_string(),
        text,
        diagnostics,
    })
}

/// A source file read and parsed with the grammar its extension names.
#[derive(Debug)]
pub(crate) struct ParsedSource {
    pub text: String,
    pub tree: Tree,
    /// What the reader noticed but read through (see [`SourceFile::diagnostics`]).
    pub diagnostics: Vec<Diagnostic>,
}

type Loaded = Result<Arc<ParsedSource>, Diagnostic>;

/// Values computed once per (code root, path relative to it), shared between threads.
/// Two levels, root then path, so that a lookup allocates nothing. A slot is filled
/// outside the lock, so different keys are computed in parallel; a second caller for
/// the same key waits for the first one's value.
#[derive(Debug)]
struct Memo<V>(Mutex<FxHashMap<OsString, Slots<V>>>);

/// One root's slots, by relative path.
type Slots<V> = FxHashMap<String, Arc<OnceLock<V>>>;

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo(Mutex::new(FxHashMap::default()))
    }
}

impl<V: Clone> Memo<V> {
    fn get_or_init(&self, root: &Path, rel: &str, init: impl FnOnce() -> V) -> V {
        // Roots are keyed by their bytes: hashing a `Path` walks its components.
        let root = root.as_os_str();
        let cell = {
            // A panic elsewhere while the lock was held cannot leave the map half
            // updated (each step is one insert), so a poisoned lock is still usable.
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let hit = map.get(root).and_then(|slots| slots.get(rel)).cloned();
            hit.unwrap_or_else(|| {
                Arc::clone(
                    map.entry(root.to_os_string())
                        .or_default()
                        .entry(rel.to_string())
                        .or_default(),
                )
            })
        };
        cell.get_or_init(init).clone()
    }
}

/// The entries of a folder by name: (is a file, is a folder), symlinks followed, and
/// whether the entry is a symlink. A name that is not UTF-8 is left out: no module is
/// imported by such a name.
#[derive(Debug, Default)]
pub(crate) struct Listing(FxHashMap<String, Entry>);

/// One entry of a [`Listing`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Entry {
    /// A regular file, symlinks followed.
    file: bool,
    /// A folder, symlinks followed.
    dir: bool,
    /// A symlink itself (or an entry whose type could not be read): where it leads is
    /// not where its folder is.
    link: bool,
}

impl Listing {
    fn read(dir: &Path) -> Listing {
        let mut names = FxHashMap::default();
        if let Ok(read) = std::fs::read_dir(dir) {
            for entry in read.flatten() {
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let found = match entry.file_type() {
                    Ok(t) if t.is_symlink() => {
                        let (file, dir) = path_kind(&entry.path());
                        Entry {
                            file,
                            dir,
                            link: true,
                        }
                    }
                    Ok(t) => Entry {
                        file: t.is_file(),
                        dir: t.is_dir(),
                        link: false,
                    },
                    Err(_) => Entry {
                        link: true,
                        ..Entry::default()
                    },
                };
                names.insert(name, found);
            }
        }
        Listing(names)
    }

    /// (is a file, is a folder) of the entry `name`; neither if there is none.
    pub fn kind(&self, name: &str) -> (bool, bool) {
        self.entry(name).map_or((false, false), |e| (e.file, e.dir))
    }

    pub fn is_file(&self, name: &str) -> bool {
        self.kind(name).0
    }

    /// The entry `name`, if there is one.
    fn entry(&self, name: &str) -> Option<Entry> {
        self.0.get(name).copied()
    }

    /// Every entry: name, (is a file, is a folder); in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, (bool, bool))> {
        self.0
            .iter()
            .map(|(name, e)| (name.as_str(), (e.file, e.dir)))
    }
}

/// (is a file, is a folder) of a path, following symlinks; neither if it cannot be read.
pub(crate) fn path_kind(path: &Path) -> (bool, bool) {
    match std::fs::metadata(path) {
        Ok(m) => (m.is_file(), m.is_dir()),
        Err(_) => (false, false),
    }
}

/// Where the front-ends get their files and folder listings. [`Sources::default`] reads
/// and parses a file each time it is asked for it; [`Sources::cached`] keeps every file
/// it loaded, so that the analyses of several functions reaching the same modules (a
/// Serverless project's handlers and their shared code) read and parse each file once.
/// Folder listings (for resolving imports) are always kept: they are small, every
/// import asks for a few, and a Serverless project's functions ask for the same ones
/// (5,000 handlers in one folder would otherwise read that folder 5,000 times).
///
/// What is kept does not depend on who asked first: the text, the syntax tree and the
/// reader's diagnostics of one file; the entries of one folder. A cache holds every
/// tree it loaded until it is dropped (12 bytes a node, about 6.5 KB for a 1.6 KB file).
#[derive(Debug, Default)]
pub struct Sources {
    /// Loaded files, when cached.
    files: Option<Memo<Loaded>>,
    /// Folder listings, by folder relative to the code root.
    listings: Memo<Arc<Listing>>,
    /// The folders files may be read from.
    confine: Confine,
    /// Whether `confine` admits a folder (relative to the code root), asked once per
    /// folder: see [`Sources::may_read`].
    admitted: Memo<bool>,
}

impl Sources {
    /// A cache of every file loaded through it, safe to share between threads.
    pub fn cached() -> Sources {
        Sources {
            files: Some(Memo::default()),
            ..Sources::default()
        }
    }

    /// These sources, reading only files `confine` admits.
    #[must_use]
    pub fn within(self, confine: Confine) -> Sources {
        Sources { confine, ..self }
    }

    /// Whether files may be read at `path` (see [`Confine::admits`]).
    pub(crate) fn admits(&self, path: &Path) -> bool {
        self.confine.admits(path)
    }

    /// The entries of the folder `root/dir` (`dir` relative, `/`-separated, `""` for
    /// the root), read once; empty if it cannot be read.
    pub(crate) fn listing(&self, root: &Path, dir: &str) -> Arc<Listing> {
        self.listings.get_or_init(root, dir, || {
            let path = if dir.is_empty() {
                root.to_path_buf()
            } else {
                root.join(dir)
            };
            Arc::new(Listing::read(&path))
        })
    }

    /// The folders listed so far (relative to their root), sorted: what resolution
    /// really visited.
    #[cfg(test)]
    pub(crate) fn listed(&self) -> Vec<String> {
        let map = self.listings.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut dirs: Vec<String> = map.values().flat_map(|s| s.keys().cloned()).collect();
        dirs.sort();
        dirs
    }

    /// `root/rel` read (see [`read_source`]), if `confine` admits it.
    pub(crate) fn read(&self, root: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let entry = self.listing(root, dir).entry(name);
        let here = entry.is_some_and(|e| !e.link);
        if !self.may_read(root, rel, dir, here) {
            return Err(self.confine.refusal(
                rel,
                Some(Location {
                    file: rel.to_string(),
                    line: 1,
                    column: 1,
                }),
            ));
        }
        read_file(root, rel, entry.is_some_and(|e| e.file))
    }

    /// Whether `confine` admits `root/rel`, in the folder `dir`; `here`: its folder's
    /// listing shows it is no symlink. Then its real path is its folder's and its name,
    /// so the folder's real path decides, found once per folder: a file's own
    /// (`canonicalize`) asks the file system about every component of its path.
    fn may_read(&self, root: &Path, rel: &str, dir: &str, here: bool) -> bool {
        if self.confine.is_unconfined() {
            return true;
        }
        if here {
            return self
                .admitted
                .get_or_init(root, dir, || self.confine.admits(&root.join(dir)));
        }
        self.confine.admits(&root.join(rel))
    }

    /// `root/rel` read (see [`Sources::read`]) and parsed; the grammar follows the
    /// extension. An unreadable file, or one no grammar could parse, is a diagnostic.
    pub(crate) fn load(&self, root: &Path, rel: &str) -> Loaded {
        let read = || parse(rel, self.read(root, rel)?);
        match &self.files {
            Some(files) => files.get_or_init(root, rel, read),
            None => read(),
        }
    }
}

fn parse(rel: &str, source: SourceFile) -> Loaded {
    let parse_failed = |what: &str| {
        Diagnostic::new(
            Level::Warning,
            Code::ParseFailed,
            format!("{what} could not run on {rel}"),
            Some(Location {
                file: rel.to_string(),
                line: 1,
                column: 1,
            }),
        )
    };
    let grammar = Grammar::of_path(rel).ok_or_else(|| parse_failed("no parser"))?;
    let tree = syntax::parse(grammar, &source.text)
        .ok_or_else(|| parse_failed(&format!("the {} parser", grammar.name())))?;
    Ok(Arc::new(ParsedSource {
        text: source.text,
        tree,
        diagnostics: source.diagnostics,
    }))
}

/// `text` parsed with the grammar `rel`'s extension names and copied into the compact
/// tree, as a file is loaded; the number of nodes, `None` if no grammar parses it. For
/// the scale benchmark's `convert` stage (crates/cli/benches/scale.rs), which shows what
/// the copy costs above tree-sitter's parse; not an API.
#[doc(hidden)]
pub fn parse_and_convert(rel: &str, text: &str) -> Option<usize> {
    let grammar = Grammar::of_path(rel)?;
    syntax::parse(grammar, text).map(|tree| tree.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_skipped_with_a_diagnostic() {
        let d = decode("a.py", b"import boto3\0\0".to_vec()).unwrap_err();
        assert_eq!(d.code, "binary-file");
        assert!(d.message.contains("a.py"));
    }

    #[test]
    fn only_the_first_8_kb_are_searched_for_nul_bytes() {
        let mut late = vec![b'#'; 8192];
        late.push(0);
        assert!(decode("a.py", late).is_ok());
        let mut last = vec![b'#'; 8191];
        last.push(0);
        assert_eq!(decode("a.py", last).unwrap_err().code, "binary-file");
        assert_eq!(decode("a.py", vec![0]).unwrap_err().code, "binary-file");
        assert!(decode("a.py", Vec::new()).is_ok());
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let f = decode("a.py", b"y = 1\nx = '\xff'\n".to_vec()).unwrap();
        assert!(f.text.contains('\u{fffd}'));
        let [d] = f.diagnostics.as_slice() else {
            panic!("{:?}", f.diagnostics)
        };
        assert_eq!(d.code, "invalid-utf8");
        assert!(d.message.contains("a.py"), "{}", d.message);
        assert!(d.message.contains("line 2, column 6"), "{}", d.message);
    }

    #[test]
    fn a_cache_loads_each_file_once() {
        let dir = std::env::temp_dir().join(format!("leastrole-sources-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.py"), "import boto3\n").unwrap();
        std::fs::write(dir.join("b.js"), "const a = 1;\0").unwrap();

        let cached = Sources::cached();
        let first = cached.load(&dir, "a.py").unwrap();
        let again = cached.load(&dir, "a.py").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.text, "import boto3\n");
        assert_eq!(first.tree.root_node().kind(), "module");
        // Failures are kept too, and say the same thing each time.
        let binary = cached.load(&dir, "b.js").unwrap_err();
        assert_eq!(binary.code, "binary-file");
        assert_eq!(cached.load(&dir, "b.js").unwrap_err(), binary);
        assert_eq!(
            cached.load(&dir, "missing.py").unwrap_err().code,
            "unreadable-file"
        );

        let uncached = Sources::default();
        let one = uncached.load(&dir, "a.py").unwrap();
        let two = uncached.load(&dir, "a.py").unwrap();
        assert!(!Arc::ptr_eq(&one, &two));
        assert_eq!(one.text, two.text);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn folder_listings_are_read_once_and_follow_symlinks() {
        let dir = std::env::temp_dir().join(format!("leastrole-listing-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/mod.py"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("mod.py", dir.join("pkg/link.py")).unwrap();
            std::os::unix::fs::symlink(".", dir.join("pkg/here")).unwrap();
            std::os::unix::fs::symlink("gone.py", dir.join("pkg/dangling.py")).unwrap();
        }

        let sources = Sources::default();
        let pkg = sources.listing(&dir, "pkg");
        assert_eq!(pkg.kind("mod.py"), (true, false));
        assert_eq!(pkg.kind("missing.py"), (false, false));
        #[cfg(unix)]
        {
            assert!(pkg.is_file("link.py"));
            assert_eq!(pkg.kind("here"), (false, true));
            assert!(!pkg.is_file("dangling.py"));
        }
        assert_eq!(sources.listing(&dir, "").kind("pkg"), (false, true));
        // Kept: asked again, the same listing, even after the folder changed.
        std::fs::write(dir.join("pkg/new.py"), "").unwrap();
        let again = sources.listing(&dir, "pkg");
        assert!(Arc::ptr_eq(&pkg, &again));
        assert!(!again.is_file("new.py"));
        // A folder that cannot be read lists nothing.
        assert!(!sources.listing(&dir, "nowhere").is_file("mod.py"));
        // Another Sources reads the folder afresh.
        assert!(Sources::cached().listing(&dir, "pkg").is_file("new.py"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A confined read decides by the folder's real path for a file that is no symlink,
    /// and by the file's own for one that is: each way, a file whose real path leaves
    /// the project is refused, and one that stays in it is read; a FIFO is refused
    /// without waiting for a writer.
    #[cfg(unix)]
    #[test]
    fn confined_reads_refuse_whatever_leads_outside_and_read_the_rest() {
        use std::os::unix::fs::symlink;
        let base = std::env::temp_dir().join(format!("leastrole-confine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (project, outside) = (base.join("project"), base.join("outside"));
        std::fs::create_dir_all(project.join("src")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(project.join("src/app.py"), "inside = 1\n").unwrap();
        std::fs::write(outside.join("secret.py"), "secret = 1\n").unwrap();
        symlink(outside.join("secret.py"), project.join("src/secret.py")).unwrap();
        symlink(&outside, project.join("out")).unwrap();
        symlink(project.join("src"), project.join("again")).unwrap();
        symlink("app.py", project.join("src/alias.py")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(project.join("src/pipe.py"))
            .status()
            .is_ok_and(|s| s.success());

        let confined =
            Sources::default().within(Confine::new(std::slice::from_ref(&project), "the project"));
        let code = |rel: &str| confined.read(&project, rel).map_err(|d| d.code);
        for rel in [
            "src/app.py",
            "src/alias.py",
            "again/app.py",
            "again/alias.py",
        ] {
            assert_eq!(
                code(rel).map(|f| f.text),
                Ok("inside = 1\n".into()),
                "{rel}"
            );
        }
        for rel in ["src/secret.py", "out/secret.py", "again/secret.py"] {
            assert_eq!(
                code(rel).map(|f| f.text),
                Err("outside-project".into()),
                "{rel}"
            );
        }
        assert_eq!(
            code("src/missing.py").map(|f| f.text),
            Err("unreadable-file".into())
        );
        if fifo {
            // Opening it would wait for a writer: never opened.
            assert_eq!(
                code("src/pipe.py").map(|f| f.text),
                Err("unreadable-file".into())
            );
            assert_eq!(
                read_source(&project, "src/pipe.py")
                    .map_err(|d| d.code)
                    .map(|f| f.text),
                Err("unreadable-file".into())
            );
        }
        // Unconfined, everything is read.
        let open = Sources::default();
        assert!(open.read(&project, "out/secret.py").is_ok());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn the_bench_entry_converts_as_a_load_does() {
        let text = "import boto3\n\ndef handler(event, ctx):\n    return 1\n";
        let tree = syntax::parse(Grammar::Python, text).map(|t| t.len());
        assert!(tree.is_some_and(|n| n > 10));
        assert_eq!(parse_and_convert("a/b.py", text), tree);
        assert_eq!(parse_and_convert("a/b.txt", text), None);
    }

    #[test]
    fn bom_is_stripped() {
        let f = decode("a.js", "\u{feff}const a = 1;".as_bytes().to_vec()).unwrap();
        assert!(f.text.starts_with("const"));
    }
}
