// TEMPORARY shim written by the engine author so the crate compiles while
// helper-1 writes the real generator; helper-1: replace this file entirely.
use std::path::{Path, PathBuf};
pub struct GenerateOptions { pub out: PathBuf, pub events: u64, pub seed: u64, pub days: u32 }
impl Default for GenerateOptions { fn default() -> Self { GenerateOptions { out: "lake".into(), events: 6000, seed: 1, days: 7 } } }
pub struct GenerateReport { pub files: u64, pub bytes: u64, pub events: u64 }
#[derive(Debug, thiserror::Error)] pub enum GenerateError { #[error("generator not written yet")] Missing }
pub fn generate_lake(_: &GenerateOptions) -> Result<GenerateReport, GenerateError> { Err(GenerateError::Missing) }
pub fn generate_bad_lake(_: &Path, _: u64) -> Result<GenerateReport, GenerateError> { Err(GenerateError::Missing) }
