//! The one clock of govshare: every time stored or compared (entries, sessions, keys,
//! cursors, grant days, deadlines) is read here. Tests start it at a fixed moment
//! (`testing::pin_clock`) so that a run that crosses midnight in China time cannot
//! see two days; from there it runs at the real rate.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds added to the system clock (0 unless pinned).
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// The time now.
pub fn now_utc() -> DateTime<Utc> {
    Utc::now() + Duration::milliseconds(OFFSET_MS.load(Ordering::Relaxed))
}

/// Today in China Standard Time (UTC+8): the day grant quotas, probe limits and
/// answer deadlines count in.
pub fn today() -> NaiveDate {
    (now_utc() + Duration::hours(8)).date_naive()
}

/// Makes the clock read `start` now and run on from there (for tests).
pub fn start_at(start: DateTime<Utc>) {
    OFFSET_MS.store((start - Utc::now()).num_milliseconds(), Ordering::Relaxed);
}

/// The day in China Standard Time of a stored time (RFC 3339), as grant quotas count
/// it; `None` for text that is not such a time.
pub fn day_of(at: &str) -> Option<NaiveDate> {
    let t = DateTime::parse_from_rfc3339(at).ok()?;
    Some((t.with_timezone(&Utc) + Duration::hours(8)).date_naive())
}
