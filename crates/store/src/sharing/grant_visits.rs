//! The store's side of counting visits under grants (see `meter`): a call's visits
//! taken from this node's allowance, loaded when first needed (and each new day), and
//! leased on PostgreSQL as the node runs short.

use crate::sharing::meter::{
    Allowance, Limit, Take, exhausted, grant_row, lease, trim_past_leases,
};
use crate::{Result, Store, params};
use chrono::NaiveDate;

impl Store {
    /// Takes `visits` under grant `grant` from this node's allowance, or refuses them
    /// all (403 for a grant revoked or out of its period, 429 past a quota).
    pub(crate) async fn take_visits(&self, grant: i64, visits: i64) -> Result<()> {
        let gauge = self.meter.gauge(grant);
        // Each round either takes, refuses, or loads or leases first; a lease that
        // brings nothing refuses, so the rounds end.
        loop {
            let today = crate::clock::today();
            match gauge.take(visits, today) {
                Take::Taken => return Ok(()),
                Take::Refused(e) => return Err(e),
                Take::Load => {
                    let _one = gauge.refill.lock().await;
                    if gauge.held().is_some_and(|a| a.day == today) {
                        continue;
                    }
                    let before = gauge.held();
                    let mut a = self.load_allowance(grant, today, before.clone()).await?;
                    // Calls answered just before a new day may not be in the log yet.
                    if let Some(b) = before {
                        a.total.used = a.total.used.max(b.total.used);
                    }
                    gauge.set(a);
                }
                Take::Short => {
                    let _one = gauge.refill.lock().await;
                    // Another call may have leased meanwhile.
                    match gauge.take(visits, today) {
                        Take::Taken => return Ok(()),
                        Take::Refused(e) => return Err(e),
                        Take::Load => continue,
                        Take::Short => {}
                    }
                    let (node, day) = (self.meter.node(), today.to_string());
                    let leased = self
                        .write(move |c| lease(c, grant, &node, &day, visits))
                        .await?;
                    if leased == 0 {
                        let total_left =
                            gauge.held().is_some_and(|a| a.total.allowed > a.total.used);
                        return Err(exhausted(total_left));
                    }
                    let mut a = gauge.held().expect("loaded before it was short");
                    a.total.allowed += leased;
                    a.today.allowed += leased;
                    gauge.set(a);
                }
            }
        }
    }

    /// Gives back visits taken for a call that was then refused (before its entry was
    /// written), so that they are not counted.
    pub(crate) fn give_back_visits(&self, grant: i64, visits: i64) {
        self.meter
            .gauge(grant)
            .give_back(visits, crate::clock::today());
    }

    /// The allowance of this node under `grant` for `today`, from the grant, the leases
    /// and the log. On PostgreSQL this node's leases of past days are first cut to what
    /// it used on them (by the log, or by `before` when that knew more: entries may
    /// still be on their way from the journal).
    async fn load_allowance(
        &self,
        grant: i64,
        today: NaiveDate,
        before: Option<Allowance>,
    ) -> Result<Allowance> {
        let day = today.to_string();
        if self.backend_name() == "sqlite" {
            return self
                .read(move |c| {
                    let g = grant_row(c, grant, &day)?;
                    let (total, on_day) = crate::audit::visits::logged(c, grant, &day, None)?;
                    Ok(Allowance {
                        day: today,
                        closed: g.closed(&day),
                        total: Limit {
                            allowed: g.total_quota - g.legacy_total,
                            used: total,
                        },
                        today: Limit {
                            allowed: g.daily_quota - g.legacy_day,
                            used: on_day,
                        },
                        leased: false,
                    })
                })
                .await;
        }
        let node = self.meter.node();
        self.write(move |c| {
            let g = grant_row(c, grant, &day)?;
            let remembered = before.map(|a| (a.day.to_string(), a.today.used));
            trim_past_leases(c, grant, &node, &day, remembered)?;
            let (total, on_day) = crate::audit::visits::logged(c, grant, &day, Some(&node))?;
            let leases = c.query(
                "SELECT day, leased FROM grant_leases WHERE grant_id = ? AND node_id = ?",
                &params![grant, &*node],
            )?;
            let (mut leased_total, mut leased_today) = (0, 0);
            for l in leases {
                let n = l.i64("leased")?;
                leased_total += n;
                if l.text("day")? == day {
                    leased_today += n;
                }
            }
            Ok(Allowance {
                day: today,
                closed: g.closed(&day),
                total: Limit {
                    allowed: leased_total,
                    used: total,
                },
                today: Limit {
                    allowed: leased_today,
                    used: on_day,
                },
                leased: true,
            })
        })
        .await
    }
}
