//! A data file for a pool (the first byte picks CSV in UTF-8 or GBK, XLSX, JSON or
//! NDJSON): read row by row, and every cell settled and typed as each kind of item
//! would take it, with each check, as a batch load does.
#![no_main]

use govshare_domain::pool::{Check, parse_cell, settle_cell};
use govshare_interchange::rows::{DataFormat, read_rows};
use libfuzzer_sys::fuzz_target;

#[path = "items.rs"]
mod items;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let format = match pick % 5 {
        0 => DataFormat::Csv,
        1 => DataFormat::Xlsx,
        2 => DataFormat::Json,
        3 => DataFormat::Ndjson,
        _ => DataFormat::detect("upload", bytes),
    };
    let Ok((header, rows)) = read_rows(bytes.to_vec(), format) else {
        return;
    };
    let items = items::one_of_each_type(64);
    for row in rows.take(2_000).flatten() {
        for (i, cell) in row.iter().enumerate() {
            let check = Check::ALL[(i + header.len()) % Check::ALL.len()];
            let settled = settle_cell(&[check], cell);
            let _ = check.apply(&settled);
            let _ = parse_cell(&items[i % items.len()], &settled);
        }
    }
});
