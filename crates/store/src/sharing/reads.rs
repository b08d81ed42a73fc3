//! Sharing calls: registered uses of unconditional resources, and reads of a pool by
//! an app — a lookup by key and a verification (核验) of claimed values. The domain's
//! policy decides; the decision becomes the query's projection.

use crate::db::conn::Conn;
use crate::org::apps::AppPrincipal;
use crate::sharing::cache::{ROUNDS, still_changing};
pub use crate::sharing::decide::{Access, access};
use crate::sharing::decided::{Decided, cache_key};
use crate::sharing::served::ServedRow;
use crate::value::Value;
use crate::value::to_value;
use crate::{Result, Store, StoreError, params};
use govshare_domain::Error;
use govshare_domain::pool::parse_cell;
use govshare_domain::sharing::{Basis, mask};
use serde::Serialize;
use std::sync::Arc;

/// A read of one row, as served.
#[derive(Debug, Clone, Serialize)]
pub struct SharedRow {
    pub resource_code: String,
    /// The basis the row is served under.
    pub basis: Basis,
    /// The purpose stated for that basis.
    pub purpose: String,
    /// Items served masked.
    pub masked: Vec<String>,
    /// Item name → value (null when empty); absent when no row has the key.
    pub row: Option<ServedRow>,
    /// The items served, masked ones marked `*` (for the audit entry).
    #[serde(skip)]
    pub audit_items: std::sync::Arc<str>,
    /// Visits counted under a grant (for the audit entry, which the quota is counted from).
    #[serde(skip)]
    pub visits: i64,
}

/// The answer to a verification: per claimed item, whether it matches. No data.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    /// False when no row has the key (then every item is a mismatch).
    pub found: bool,
    /// Item name → match.
    pub matches: std::collections::BTreeMap<String, bool>,
    /// Visits counted under a grant (for the audit entry, which the quota is counted from).
    #[serde(skip)]
    pub visits: i64,
}

impl Store {
    /// Counts `visits` when the basis is a grant (refused once its quota is used up),
    /// and returns the visits counted: what the call's audit entry must say.
    pub(crate) async fn count_visits(&self, basis: &Basis, visits: i64) -> Result<i64> {
        match *basis {
            Basis::Grant { id } => self.take_visits(id, visits).await.map(|()| visits),
            _ => Ok(0),
        }
    }

    /// Counts `visits` as `count_visits` does, and `probes` against the app's daily
    /// probe limit: refused (and nothing counted) past either.
    pub(crate) async fn count_use(
        &self,
        basis: &Basis,
        visits: i64,
        app_id: i64,
        probes: i64,
    ) -> Result<i64> {
        let counted = self.count_visits(basis, visits).await?;
        if probes == 0 {
            return Ok(counted);
        }
        let limit = self.probe_limit();
        // Beside the log (the audit file on SQLite): never behind a load's write.
        let probed = self
            .write_audit(move |c| use_probes(c, app_id, probes, limit))
            .await;
        if let (Err(_), Basis::Grant { id }) = (&probed, basis) {
            self.give_back_visits(*id, counted);
        }
        probed.map(|()| counted)
    }

