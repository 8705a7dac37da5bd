//! `leastrole calls PATH`: every AWS SDK call found, in the SDK's own vocabulary.

use crate::Status;
use crate::args::{CallsArgs, ListFormat};
use crate::output::emit;

pub fn run(args: CallsArgs) -> anyhow::Result<Status> {
    anyhow::ensure!(
        args.path.is_dir(),
        "{} is not a folder",
        args.path.display()
    );
    let (files, walk_diags) = leastrole_project::source_files(&args.path);
    let mut program = leastrole_lang::analyze(&args.path, &files);
    program.diagnostics.extend(walk_diags);
    let text = match args.format {
        ListFormat::Text => leastrole_render::calls_text(&program),
        ListFormat::Json => leastrole_render::calls_json(&program),
    };
    emit(None, &text)?;
    Ok(Status::Clean)
}
