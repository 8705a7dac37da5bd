//! Benchmark: leastrole at monorepo scale, on a corpus it generates.
//!
//! `cargo bench -p leastrole --bench scale` writes two deterministic corpora of N
//! files for N = 1,000 and 10,000, and measures each in the same process, on the same
//! files:
//!
//! - `services`: a Lambda monorepo (Python/JavaScript/TypeScript 45/35/20, handlers in
//!   50 service folders one level deep and shared modules under `lib/`, about 1.6 KB a
//!   file; see `corpus/mod.rs`), as a plain folder and with a `serverless.yml`;
//! - `nested`: many small projects nested two to five folders deep, each with its own
//!   `package.json` or `requirements.txt`, shared folders at several depths, and
//!   imports that miss (`corpus/nested.rs`), as a plain folder (the layout of a real
//!   repository of examples, where issue 20 measured 3.8x the parse floor).
//!
//! Stages:
//!
//! - `read`: every file into memory (parallel over files);
//! - `parse`: tree-sitter parsing only, the right grammar per file, no facts (parallel
//!   over files, one parser per thread): with `read`, the floor;
//! - `walk`: `parse` and one visit of every node with tree-sitter's cursor, asking
//!   nothing of the nodes: the least any analysis that looks at every node pays,
//!   whether it copies the tree or works on tree-sitter's own;
//! - `convert`: `parse` and the copy of each tree into the front-ends' compact tree
//!   (`leastrole_lang::source::parse_and_convert`), what every analysed file costs
//!   before any analysis;
//! - `generate`: the whole `leastrole generate DIR --format json -o FILE` through the
//!   library's `run`, on the plain folder (one unit);
//! - `generate-sls` (services only): the same files with a `serverless.yml` naming 200
//!   functions that share modules.
//!
//! Each run of a stage is a fresh process (this binary again, told what to run by
//! `LEASTROLE_BENCH_CHILD`), so the peak resident memory (`VmHWM`) is the stage's own.
//! For each stage: wall time (best of the runs), CPU time (user + system of that run, so
//! CPU/wall shows how busy the cores are), files/s, MB/s and peak memory (highest of
//! the runs).
//!
//! `LEASTROLE_BENCH_DIRS=DIR` (comma-separated) measures the same stages on folders of
//! real code instead of the generated corpora (`crates/cli/benches/real-corpus.sh DIR`
//! fetches a pinned one from PyPI and npm: moto and the Serverless Framework's `lib/`).
//! `LEASTROLE_BENCH_N=1000` (comma-separated) picks the sizes,
//! `LEASTROLE_BENCH_SHAPES=nested` (comma-separated) the shapes, `LEASTROLE_BENCH_RUNS`
//! the runs per stage (default 3), `LEASTROLE_BENCH_KEEP=1` keeps the corpus and prints
//! where it is. Without `--bench` (as under `cargo test --all-targets`) it runs once on
//! 100 files, as a smoke test.
#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod corpus;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser as _;
use leastrole_core::phase;
use rayon::prelude::*;

/// The allocator of the `leastrole` binary (`src/main.rs`), so `generate` here costs
/// what it costs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: u64 = 0x1ea5_7001;
const SLS_FUNCTIONS: usize = 200;

fn main() {
    if let Ok(job) = std::env::var("LEASTROLE_BENCH_CHILD") {
        child(&job);
        return;
    }
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = match std::env::var("LEASTROLE_BENCH_N") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if bench => vec![1_000, 10_000],
        Err(_) => vec![100],
    };
    let runs: usize = std::env::var("LEASTROLE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 3 } else { 1 });
    let keep = std::env::var("LEASTROLE_BENCH_KEEP").is_ok_and(|v| v == "1");
    println!(
        "leastrole scale benchmark: {} threads, best of {runs} run(s)",
        rayon::current_num_threads()
    );
    if let Ok(dirs) = std::env::var("LEASTROLE_BENCH_DIRS") {
        for dir in dirs.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            bench_folder(Path::new(dir), runs);
        }
        return;
    }
    for n in sizes {
        bench_size(n, runs, keep);
    }
}

