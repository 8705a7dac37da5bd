//! Phase marks for performance work: where a run's time and memory go, stage by stage.
//!
//! The stages call [`mark`] as each phase ends ("python: scopes", "render"). Marks cost
//! one relaxed atomic load until a binary calls [`enable`] (the CLI does when
//! `LEASTROLE_PHASES` is set); from then on each mark records the wall and CPU time since
//! the previous mark and the process's resident and peak memory, and [`take`] hands the
//! records to the binary, which prints them (libraries print nothing). CPU time and
//! memory come from `/proc/self` (Linux); elsewhere they read as zero.
//!
//! The figures are the whole process's, so they mean what they say for one analysis at
//! a time: a plain folder, or one function. Marks from functions analysed in parallel
//! interleave, and their deltas span each other's work.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The marks so far, and the time and CPU time of the last one.
static STATE: Mutex<State> = Mutex::new(State {
    last: None,
    marks: Vec::new(),
});

#[derive(Debug)]
struct State {
    last: Option<(Instant, Duration)>,
    marks: Vec<Mark>,
}

/// One phase: what ended, and what it took since the previous mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub phase: &'static str,
    pub wall: Duration,
    pub cpu: Duration,
    /// Resident memory when the phase ended, in kB.
    pub rss_kb: u64,
    /// The process's peak resident memory so far, in kB.
    pub peak_kb: u64,
}

/// Start recording marks; the time until the first mark counts from here.
pub fn enable() {
    if let Ok(mut state) = STATE.lock() {
        state.last = Some((Instant::now(), cpu_time()));
    }
    ENABLED.store(true, Ordering::Relaxed);
}

/// The end of `phase`: recorded when marks are enabled, nothing otherwise.
pub fn mark(phase: &'static str) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let (now, cpu) = (Instant::now(), cpu_time());
    let (rss_kb, peak_kb) = memory_kb();
    if let Ok(mut state) = STATE.lock() {
        let (then, cpu_then) = state.last.unwrap_or((now, cpu));
        state.marks.push(Mark {
            phase,
            wall: now.saturating_duration_since(then),
            cpu: cpu.saturating_sub(cpu_then),
            rss_kb,
            peak_kb,
        });
        state.last = Some((now, cpu));
    }
}

/// The marks recorded so far, in order; later marks count from the last one taken.
pub fn take() -> Vec<Mark> {
    STATE
        .lock()
        .map(|mut state| std::mem::take(&mut state.marks))
        .unwrap_or_default()
}

/// User and system CPU time of this process so far, from `/proc/self/stat` (zero where
/// there is none).
pub fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // The kernel counts in USER_HZ, 100 on every Linux leastrole runs on.
    Duration::from_millis(ticks * 10)
}

/// Resident and peak resident memory of this process in kB, from `/proc/self/status`
/// (zeros where there is none).
pub fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marks are recorded only once enabled, in order, with the time each phase took.
    #[test]
    fn marks_count_from_the_previous_one_once_enabled() {
        mark("before");
        assert!(take().is_empty());
        enable();
        std::thread::sleep(Duration::from_millis(20));
        mark("first");
        // Spend CPU time until the process has used 50 ms more (or 10 s have passed).
        let (start, cpu0) = (Instant::now(), cpu_time());
        let mut x = 0u64;
        while cpu_time().saturating_sub(cpu0) < Duration::from_millis(50)
            && start.elapsed() < Duration::from_secs(10)
        {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        mark("second");
        let marks = take();
        let phases: Vec<&str> = marks.iter().map(|m| m.phase).collect();
        assert_eq!(phases, ["first", "second"]);
        assert!(marks[0].wall >= Duration::from_millis(20), "{marks:?}");
        if cfg!(target_os = "linux") {
            assert!(marks[1].cpu >= Duration::from_millis(50), "{marks:?}");
            assert!(marks[1].rss_kb > 0 && marks[1].peak_kb >= marks[1].rss_kb);
        }
        assert!(take().is_empty());
    }
}
