//! The javascript front-end (work in progress: finds no calls yet).

use std::path::Path;

use crate::program::Program;

pub(crate) fn analyze(_root: &Path, _entries: &[String]) -> Program {
    Program::default()
}
