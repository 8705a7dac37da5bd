//! Progress on stderr for long runs: a bar over the functions being analysed, shown
//! only when stderr is a terminal, `--quiet` is not given, and the run has already
//! taken a second (short runs never flicker). Never written to stdout.

use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the progress display appears.
const DELAY: Duration = Duration::from_secs(1);

/// A progress display that may stay hidden for the whole run.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    /// Set when the run ends, to wake (and stop) the thread waiting to show the bar.
    finished: Arc<(Mutex<bool>, Condvar)>,
}

impl Progress {
    /// A bar over `total` functions; visible after [`DELAY`] when `enabled` and stderr
    /// is a terminal.
    pub fn new(total: usize, enabled: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(u64::MAX)),
            ProgressDrawTarget::hidden(),
        );
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed}] analysing {pos}/{len} function(s) {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        let finished = Arc::new((Mutex::new(false), Condvar::new()));
        if enabled && std::io::stderr().is_terminal() {
            let bar = bar.clone();
            let finished = Arc::clone(&finished);
            // Nothing is lost if the thread cannot start: the run has no progress display.
            let _ = std::thread::Builder::new()
                .name("leastrole-progress".into())
                .spawn(move || show_after_delay(&bar, &finished));
        }
        Progress { bar, finished }
    }

    /// One function is done.
    pub fn done(&self, name: &str) {
        self.bar.set_message(name.to_string());
        self.bar.inc(1);
    }

    /// The run is over: remove the display (if it was shown) before output is written.
    pub fn finish(self) {
        let (lock, cvar) = &*self.finished;
        if let Ok(mut finished) = lock.lock() {
            *finished = true;
        }
        cvar.notify_all();
        self.bar.finish_and_clear();
    }
}

fn show_after_delay(bar: &ProgressBar, finished: &(Mutex<bool>, Condvar)) {
    let (lock, cvar) = finished;
    let Ok(guard) = lock.lock() else { return };
    let Ok((guard, _)) = cvar.wait_timeout_while(guard, DELAY, |finished| !*finished) else {
        return;
    };
    if *guard {
        return;
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(120));
    drop(guard);
}