/// A folder of real code, as a plain folder (one unit): its `.py`, `.js` and `.ts` files
/// are what the floor stages read and parse.
fn bench_folder(dir: &Path, runs: usize) {
    let mut paths = Vec::new();
    list(dir, &mut paths);
    let bytes = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let files = paths
        .iter()
        .filter_map(|p| p.strip_prefix(dir).ok())
        .map(|p| p.display().to_string())
        .collect();
    let corpus = corpus::Corpus {
        files,
        bytes,
        handlers: Vec::new(),
    };
    let out = std::env::temp_dir().join(format!("leastrole-bench-{}.json", std::process::id()));
    heading("folder", &corpus, dir);
    floor_and_generate(runs, dir, &out, &corpus);
    let _ = std::fs::remove_file(out);
}

/// The corpus shapes, by the name `LEASTROLE_BENCH_SHAPES` uses.
const SHAPES: [&str; 2] = ["services", "nested"];

fn bench_size(n: usize, runs: usize, keep: bool) {
    let shapes: Vec<String> = match std::env::var("LEASTROLE_BENCH_SHAPES") {
        Ok(v) => v.split(',').map(|s| s.trim().to_string()).collect(),
        Err(_) => SHAPES.iter().map(|s| (*s).to_string()).collect(),
    };
    let base = tempfile::Builder::new()
        .prefix("leastrole-scale-")
        .tempdir()
        .unwrap();
    for shape in shapes {
        match shape.as_str() {
            "services" => bench_services(base.path(), n, runs),
            "nested" => bench_nested(base.path(), n, runs),
            other => panic!("unknown corpus shape {other:?} (known: {SHAPES:?})"),
        }
    }
    if keep {
        let kept = base.keep();
        println!("corpus kept in {}", kept.display());
    }
}

/// The first shape: 50 service folders one level deep and a shared `lib/`, as a plain
/// folder and with a `serverless.yml` of 200 functions.
fn bench_services(base: &Path, n: usize, runs: usize) {
    let plain = base.join("plain");
    let corpus = corpus::write(&plain, n, SEED).unwrap();
    let sls = base.join("sls");
    let again = corpus::write(&sls, n, SEED).unwrap();
    assert_eq!(again.bytes, corpus.bytes, "the corpus is deterministic");
    std::fs::write(
        sls.join("serverless.yml"),
        corpus::serverless_yml(&corpus, SLS_FUNCTIONS),
    )
    .unwrap();
    let out = base.join("report.json");
    heading("services", &corpus, &plain);
    floor_and_generate(runs, &plain, &out, &corpus);
    let sls_run = measure(runs, "generate", &sls, &out);
    report(
        &format!("generate-sls ({SLS_FUNCTIONS} fn)"),
        &sls_run,
        corpus.files.len(),
        corpus.bytes as f64 / 1e6,
    );
}

/// The second shape: many small projects nested two to five folders deep (see
/// `corpus/nested.rs`), one plain unit.
fn bench_nested(base: &Path, n: usize, runs: usize) {
    let dir = base.join("nested");
    let corpus = corpus::nested::write(&dir, n, SEED).unwrap();
    let out = base.join("report-nested.json");
    heading("nested", &corpus, &dir);
    floor_and_generate(runs, &dir, &out, &corpus);
}

fn heading(shape: &str, corpus: &corpus::Corpus, dir: &Path) {
    let files = corpus.files.len();
    println!(
        "\n{shape}: {files} files, {:.1} MB ({:.2} KB a file) in {}",
        corpus.bytes as f64 / 1e6,
        corpus.bytes as f64 / files as f64 / 1e3,
        dir.display()
    );
    println!(
        "{:<14} {:>9} {:>9} {:>6} {:>10} {:>8} {:>9}",
        "stage", "wall ms", "cpu ms", "cpu/w", "files/s", "MB/s", "peak MB"
    );
}

