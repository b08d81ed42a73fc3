//! Error correction (校核纠错): a consumer app reports a value it believes wrong, with
//! the value it proposes and its evidence; the provider accepts (and the pool row is
//! fixed in the same transaction, with a change-feed entry) or rejects with a reason,
//! within its deadline. Every report stays on record until it is closed.

use crate::db::conn::Conn;
use crate::org::apps::AppPrincipal;
use crate::page::Page;
use crate::pool::tables::schema_of;
use crate::sharing::reads::{access, typed_key};
use crate::sharing::requests::{calendar, today};
use crate::value::Value;
use crate::value::to_value;
use crate::{Caller, Result, Store, StoreError, params};
use chrono::NaiveDate;
use govshare_domain::Error;
use govshare_domain::pool::parse_cell;
use govshare_domain::sharing::request::DEFAULT_ANSWER_DAYS;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    /// The key items' values of the row, in order.
    pub key: Vec<String>,
    /// The item thought wrong, by name or column code.
    pub item: String,
    /// The value proposed instead.
    pub proposed: String,
    /// Why: the document or record that shows it (2–2,000 characters).
    pub evidence: String,
}

/// A report as filed (or refused because no row has its key, which counts a visit
/// all the same), with the basis it was made under and the visits it counted (for
/// its audit entry).
#[derive(Debug)]
pub struct Reported {
    pub filed: Result<Correction>,
    pub basis: govshare_domain::sharing::Basis,
    pub visits: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    pub id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub key: Vec<String>,
    pub item: String,
    pub proposed: String,
    pub evidence: String,
    /// `open`, `accepted` (the value was fixed) or `rejected`.
    pub state: String,
    pub deadline: NaiveDate,
    /// Open past its deadline.
    pub overdue: bool,
    pub note: String,
    pub reporter: String,
    pub handler: String,
    pub created_at: String,
    pub closed_at: Option<String>,
}

const COLUMNS: &str = "k.id, k.app_id, r.code, k.row_key, k.item, k.proposed, k.evidence, k.state, k.deadline, k.note, k.reporter, k.handler, k.created_at, k.closed_at";
const FROM: &str =
    "FROM corrections k JOIN resources r ON r.id = k.resource_id JOIN apps a ON a.id = k.app_id";

fn correction(row: &crate::value::Row) -> Result<Correction> {
    let deadline = NaiveDate::parse_from_str(&row.text("deadline")?, "%Y-%m-%d")
        .map_err(|e| StoreError::Db(e.to_string()))?;
    let state = row.text("state")?;
    Ok(Correction {
        id: row.i64("id")?,
        app_id: row.i64("app_id")?,
        resource_code: row.text("code")?,
        key: serde_json::from_str(&row.text("row_key")?)?,
        item: row.text("item")?,
        proposed: row.text("proposed")?,
        evidence: row.text("evidence")?,
        overdue: state == "open" && today() > deadline,
        state,
        deadline,
        note: row.text("note")?,
        reporter: row.text("reporter")?,
        handler: row.text("handler")?,
        created_at: row.text("created_at")?,
        closed_at: row.opt_text("closed_at")?,
    })
}

fn by_id(c: &mut dyn Conn, id: i64) -> Result<(Correction, i64, i64)> {
    let row = c
        .query_opt(
            &format!("SELECT {COLUMNS}, a.org_id, r.owner_org_id {FROM} WHERE k.id = ?"),
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("纠错", id.to_string())))?;
    Ok((
        correction(&row)?,
        row.i64("org_id")?,
        row.i64("owner_org_id")?,
    ))
}

/// Fixes one value of a pool row, as a change of its own in the pool's feed.
fn fix_value(
    c: &mut dyn Conn,
    resource_id: i64,
    key: &[String],
    item: &str,
    value: &str,
) -> Result<()> {
    let schema = schema_of(c, resource_id)?
        .ok_or_else(|| StoreError::Domain(Error::not_found("数据池", resource_id.to_string())))?;
    let col = schema
        .columns
        .iter()
        .find(|col| col.column == item && !col.hidden)
        .ok_or_else(|| Error::Conflict(format!("数据池中已没有信息项“{item}”")))?;
    if col.key {
        return Err(Error::Conflict("主键不能经纠错修改，请由提供方重新汇聚".into()).into());
    }
    let typed = parse_cell(&col.as_item(), value)
        .map(to_value)
        .map_err(|reason| {
            Error::invalid(
                "proposed",
                format!("建议值不符合信息项“{}”：{reason}", col.name),
            )
        })?;
    let (cond, key_values) = typed_key(&schema, key)?;
    let seq = c
        .query_one(
            &format!(
                "SELECT last_seq FROM pools WHERE resource_id = ?{}",
                if c.dialect() == crate::db::conn::Dialect::Postgres {
                    " FOR UPDATE"
                } else {
                    ""
                }
            ),
            &params![resource_id],
        )?
        .i64("last_seq")?
        + 1;
    let mut values = vec![typed, Value::Int(seq), Value::Text(crate::now())];
    values.extend(key_values);
    let n = c.execute(
        &format!(
            "UPDATE \"{}\" SET \"{}\" = ?, _seq = ?, _updated_at = ? WHERE {cond}",
            schema.table, col.column
        ),
        &values,
    )?;
    if n == 0 {
        return Err(Error::Conflict("数据池中已没有该主键的数据".into()).into());
    }
    c.execute(
        "UPDATE pools SET last_seq = ? WHERE resource_id = ?",
        &params![seq, resource_id],
    )?;
    Ok(())
}