    fn probe_limit(&self) -> i64 {
        self.probe_limit.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Counts an app's probes of the day, or refuses them past its limit.
fn use_probes(conn: &mut dyn Conn, app_id: i64, probes: i64, limit: i64) -> Result<()> {
    let day = crate::sharing::requests::today().to_string();
    let counted = if probes > limit {
        0
    } else {
        conn.execute(
            "INSERT INTO probe_usage (app_id, day, used) VALUES (?, ?, ?) ON CONFLICT (app_id, day) DO UPDATE SET used = probe_usage.used + excluded.used WHERE probe_usage.used + excluded.used <= ?",
            &params![app_id, &day, probes, limit],
        )?
    };
    if counted == 0 {
        return Err(Error::ProbeLimit(format!(
            "按脱敏信息项取值查询的次数已达今日上限（{limit}次），请改用核验接口或明日再试"
        ))
        .into());
    }
    Ok(())
}

/// The key values of a pool row, typed as its key columns, from text.
pub(crate) fn typed_key(
    schema: &govshare_domain::pool::PoolSchema,
    key: &[String],
) -> Result<(String, Vec<Value>)> {
    let cols: Vec<_> = schema.keys().collect();
    if cols.len() != key.len() {
        return Err(Error::invalid(
            "key",
            format!("该资源的主键有{}项，收到{}项", cols.len(), key.len()),
        )
        .into());
    }
    let mut values = Vec::new();
    for (c, k) in cols.iter().zip(key) {
        let v = parse_cell(&c.as_item(), k)
            .map_err(|reason| Error::invalid("key", format!("{}：{reason}", c.name)))?;
        values.push(to_value(v));
    }
    let cond = cols
        .iter()
        .map(|c| format!("\"{}\" = ?", c.column))
        .collect::<Vec<_>>()
        .join(" AND ");
    Ok((cond, values))
}

impl Store {
    /// An app reads the row with `key` (the key items' values in order): only the
    /// items the policy allows, masked where it says.
    pub(crate) async fn share_lookup(
        &self,
        app: &AppPrincipal,
        code: &str,
        key: Vec<String>,
        items: Option<Vec<String>>,
    ) -> Result<SharedRow> {
        let (d, values) = self.point_lookup(app, code, items.as_deref(), &key).await?;
        let (a, shape) = (&d.access, &d.shape);
        let shared = SharedRow {
            row: values.map(|values| shape.row(values)),
            resource_code: code.to_string(),
            masked: shape.masked.clone(),
            basis: a.decision.basis.clone(),
            purpose: a.purpose.clone(),
            audit_items: shape.audit_items.clone(),
            visits: 0,
        };
        let visits = self.count_visits(&shared.basis, 1).await?;
        Ok(SharedRow { visits, ..shared })
    }

    /// An app reads the row a change feed referred to by `reference`, as `share_lookup`
    /// does; a reference made for another app, resource or basis is refused.
    pub(crate) async fn share_lookup_ref(
        &self,
        app: &AppPrincipal,
        code: &str,
        reference: &str,
        items: Option<Vec<String>>,
    ) -> Result<SharedRow> {
        let (cache, owned_app, owned_code) = (self.sharing.clone(), app.clone(), code.to_string());
        let basis = self
            .read(move |c| {
                Ok(cache
                    .decided(c, &owned_app, &owned_code, None)?
                    .access
                    .decision
                    .basis
                    .clone())
            })
            .await?;
        let key = self
            .sealer
            .open(row_binding(app.app_id, code, &basis).as_bytes(), reference)
            .and_then(|k| String::from_utf8(k).ok())
            .ok_or_else(|| {
                StoreError::Domain(Error::BadCursor(
                    "行引用无效：只能使用本应用在同一授权下从变更记录中取得的引用".into(),
                ))
            })?;
        let parts = key.split('\u{1f}').map(str::to_string).collect();
        self.share_lookup(app, code, parts, items).await
    }

    /// An app checks claimed values of the row with `key`: match or not per item,
    /// nothing of the data itself. Any item the policy allows may be checked, masked
    /// ones included (the answer reveals no more than the claim).
    pub(crate) async fn share_verify(
        &self,
        app: &AppPrincipal,
        code: &str,
        key: Vec<String>,
        claims: std::collections::BTreeMap<String, String>,
    ) -> Result<Verification> {
        if claims.is_empty() || claims.len() > 50 {
            return Err(Error::invalid("claims", "请给出1到50个待核验的信息项").into());
        }
        let names: Vec<String> = claims.keys().cloned().collect();
        let (d, values) = self.point_lookup(app, code, Some(&names), &key).await?;
        let a = &d.access;
        let items = &a.resource.spec.items;
        let mut matches = std::collections::BTreeMap::new();
        for (n, (i, _)) in a.decision.columns.iter().enumerate() {
            let item = &items[*i];
            let claim = claims
                .iter()
                .find(|(k, _)| **k == item.name || k.eq_ignore_ascii_case(&item.column))
                .map(|(_, v)| v.as_str())
                .unwrap_or_default();
            let mut lenient = item.clone();
            lenient.required = false;
            // The claim is cleansed and typed as the stored value was.
            let claimed = parse_cell(&lenient, claim).ok().map(to_value);
            let ok = values
                .as_ref()
                .is_some_and(|v| claimed.as_ref() == Some(&v[n]) && v[n] != Value::Null);
            matches.insert(item.name.clone(), ok);
        }
        let verified = Verification {
            resource_code: code.to_string(),
            basis: a.decision.basis.clone(),
            purpose: a.purpose.clone(),
            found: values.is_some(),
            matches,
            visits: 0,
        };
        let visits = self.count_visits(&verified.basis, 1).await?;
        Ok(Verification { visits, ..verified })
    }
}

/// A pool's change feed as a consumer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SharedChanges {
    pub resource_code: String,
    pub basis: Basis,
    pub changes: Vec<SharedChange>,
    /// Visits counted under a grant (for the audit entry).
    #[serde(skip)]
    pub visits: i64,
}

/// One change as a consumer sees it: the key as its basis shows it, and a reference to
/// the row that is the same each time the row changes (for this basis only).
#[derive(Debug, Clone, Serialize)]
pub struct SharedChange {
    pub seq: i64,
    pub batch_id: i64,
    /// upsert, delete, or replace (the whole pool was replaced; the rows of the new
    /// snapshot follow).
    pub op: String,
    /// The key item values (joined by U+001F when there are several), masked where the
    /// basis masks them; absent when the basis does not include every key item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// An opaque reference to the row, stable for this app's basis and unreadable to
    /// it (absent for `replace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    pub at: String,
}

/// What a row reference is bound to: the app, the resource and the basis.
fn row_binding(app_id: i64, code: &str, basis: &Basis) -> String {
    format!("govshare-row-v1\0{app_id}\0{code}\0{}", basis.label())
}

/// How a basis shows a pool's key: in clear, masked item by item, or not at all.
enum KeyShown {
    Clear,
    Masked(Vec<String>),
    Hidden,
}

fn key_shown(a: &Access) -> KeyShown {
    let items = &a.resource.spec.items;
    let mut masked = Vec::new();
    let mut any_masked = false;
    for (i, item) in items.iter().enumerate().filter(|(_, it)| it.key) {
        match a.decision.columns.iter().find(|(c, _)| *c == i) {
            None => return KeyShown::Hidden,
            Some((_, m)) => {
                any_masked |= *m;
                masked.push(if *m { item.name.clone() } else { String::new() });
            }
        }
    }
    if any_masked {
        KeyShown::Masked(masked)
    } else {
        KeyShown::Clear
    }
}

impl Store {
    /// The changes to a pool after `since`, for an app that may read it: which rows
    /// changed, to fetch them again. One visit under a grant.
    pub(crate) async fn share_changes(
        &self,
        app: &AppPrincipal,
        code: &str,
        since: i64,
        limit: i64,
    ) -> Result<SharedChanges> {
        let (app, code, cache) = (app.clone(), code.to_string(), self.sharing.clone());
        let sealer = self.sealer.clone();
        let out = self
            .read(move |c| {
                let d = cache.decided(c, &app, &code, None)?;
                let a = &d.access;
                let shown = key_shown(a);
                let bound = format!(
                    "govshare-row-v1\0{}\0{}\0{}",
                    app.app_id,
                    code,
                    a.decision.basis.label()
                );
                let changes = crate::pool::tables::changes_since(c, a.resource.id, since, limit)?
                    .into_iter()
                    .map(|ch| {
                        let whole = ch.key == "*";
                        let row = (!whole)
                            .then(|| sealer.seal_fixed(bound.as_bytes(), ch.key.as_bytes()));
                        let key = match &shown {
                            _ if whole => Some(ch.key),
                            KeyShown::Clear => Some(ch.key),
                            KeyShown::Masked(names) => Some(
                                ch.key
                                    .split('\u{1f}')
                                    .zip(names)
                                    .map(|(part, name)| {
                                        if name.is_empty() {
                                            part.to_string()
                                        } else {
                                            mask(name, part)
                                        }
                                    })
                                    .collect::<Vec<_>>()
                                    .join("\u{1f}"),
                            ),
                            KeyShown::Hidden => None,
                        };
                        SharedChange {
                            seq: ch.seq,
                            batch_id: ch.batch_id,
                            op: ch.op,
                            key,
                            row,
                            at: ch.at,
                        }
                    })
                    .collect();
                Ok(SharedChanges {
                    resource_code: code,
                    basis: a.decision.basis.clone(),
                    changes,
                    visits: 0,
                })
            })
            .await?;
        let visits = self.count_visits(&out.basis, 1).await?;
        Ok(SharedChanges { visits, ..out })
    }
}

impl Store {
    /// The decided columns of the row with `key`, under a decision checked against the
    /// epoch read with the row: on SQLite in place, on PostgreSQL over the pipelined
    /// point-read connections (deciding, which is rare, on a blocking thread).
    pub(crate) async fn point_lookup(
        &self,
        app: &AppPrincipal,
        code: &str,
        items: Option<&[String]>,
        key: &[String],
    ) -> Result<(Arc<Decided>, Option<Vec<Value>>)> {
        let decide = || {
            let (cache, app, code) = (self.sharing.clone(), app.clone(), code.to_string());
            let items = items.map(<[String]>::to_vec);
            self.read(move |c| cache.decide(c, &app, &code, items.as_deref()))
        };
        // A lookup by key on SQLite takes microseconds: made in place on an idle
        // reader, since handing it to a blocking thread would cost more than the read.
        // When every reader is busy it goes to a blocking thread: a worker of the
        // runtime never waits for a connection.
        let points = match &*self.backend {
            crate::store::Backend::Sqlite(b) => {
                if let Some(done) = b.try_read(|c| self.sharing.lookup(c, app, code, items, key)) {
                    return done;
                }
                let (cache, app, code) = (self.sharing.clone(), app.clone(), code.to_string());
                let (items, key) = (items.map(<[String]>::to_vec), key.to_vec());
                return self
                    .read(move |c| cache.lookup(c, &app, &code, items.as_deref(), &key))
                    .await;
            }
            crate::store::Backend::Postgres(b) => &b.points,
        };
        let mut d = match self.sharing.get(&cache_key(app.app_id, code, items)) {
            Some(d) => d,
            None => decide().await?,
        };
        for _ in 0..ROUNDS {
            let (row, at) = points
                .lookup(
                    &d.lookup_sql,
                    d.gather_sql.as_deref(),
                    d.lookup_params(key)?,
                )
                .await?;
            match d.serve(row, at) {
                Some(served) => return Ok((d, served)),
                None => d = decide().await?,
            }
        }
        Err(still_changing())
    }
}
