//! Paging cursors: whatever a caller sends as `after` opens only if this installation
//! sealed it for the same scope; one it sealed opens to the position it holds.
#![no_main]

use govshare_domain::sharing::Sealer;
use govshare_domain::sharing::cursor::{Position, Scope, issue, open};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sealer = Sealer::new(&[42; 32]);
    let scope = Scope {
        app_id: 3,
        resource: "101001/000001",
        basis: "grant:12",
        query: "0123456789abcdef",
    };
    let now = 1_796_000_000;
    let text = String::from_utf8_lossy(data);
    // Sent by a caller: refused unless sealed here (a forgery this easy would be a find).
    assert!(open(&sealer, &scope, &text, now).is_err(), "{text}");
    // Sealed here: opens to what it holds, for the same scope only, until it expires.
    // A key as long as a pool's key may be (two text items of 4,000 bytes).
    let key = String::from_utf8_lossy(&data[..data.len().min(8000)]);
    let position = if data.len() % 2 == 0 {
        Position::Seq(data.len() as i64)
    } else {
        Position::Key(key.split(',').map(str::to_string).collect())
    };
    let cursor = issue(&sealer, &scope, position.clone(), now);
    assert_eq!(open(&sealer, &scope, &cursor, now).ok(), Some(position));
    let other = Scope { app_id: 4, ..scope };
    assert!(open(&sealer, &other, &cursor, now).is_err());
    let later = now + govshare_domain::sharing::cursor::CURSOR_SECONDS + 1;
    assert!(open(&sealer, &scope, &cursor, later).is_err());
});
