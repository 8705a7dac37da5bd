//! leastrole-review: `leastrole check` and `leastrole diff`.
//!
//! Sits after `leastrole-policy` and before `leastrole-render`: `check` compares each
//! function's needed grants (the generated report) with the role its project declares
//! (`leastrole-project`'s `Declared`), and `diff` compares two policy sets (generated
//! reports or plain policy documents) pair by pair. Both produce one [`Review`]: per
//! function, findings (missing, unused, broad, framework; added, removed) with access
//! levels from the embedded IAM action list, risk flags and the source or declaration
//! lines behind them, and the `--fail-on` gate. Rendering is `leastrole-render`'s job.

mod actions;
mod check;
mod diff;
mod model;
mod pattern;

pub use actions::{Catalog, DATA_READ, PRIVILEGE_ESCALATION, action_matches};
pub use check::{
    CheckContext, CheckInput, FRAMEWORK_DEAD_LETTER, FRAMEWORK_EVENT_SOURCES, FRAMEWORK_LOGS,
    FRAMEWORK_TRACING, FRAMEWORK_VPC, check, check_function, reference_types,
};
pub use diff::{Pair, PolicySet, ReadError, diff};
pub use model::{
    FailOn, Finding, FunctionReview, FunctionStatus, Kind, Review, ReviewKind, Risk, Severity,
    SourceRef, access_rank, is_write_or_above,
};