/// The floor stages, then `generate`, and how far above the floor it is. Their runs are
/// interleaved (every stage once, `runs` times over), so a machine whose speed drifts
/// during the bench (it does, by more than the margins measured) weighs on every stage
/// alike instead of on whichever ran last.
fn floor_and_generate(runs: usize, dir: &Path, out: &Path, corpus: &corpus::Corpus) {
    let files = corpus.files.len();
    let mb = corpus.bytes as f64 / 1e6;
    let stages = ["read", "parse", "walk", "convert", "generate"];
    let mut best: Vec<Stage> = stages.iter().map(|s| run_once(s, dir, out)).collect();
    for _ in 1..runs.max(1) {
        for (stage, best) in stages.iter().zip(&mut best) {
            *best = best.or(run_once(stage, dir, out));
        }
    }
    for (stage, run) in stages.iter().zip(&best) {
        report(stage, run, files, mb);
    }
    let [_, parse, walk, convert, full] = &best[..] else {
        unreachable!("one result per stage");
    };
    println!(
        "{:<14} {:>9.2}x parse wall time, {:.2}x parse CPU time (target ≤ 1.5x)",
        "",
        full.wall.as_secs_f64() / parse.wall.as_secs_f64(),
        full.cpu.as_secs_f64() / parse.cpu.as_secs_f64(),
    );
    // The part of the parse ratio that no analysis visiting every node can avoid.
    println!(
        "{:<14} {:>9.2}x parse wall time, {:.2}x parse CPU time for the walk alone",
        "",
        walk.wall.as_secs_f64() / parse.wall.as_secs_f64(),
        walk.cpu.as_secs_f64() / parse.cpu.as_secs_f64(),
    );
    // What analysis, resolution and rendering add to loading the files (the `convert`
    // stage: read, parse and copy, which every analysed file costs).
    println!(
        "{:<14} {:>9.2}x convert wall time, {:.2}x convert CPU time",
        "",
        full.wall.as_secs_f64() / convert.wall.as_secs_f64(),
        full.cpu.as_secs_f64() / convert.cpu.as_secs_f64(),
    );
}

#[derive(Clone, Copy)]
struct Stage {
    wall: Duration,
    cpu: Duration,
    peak_kb: u64,
}

impl Stage {
    /// The better of two runs of a stage: the faster one's times, the higher peak.
    fn or(self, other: Stage) -> Stage {
        let peak_kb = self.peak_kb.max(other.peak_kb);
        let faster = if other.wall < self.wall { other } else { self };
        Stage { peak_kb, ..faster }
    }
}

/// Best wall time of `runs` runs, each in a fresh process (with that run's CPU time),
/// and the highest peak RSS.
fn measure(runs: usize, stage: &str, dir: &Path, out: &Path) -> Stage {
    (1..runs.max(1)).fold(run_once(stage, dir, out), |best, _| {
        best.or(run_once(stage, dir, out))
    })
}

/// One run of `stage` in a fresh process.
fn run_once(stage: &str, dir: &Path, out: &Path) -> Stage {
    let job = format!("{stage}\t{}\t{}", dir.display(), out.display());
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env("LEASTROLE_BENCH_CHILD", job)
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "stage {stage} failed");
    let line = String::from_utf8_lossy(&output.stdout);
    let nums: Vec<u64> = line
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [wall_us, cpu_ms, peak_kb] = nums[..] else {
        panic!("stage {stage}: unexpected report {line:?}");
    };
    Stage {
        wall: Duration::from_micros(wall_us),
        cpu: Duration::from_millis(cpu_ms),
        peak_kb,
    }
}

