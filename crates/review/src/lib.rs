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

pub use actions::Catalog;
pub use check::{CheckContext, CheckInput, check};
pub use diff::{Pair, PolicySet, ReadError, diff};
pub use model::{
    FailOn, Finding, FunctionReview, FunctionStatus, Kind, Review, ReviewKind, Risk, Severity,
    SourceRef,
};