/// Files a report on a row of `a`'s pool, or says no row has its key.
fn file_report(
    c: &mut dyn Conn,
    app: &AppPrincipal,
    code: &str,
    a: &crate::sharing::reads::Access,
    report: &NewCorrection,
) -> Result<Correction> {
    let (i, _) = a.decision.columns[0];
    let item = a.resource.spec.items[i].column.clone();
    let schema = schema_of(c, a.resource.id)?
        .ok_or_else(|| StoreError::Domain(Error::not_found("数据池", code.to_string())))?;
    let (cond, key_values) = typed_key(&schema, &report.key)?;
    let exists = c.query_opt(
        &format!("SELECT 1 FROM \"{}\" WHERE {cond}", schema.table),
        &key_values,
    )?;
    if exists.is_none() {
        return Err(Error::not_found("数据", report.key.join(",")).into());
    }
    let deadline = calendar(c)?.add_working_days(today(), DEFAULT_ANSWER_DAYS);
    let id = c
        .query_one(
            "INSERT INTO corrections (app_id, resource_id, row_key, item, proposed, evidence, state, deadline, reporter, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
            &params![
                app.app_id,
                a.resource.id,
                serde_json::to_string(&report.key)?,
                item,
                report.proposed.trim(),
                report.evidence.trim(),
                deadline.to_string(),
                &app.name,
                crate::now()
            ],
        )?
        .i64("id")?;
    Ok(by_id(c, id)?.0)
}

impl Store {
    /// An app reports a wrong value of a row it may read.
    pub(crate) async fn report_error(
        &self,
        app: &AppPrincipal,
        code: &str,
        report: NewCorrection,
    ) -> Result<Reported> {
        let evidence_len = report.evidence.trim().chars().count();
        if !(2..=2000).contains(&evidence_len) || report.proposed.chars().count() > 4000 {
            return Err(Error::invalid("evidence", "请说明依据（2到2000个字）").into());
        }
        let (app, code) = (app.clone(), code.to_string());
        // The report counts as a visit under a grant, even when no row has the key: a
        // report tells no more than a lookup would, and costs as much.
        let item = Some(vec![report.item.clone()]);
        let (a_app, a_code) = (app.clone(), code.clone());
        let basis = self
            .read(move |c| Ok(access(c, &a_app, &a_code, item.as_deref())?.decision.basis))
            .await?;
        let visits = self.count_visits(&basis, 1).await?;
        let asked = basis.clone();
        let filed = self
            .write(move |c| {
                let a = access(c, &app, &code, Some(std::slice::from_ref(&report.item)))?;
                if a.decision.basis != asked {
                    return Err(crate::sharing::cache::still_changing());
                }
                Ok(file_report(c, &app, &code, &a, &report))
            })
            .await;
        match filed {
            Ok(filed) => Ok(Reported {
                filed,
                basis,
                visits,
            }),
            Err(e) => {
                if let govshare_domain::sharing::Basis::Grant { id } = basis {
                    self.give_back_visits(id, visits);
                }
                Err(e)
            }
        }
    }

    /// Reports the caller is party to: its apps' reports and those about its
    /// resources (all for the bureau and auditors); one page, newest first.
    pub(crate) async fn corrections(&self, caller: &Caller, page: Page) -> Result<Vec<Correction>> {
        let (conds, mut values) = crate::sharing::parties::party_filter(caller)?;
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} {FROM}{}",
                page.clause("k.id", conds, &mut values)
            );
            c.query(&sql, &values)?.iter().map(correction).collect()
        })
        .await
    }

    /// The provider closes a report: accepted (the value is fixed in the pool, in the
    /// same transaction) or rejected with a reason. The provider's users or the bureau.
    pub(crate) async fn answer_correction(
        &self,
        caller: &Caller,
        id: i64,
        accept: bool,
        note: String,
    ) -> Result<Correction> {
        if !accept && note.trim().chars().count() < 4 {
            return Err(Error::invalid("note", "不予更正须写明理由（至少4个字）").into());
        }
        let caller = caller.clone();
        self.write(move |c| {
            let (k, consumer, provider) = by_id(c, id)?;
            if !caller.is_party(&[consumer, provider]) {
                return Err(Error::not_found("纠错", id.to_string()).into());
            }
            if !caller.is_party(&[provider]) {
                return Err(Error::Forbidden("只有数据提供方可以处理纠错".into()).into());
            }
            // Fixing a value is keeping the provider's data: its admins and operators.
            caller.check(|p| p.check_edit(provider, govshare_domain::lifecycle::State::Draft))?;
            if k.state != "open" {
                return Err(Error::Conflict("该纠错已处理".into()).into());
            }
            if accept {
                let resource_id = c
                    .query_one("SELECT resource_id FROM corrections WHERE id = ?", &params![id])?
                    .i64("resource_id")?;
                fix_value(c, resource_id, &k.key, &k.item, &k.proposed)?;
            }
            c.execute(
                "UPDATE corrections SET state = ?, note = ?, handler = ?, closed_at = ? WHERE id = ? AND state = 'open'",
                &params![if accept { "accepted" } else { "rejected" }, note.trim(), caller.name(), crate::now(), id],
            )?;
            Ok(by_id(c, id)?.0)
        })
        .await
    }
}