/// In the child process: run one stage once and print `wall_us cpu_ms peak_kb`.
fn child(job: &str) {
    let mut parts = job.split('\t');
    let (stage, dir, out) = (
        parts.next().unwrap(),
        PathBuf::from(parts.next().unwrap()),
        PathBuf::from(parts.next().unwrap()),
    );
    let mut files = Vec::new();
    list(&dir, &mut files);
    let cpu0 = phase::cpu_time();
    let t0 = Instant::now();
    match stage {
        "read" => {
            let texts: Vec<String> = files
                .par_iter()
                .map(|p| std::fs::read_to_string(p).unwrap())
                .collect();
            assert!(texts.iter().map(String::len).sum::<usize>() > 0);
        }
        "parse" | "walk" => {
            let walk = stage == "walk";
            let nodes: usize = files
                .par_iter()
                .map(|p| parse_only(p, &std::fs::read_to_string(p).unwrap(), walk))
                .sum();
            assert!(nodes > files.len());
        }
        "convert" => {
            let nodes: usize = files
                .par_iter()
                .map(|p| {
                    let text = std::fs::read_to_string(p).unwrap();
                    leastrole_lang::source::parse_and_convert(p.to_str().unwrap(), &text).unwrap()
                })
                .sum();
            assert!(nodes > files.len());
        }
        _ => generate(&dir, &out),
    }
    let wall = t0.elapsed();
    let cpu = phase::cpu_time().saturating_sub(cpu0);
    let peak_kb = phase::memory_kb().1;
    println!("{} {} {}", wall.as_micros(), cpu.as_millis(), peak_kb);
}

/// Every source file under `dir`.
fn list(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            list(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("py" | "js" | "ts")
        ) {
            out.push(path);
        }
    }
}

fn report(name: &str, s: &Stage, files: usize, mb: f64) {
    let secs = s.wall.as_secs_f64();
    println!(
        "{name:<14} {:>9.0} {:>9.0} {:>6.2} {:>10.0} {:>8.1} {:>9.1}",
        secs * 1e3,
        s.cpu.as_secs_f64() * 1e3,
        s.cpu.as_secs_f64() / secs,
        files as f64 / secs,
        mb / secs,
        s.peak_kb as f64 / 1024.0,
    );
}

fn generate(root: &Path, out: &Path) {
    let cli = leastrole::Cli::parse_from([
        "leastrole".as_ref(),
        "generate".as_ref(),
        root.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    leastrole::run(cli).unwrap();
}

#[derive(Default)]
struct Parsers {
    py: Option<tree_sitter::Parser>,
    js: Option<tree_sitter::Parser>,
    ts: Option<tree_sitter::Parser>,
}

thread_local! {
    static PARSERS: RefCell<Parsers> = RefCell::new(Parsers::default());
}

/// Parse with the file's grammar; the number of nodes (so the tree is really built).
/// With `walk`, the nodes are counted by visiting each with a cursor, in pre-order as
/// the compact tree's copy does, and nothing else is asked of them.
fn parse_only(path: &Path, text: &str, walk: bool) -> usize {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let (slot, language): (_, tree_sitter::Language) = match ext {
            "py" => (&mut parsers.py, tree_sitter_python::LANGUAGE.into()),
            "ts" => (
                &mut parsers.ts,
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            ),
            _ => (&mut parsers.js, tree_sitter_javascript::LANGUAGE.into()),
        };
        let parser = slot.get_or_insert_with(|| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&language).unwrap();
            p
        });
        let tree = parser.parse(text, None).unwrap();
        if walk {
            let visited = visit_all(&tree);
            // Every node, so the walk costs what a full visit costs.
            assert_eq!(visited, tree.root_node().descendant_count());
            visited
        } else {
            tree.root_node().descendant_count()
        }
    })
}

/// How many nodes a cursor visits in a pre-order walk of `tree`.
fn visit_all(tree: &tree_sitter::Tree) -> usize {
    let mut cursor = tree.walk();
    let mut visited = 0;
    loop {
        visited += 1;
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return visited;
            }
        }
    }
}
