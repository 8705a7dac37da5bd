// mimalloc: the front-ends allocate many small, short-lived values on every thread
// while syntax trees and facts stay alive; glibc's per-thread arenas fragmented into
// a resident size well above the live heap (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    leastrole::main()
}
