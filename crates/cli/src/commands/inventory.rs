//! `privlink inventory`.

use super::{json, Format};
use crate::estate::{EstateArgs, LoadedEstate};
use privlink_report::inventory::Inventory;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  privlink inventory\n  privlink inventory --estate exported/ --format json")]
pub struct Args {
    #[command(flatten)]
    pub estate: EstateArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args) -> anyhow::Result<(String, i32)> {
    args.estate.answer_with(|estate| answer(args, estate))
}

fn answer(args: &Args, estate: &LoadedEstate) -> anyhow::Result<(String, i32)> {
    let inventory = Inventory::new(&estate.model, &estate.label);
    let out = match args.format {
        Format::Text => inventory.to_text(),
        Format::Json => json(&inventory),
    };
    Ok((out, 0))
}
