//! Paging cursors for consumers: where the next page starts, sealed by the server.
//! A consumer can neither read a cursor (the last row's key may be masked for it) nor
//! make one (an arbitrary start would let it binary-search a masked key): a cursor
//! opens only for the app, resource, basis and query it was issued for, and only
//! until it expires.

use super::seal::Sealer;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How long a cursor stays valid.
pub const CURSOR_SECONDS: i64 = 3600;

/// Where a page ends: after a key (pages in key order, when the consumer reads every
/// key item in clear), or after a change sequence number (pages in the order rows last
/// changed, when it does not: an order of masked keys would tell it about them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Key(Vec<String>),
    Seq(i64),
}

/// What a cursor is issued for.
pub struct Scope<'a> {
    pub app_id: i64,
    pub resource: &'a str,
    /// The basis label (`grant:12`): a cursor dies with the grant it was issued under.
    pub basis: &'a str,
    /// A digest of the query's filters and items.
    pub query: &'a str,
}

impl Scope<'_> {
    fn binding(&self) -> Vec<u8> {
        format!(
            "govshare-cursor-v1\0{}\0{}\0{}\0{}",
            self.app_id, self.resource, self.basis, self.query
        )
        .into_bytes()
    }
}

#[derive(Serialize, Deserialize)]
struct Content {
    /// Expiry, seconds since the epoch.
    e: i64,
    p: Position,
}

/// The cursor for the page after `position`, valid for `CURSOR_SECONDS` from `now`.
pub fn issue(sealer: &Sealer, scope: &Scope, position: Position, now: i64) -> String {
    let content = Content {
        e: now + CURSOR_SECONDS,
        p: position,
    };
    let bytes = serde_json::to_vec(&content).unwrap_or_default();
    sealer.seal(&scope.binding(), &bytes)
}

/// The position of a cursor issued for `scope`; refused (`BadCursor`) when it was not
/// issued by this installation for this scope, or has expired.
pub fn open(sealer: &Sealer, scope: &Scope, cursor: &str, now: i64) -> Result<Position> {
    let bad = || {
        Error::BadCursor(
            "after 须为上一页返回的 next，且只能用于同一应用、资源、授权和查询条件".into(),
        )
    };
    let bytes = sealer.open(&scope.binding(), cursor).ok_or_else(bad)?;
    let content: Content = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if content.e < now {
        return Err(Error::BadCursor(
            "分页游标已过期（有效期1小时），请从第一页重新查询".into(),
        ));
    }
    Ok(content.p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope<'a>(app_id: i64, basis: &'a str, query: &'a str) -> Scope<'a> {
        Scope {
            app_id,
            resource: "101001/000004",
            basis,
            query,
        }
    }

    #[test]
    fn a_cursor_opens_only_for_its_scope_and_time() {
        let s = Sealer::new(&[3; 32]);
        let here = scope(5, "grant:2", "q1");
        let at = Position::Key(vec!["500101194001068436".into()]);
        let c = issue(&s, &here, at.clone(), 1_000);
        assert!(!c.contains("500101"));
        assert_eq!(open(&s, &here, &c, 1_000).unwrap(), at);
        for other in [
            scope(6, "grant:2", "q1"),
            scope(5, "grant:3", "q1"),
            scope(5, "grant:2", "q2"),
        ] {
            assert!(matches!(
                open(&s, &other, &c, 1_000),
                Err(Error::BadCursor(_))
            ));
        }
        assert!(matches!(
            open(&s, &here, &c, 1_000 + CURSOR_SECONDS + 1),
            Err(Error::BadCursor(m)) if m.contains("过期")
        ));
        assert!(open(&s, &here, "500101194001068436", 1_000).is_err());
    }
}
