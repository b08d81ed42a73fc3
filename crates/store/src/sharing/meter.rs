//! Visits under grants, counted where calls are answered (授权计量). A call under a
//! grant takes its visits from this node's allowance in memory; the call's audit entry
//! says how many it took, and the log is what they are counted from once the entry is
//! durable (`audit::visits`). No call writes the main database to be counted, so a
//! call under a grant costs what a registered one does, and on SQLite it does not
//! wait for a pool load holding the writer.
//!
//! The allowance is exact. On SQLite one process serves: its allowance is the grant's
//! quotas less what was counted before, and what it has used is what the log holds. On
//! PostgreSQL nodes share the quotas by leases (`grant_leases`): a node answers only
//! within the visits it has leased, and the leases of all nodes together never come
//! to more than the quotas. A node that starts again counts what it used from the log
//! and goes on with its leases; the unused part of a past day's lease is given back.
//!
//! Visits taken for a call whose entry could then not be written (the log was down)
//! stay taken until the node starts again: a quota can be under-used, never over.

use crate::db::conn::Conn;
use crate::{Result, StoreError, params};
use chrono::NaiveDate;
use govshare_domain::Error;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Visits one lease takes at most (unless one call needs more).
const LEASE_MAX: i64 = 1000;

/// The allowances of the grants this node has served, and its name (leases are
/// taken in it).
#[derive(Default)]
pub(crate) struct Meter {
    gauges: Mutex<HashMap<i64, Arc<Gauge>>>,
    node: Mutex<Option<Arc<str>>>,
}

/// One grant's allowance, and the lock taken to load it or lease more.
#[derive(Default)]
pub(crate) struct Gauge {
    allowance: Mutex<Option<Allowance>>,
    pub(crate) refill: tokio::sync::Mutex<()>,
}

/// What this node may answer under a grant, and what it has used.
#[derive(Debug, Clone)]
pub(crate) struct Allowance {
    pub(crate) day: NaiveDate,
    /// Refused whatever is left: revoked, or outside its period (`valid_from` to
    /// `valid_to`, as dates).
    pub(crate) closed: Option<String>,
    pub(crate) total: Limit,
    pub(crate) today: Limit,
    /// Leased from the database (PostgreSQL), or the whole quota (SQLite).
    pub(crate) leased: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Limit {
    pub(crate) allowed: i64,
    pub(crate) used: i64,
}

impl Limit {
    fn fits(&self, visits: i64) -> bool {
        self.used + visits <= self.allowed
    }
}

pub(crate) enum Take {
    Taken,
    /// Not loaded, or loaded another day.
    Load,
    /// Leased less than the call needs.
    Short,
    Refused(StoreError),
}

impl Gauge {
    pub(crate) fn take(&self, visits: i64, today: NaiveDate) -> Take {
        let mut held = self.allowance.lock().unwrap_or_else(|e| e.into_inner());
        let Some(a) = held.as_mut().filter(|a| a.day == today) else {
            return Take::Load;
        };
        if let Some(why) = &a.closed {
            return Take::Refused(Error::Forbidden(why.clone()).into());
        }
        if a.total.fits(visits) && a.today.fits(visits) {
            a.total.used += visits;
            a.today.used += visits;
            return Take::Taken;
        }
        if a.leased {
            return Take::Short;
        }
        Take::Refused(exhausted(a.total.fits(visits)))
    }

    pub(crate) fn give_back(&self, visits: i64, today: NaiveDate) {
        let mut held = self.allowance.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = held.as_mut().filter(|a| a.day == today) {
            a.total.used -= visits;
            a.today.used -= visits;
        }
    }

    pub(crate) fn held(&self) -> Option<Allowance> {
        self.allowance
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set(&self, a: Allowance) {
        *self.allowance.lock().unwrap_or_else(|e| e.into_inner()) = Some(a);
    }
}

/// The refusal of a call past a quota: the total's, or else the day's.
pub(crate) fn exhausted(total_left: bool) -> StoreError {
    let why = if total_left {
        "授权的今日访问次数已用完，请明日再试"
    } else {
        "授权的访问总次数已用完"
    };
    Error::Exhausted(why.into()).into()
}

impl Meter {
    pub(crate) fn gauge(&self, grant: i64) -> Arc<Gauge> {
        self.gauges
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(grant)
            .or_default()
            .clone()
    }

