//! Sharing statistics: answered data calls by day (China time), by consumer, by
//! provider and by resource, with the totals a bureau reports (cumulative calls, calls
//! per day). They are read from the hourly counts kept with the audit log
//! (`share_calls`), not from the log itself.

use crate::audit::calls;
use crate::{Result, Store, params};
use govshare_domain::access::Visibility;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// An organisation's credit code, a resource code, or a day.
    pub key: String,
    pub name: String,
    pub calls: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareStats {
    /// Answered data calls in the period (the whole log when no period is given).
    pub total_calls: i64,
    /// Rows served by those calls.
    pub rows_served: i64,
    pub by_day: Vec<Count>,
    pub by_consumer: Vec<Count>,
    pub by_provider: Vec<Count>,
    pub by_resource: Vec<Count>,
}

fn sorted(map: BTreeMap<String, (String, i64)>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(key, (name, calls))| Count { key, name, calls })
        .collect();
    v.sort_by(|a, b| b.calls.cmp(&a.calls).then(a.key.cmp(&b.key)));
    v
}

impl Store {
    /// Statistics of answered data calls between two China-time days (inclusive).
    /// The bureau sees everything; an organisation sees the calls it made and the
    /// calls made to its resources.
    pub(crate) async fn share_stats(
        &self,
        v: Visibility,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<ShareStats> {
        // China time is UTC+8: a China day starts at 16:00 UTC the day before. Hours
        // are counted as `2026-12-06T09` (UTC).
        let bound = |d: chrono::NaiveDate| {
            (d.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8))
                .format("%Y-%m-%dT%H")
                .to_string()
        };
        let start = from.map(bound).unwrap_or_default();
        let end = to
            .map(|d| bound(d + chrono::Duration::days(1)))
            .unwrap_or_else(|| "9999".into());
        self.read(move |c| {
            // The entries not counted yet (a second's worth at most, on a running node)
            // join the counts kept as literal rows.
            let (mut tail, mut tail_rows) = (Vec::new(), Vec::new());
            for ((hour, org, code, outcome), (calls, rows)) in calls::uncounted(c)? {
                if outcome == "ok" && hour >= start && hour < end {
                    tail.extend(params![hour, org, code, calls, rows]);
                    tail_rows.push("(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))");
                }
            }
            let tail_sql = match tail_rows.is_empty() {
                true => String::new(),
                false => format!(" UNION ALL VALUES {}", tail_rows.join(", ")),
            };
            let scope = match v {
                Visibility::All => String::new(),
                Visibility::PublishedAndOwn(org) => format!(" AND (s.org_id = {org} OR r.owner_org_id = {org})"),
                Visibility::PublicOpen => " AND 1 = 0".into(),
            };
            let rows = c.query(
                &format!(
                    "SELECT s.hour, co.credit_code AS consumer_code, co.name AS consumer_name, \
                     po.credit_code AS provider_code, po.name AS provider_name, s.resource_code, r.name AS resource_name, \
                     CAST(SUM(s.calls) AS BIGINT) AS calls, CAST(SUM(s.rows_served) AS BIGINT) AS rows_served \
                     FROM (SELECT hour, org_id, resource_code, calls, rows_served FROM share_calls \
                           WHERE outcome = 'ok' AND hour >= ? AND hour < ?{tail_sql}) s \
                     LEFT JOIN resources r ON r.code = s.resource_code \
                     LEFT JOIN orgs co ON co.id = s.org_id LEFT JOIN orgs po ON po.id = r.owner_org_id \
                     WHERE 1 = 1{scope} \
                     GROUP BY s.hour, co.credit_code, co.name, po.credit_code, po.name, s.resource_code, r.name"
                ),
                &[params![&start, &end].to_vec(), tail].concat(),
            )?;
            let (mut total, mut served) = (0, 0);
            let (mut days, mut consumers, mut providers, mut resources) =
                (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
            for row in rows {
                let calls = row.i64("calls")?;
                total += calls;
                served += row.opt_i64("rows_served")?.unwrap_or(0);
                let hour = chrono::NaiveDateTime::parse_from_str(&format!("{}:00", row.text("hour")?), "%Y-%m-%dT%H:%M")
                    .map_err(|e| crate::StoreError::Db(e.to_string()))?;
                let day = (hour + chrono::Duration::hours(8)).date().to_string();
                let add = |map: &mut BTreeMap<String, (String, i64)>, key: Option<String>, name: Option<String>| {
                    let e = map
                        .entry(key.unwrap_or_default())
                        .or_insert((name.unwrap_or_default(), 0));
                    e.1 += calls;
                };
                add(&mut days, Some(day), None);
                add(&mut consumers, row.opt_text("consumer_code")?, row.opt_text("consumer_name")?);
                add(&mut providers, row.opt_text("provider_code")?, row.opt_text("provider_name")?);
                add(&mut resources, row.opt_text("resource_code")?, row.opt_text("resource_name")?);
            }
            let mut by_day: Vec<Count> = days
                .into_iter()
                .map(|(key, (_, calls))| Count { name: key.clone(), key, calls })
                .collect();
            by_day.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(ShareStats {
                total_calls: total,
                rows_served: served,
                by_day,
                by_consumer: sorted(consumers),
                by_provider: sorted(providers),
                by_resource: sorted(resources),
            })
        })
        .await
    }
}
