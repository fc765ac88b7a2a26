//! (being written)
use super::{Ctx, Output};
use crate::error::{Error, Result};

pub fn import(ctx: &Ctx<'_>) -> Result<Output> {
    Err(Error::Invalid(format!("importer for {} is not written yet", ctx.source.id)))
}
