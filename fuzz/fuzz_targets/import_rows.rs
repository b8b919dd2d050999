//! The import readers (CSV and JSON Lines) on arbitrary bytes: they never
//! panic, and the second pass reads as many rows as the first counted (the
//! progress bar's total).
#![no_main]

use attesta_app::import::Format;
use attesta_app::import::fuzz::read_all;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [Format::Csv, Format::Jsonl] {
        if let Some(read) = read_all(format, data) {
            assert_eq!(read.rows, read.counted, "{format:?}: {read:?}");
        }
    }
});
