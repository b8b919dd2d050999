//! For the fuzz target `import_rows` (`fuzz/`): the readers of `reader.rs`
//! over arbitrary bytes. Not an API.
#![doc(hidden)]

use std::path::PathBuf;

use super::Format;
use super::reader::Rows;

/// What [`read_all`] read.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    /// Rows the first pass counted (the progress bar's total).
    pub counted: u64,
    /// Rows the second pass gave.
    pub rows: u64,
}

/// Runs the `format` reader over `bytes` to the end (the readers read
/// files, so the bytes go to a scratch file first). `None` when the file is
/// refused as a whole (a CSV header that is not one).
///
/// # Panics
/// If the scratch file cannot be written or read back: the fuzzer's disk,
/// not the input.
#[doc(hidden)]
pub fn read_all(format: Format, bytes: &[u8]) -> Option<Read> {
    let path = scratch(format);
    std::fs::write(&path, bytes).expect("the scratch file is written");
    let mut rows = match format {
        Format::Jsonl => Rows::jsonl(&path).expect("the scratch file is read"),
        Format::Csv => Rows::csv(&path).ok()?,
    };
    let mut read = 0;
    while rows.next_row().expect("the scratch file is read").is_some() {
        read += 1;
    }
    Some(Read {
        counted: rows.total,
        rows: read,
    })
}

/// One scratch file per process, thread and format.
fn scratch(format: Format) -> PathBuf {
    let ext = match format {
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    };
    std::env::temp_dir().join(format!(
        "attesta-fuzz-{}-{:?}.{ext}",
        std::process::id(),
        std::thread::current().id()
    ))
}