    pub(crate) fn set_node(&self, node: &str) {
        *self.node.lock().unwrap_or_else(|e| e.into_inner()) = Some(node.into());
    }

    pub(crate) fn node(&self) -> Arc<str> {
        self.node
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| "node-1".into())
    }
}

/// A grant's quotas and period, with what was counted before entries carried visits.
pub(crate) struct GrantRow {
    pub(crate) daily_quota: i64,
    pub(crate) total_quota: i64,
    pub(crate) legacy_total: i64,
    pub(crate) legacy_day: i64,
    valid_from: String,
    valid_to: String,
    revoked: bool,
}

impl GrantRow {
    pub(crate) fn closed(&self, day: &str) -> Option<String> {
        (self.revoked || day < self.valid_from.as_str() || day > self.valid_to.as_str())
            .then(|| "授权已撤销或不在有效期内".to_string())
    }
}

pub(crate) fn grant_row(c: &mut dyn Conn, grant: i64, day: &str) -> Result<GrantRow> {
    let r = c.query_one(
        "SELECT daily_quota, total_quota, used_total, valid_from, valid_to, revoked_at FROM share_grants WHERE id = ?",
        &params![grant],
    )?;
    let legacy_day = c
        .query_opt(
            "SELECT used FROM grant_usage WHERE grant_id = ? AND day = ?",
            &params![grant, day],
        )?
        .map_or(Ok(0), |u| u.i64("used"))?;
    Ok(GrantRow {
        daily_quota: r.i64("daily_quota")?,
        total_quota: r.i64("total_quota")?,
        legacy_total: r.i64("used_total")?,
        legacy_day,
        valid_from: r.text("valid_from")?,
        valid_to: r.text("valid_to")?,
        revoked: r.opt_text("revoked_at")?.is_some(),
    })
}

/// Cuts this node's leases of days before `today` to the visits it used on them:
/// what the log holds, or what `remembered` (a day and its use, counted in memory)
/// says when that is more. What is cut goes back to the grant's other nodes.
pub(crate) fn trim_past_leases(
    c: &mut dyn Conn,
    grant: i64,
    node: &str,
    today: &str,
    remembered: Option<(String, i64)>,
) -> Result<()> {
    let past = c.query(
        "SELECT day, leased FROM grant_leases WHERE grant_id = ? AND node_id = ? AND day < ?",
        &params![grant, node, today],
    )?;
    for l in past {
        let (day, leased) = (l.text("day")?, l.i64("leased")?);
        let (_, mut used) = crate::audit::visits::logged(c, grant, &day, Some(node))?;
        if let Some((d, n)) = &remembered
            && *d == day
        {
            used = used.max(*n);
        }
        if used < leased {
            c.execute(
                "UPDATE grant_leases SET leased = ? WHERE grant_id = ? AND node_id = ? AND day = ?",
                &params![used, grant, node, &day],
            )?;
        }
    }
    Ok(())
}

/// Leases visits under `grant` for `node` on `day`: at least `need`, more while
/// plenty is left (a quarter of what is left, up to `LEASE_MAX`), nothing when fewer
/// than `need` are left. The grant's row is locked while the leases are added up, so
/// nodes leasing at once cannot both take the last visits (PostgreSQL).
pub(crate) fn lease(c: &mut dyn Conn, grant: i64, node: &str, day: &str, need: i64) -> Result<i64> {
    c.query_one(
        "SELECT id FROM share_grants WHERE id = ? FOR UPDATE",
        &params![grant],
    )?;
    let g = grant_row(c, grant, day)?;
    let all = c.query_one(
        "SELECT CAST(COALESCE(SUM(leased), 0) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(CASE WHEN day = ? THEN leased ELSE 0 END), 0) AS BIGINT) AS on_day \
         FROM grant_leases WHERE grant_id = ?",
        &params![day, grant],
    )?;
    let left = (g.total_quota - g.legacy_total - all.i64("total")?)
        .min(g.daily_quota - g.legacy_day - all.i64("on_day")?);
    if left < need {
        return Ok(0);
    }
    let n = (left / 4).clamp(need, LEASE_MAX.max(need)).min(left);
    c.execute(
        "INSERT INTO grant_leases (grant_id, node_id, day, leased) VALUES (?, ?, ?, ?) \
         ON CONFLICT (grant_id, node_id, day) DO UPDATE SET leased = grant_leases.leased + excluded.leased",
        &params![grant, node, day, n],
    )?;
    Ok(n)
}
