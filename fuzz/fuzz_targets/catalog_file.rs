//! A catalog file in any of its formats (the first byte picks CSV, JSON or XLSX): read,
//! and every entry read is checked against the national rules, as an import does.
#![no_main]

use govshare_domain::rules::validate;
use govshare_interchange::{Format, read_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let format = match pick % 4 {
        0 => Format::Csv,
        1 => Format::Json,
        2 => Format::Xlsx,
        _ => Format::detect("upload", bytes),
    };
    if let Ok(parsed) = read_catalog(bytes, format) {
        for record in &parsed.records {
            let _ = validate(&record.spec);
        }
    }
});
