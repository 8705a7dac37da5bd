//! `leastrole calls PATH`: every AWS SDK call found, in the SDK's own vocabulary.

use crate::Status;
use crate::args::{CallsArgs, ListFormat};
use crate::output::emit;

pub fn run(args: CallsArgs) -> anyhow::Result<Status> {
    super::project_folder(&args.path)?;
    let (files, walk_diags) = leastrole_project::source_files(&args.path);
    let confine = leastrole_project::confinement(&args.path, &args.allow_outside);
    let sources = leastrole_lang::Sources::default().within(confine);
    let mut program = leastrole_lang::analyze_with(&sources, &args.path, &files);
    program.diagnostics.extend(walk_diags);
    let text = match args.format {
        ListFormat::Text => leastrole_render::calls_text(&program),
        ListFormat::Json => leastrole_render::calls_json(&program),
    };
    emit(None, &text)?;
    Ok(Status::Clean)
}
