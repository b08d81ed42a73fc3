//! Writing catalog entries: the checks that need the store (provider, classification,
//! themes, related codes, duplicate codes), code generation, and the rows that one
//! entry spans (entry, items, themes, history, change feed). Shared by create, update,
//! lifecycle steps and import.

use crate::catalog::{changes, classes, resources};
use crate::db::conn::Conn;
use crate::error::Result;
use crate::value::Value;
use crate::{Caller, params};
use govshare_domain::Problem;
use govshare_domain::classification::ResourceCode;
use govshare_domain::lifecycle::State;
use govshare_domain::resource::{CatalogRecord, Resource, ResourceSpec};
use std::collections::{HashMap, HashSet};

/// Memoised look-ups for checking many entries in one transaction.
#[derive(Default)]
pub(crate) struct RefCheck {
    orgs: HashMap<String, Option<(i64, String)>>,
    classes: HashMap<String, bool>,
    themes: HashMap<String, bool>,
    /// Codes created earlier in the same batch.
    pub batch_codes: HashSet<String>,
    /// Every code of the batch, which related codes may point at.
    pub file_codes: HashSet<String>,
    /// Codes looked up in advance for a batch, and which of them are stored.
    preloaded: HashSet<String>,
    stored_codes: HashSet<String>,
}

impl RefCheck {
    fn org(&mut self, conn: &mut dyn Conn, code: &str) -> Result<Option<(i64, String)>> {
        if let Some(hit) = self.orgs.get(code) {
            return Ok(hit.clone());
        }
        let row = conn.query_opt(
            "SELECT id, name FROM orgs WHERE credit_code = ?",
            &params![code],
        )?;
        let found = row
            .map(|r| Ok::<_, crate::StoreError>((r.i64("id")?, r.text("name")?)))
            .transpose()?;
        self.orgs.insert(code.to_string(), found.clone());
        Ok(found)
    }

    fn class(&mut self, conn: &mut dyn Conn, code: &str) -> Result<bool> {
        if let Some(hit) = self.classes.get(code) {
            return Ok(*hit);
        }
        let found = classes::exists(conn, code)?;
        self.classes.insert(code.to_string(), found);
        Ok(found)
    }

    fn theme(&mut self, conn: &mut dyn Conn, code: &str) -> Result<bool> {
        if let Some(hit) = self.themes.get(code) {
            return Ok(*hit);
        }
        let found = conn
            .query_opt("SELECT 1 FROM themes WHERE code = ?", &params![code])?
            .is_some();
        self.themes.insert(code.to_string(), found);
        Ok(found)
    }

    fn code_taken(&self, conn: &mut dyn Conn, code: &str) -> Result<bool> {
        if self.batch_codes.contains(code) {
            return Ok(true);
        }
        if self.preloaded.contains(code) {
            return Ok(self.stored_codes.contains(code));
        }
        Ok(conn
            .query_opt("SELECT 1 FROM resources WHERE code = ?", &params![code])?
            .is_some())
    }

    /// Loads which of `codes` are already stored, in a few queries instead of one each.
    pub fn load_stored_codes(&mut self, conn: &mut dyn Conn, codes: &[&str]) -> Result<()> {
        let mut stored = HashSet::new();
        for chunk in codes.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let values: Vec<Value> = chunk.iter().map(|c| Value::from(*c)).collect();
            for row in conn.query(
                &format!("SELECT code FROM resources WHERE code IN ({marks})"),
                &values,
            )? {
                stored.insert(row.text("code")?);
            }
        }
        self.preloaded.extend(codes.iter().map(|c| c.to_string()));
        self.stored_codes.extend(stored);
        Ok(())
    }

    /// Checks an entry's references. For a new entry, also that its code is free.
    /// Fills in the provider's registered name. Returns the owner org id when known.
    pub fn check(
        &mut self,
        conn: &mut dyn Conn,
        spec: &mut ResourceSpec,
        new: bool,
        p: &mut Vec<Problem>,
    ) -> Result<Option<i64>> {
        let owner = match self.org(conn, &spec.provider_code)? {
            None => {
                let who = if spec.provider.trim().is_empty() {
                    format!("提供方代码“{}”对应的机构", spec.provider_code)
                } else {
                    format!(
                        "提供方“{}”（统一社会信用代码 {}）",
                        spec.provider.trim(),
                        spec.provider_code
                    )
                };
                p.push(Problem::new(
                    "provider_code",
                    format!(
                        "{who}未登记：请先登记该单位，或由大数据局导入时同时登记提供方（create_providers）"
                    ),
                ));
                None
            }
            Some((id, name)) => {
                if !spec.provider.is_empty() && spec.provider != name {
                    p.push(Problem::new(
                        "provider",
                        format!("提供方“{}”与代码登记的机构“{name}”不一致", spec.provider),
                    ));
                }
                spec.provider = name;
                Some(id)
            }
        };
        if !spec.classification.is_empty() && !self.class(conn, &spec.classification)? {
            p.push(Problem::new(
                "classification",
                format!("信息资源分类“{}”不在分类目录中", spec.classification),
            ));
        }
        for (i, t) in spec.themes.iter().enumerate() {
            if !self.theme(conn, t)? {
                p.push(Problem::new(
                    format!("themes[{i}]"),
                    format!("主题“{t}”不存在"),
                ));
            }
        }
        for (i, code) in spec.related_codes.iter().enumerate() {
            if ResourceCode::parse(code).is_ok()
                && !self.file_codes.contains(code)
                && !self.code_taken(conn, code)?
            {
                p.push(Problem::new(
                    format!("related_codes[{i}]"),
                    format!("关联资源“{code}”不存在"),
                ));
            }
        }
        if new
            && let Some(code) = &spec.code
            && self.code_taken(conn, code)?
        {
            p.push(Problem::new(
                "code",
                format!("资源代码“{code}”已存在（代码不可重复使用）"),
            ));
        }
        Ok(owner)
    }
}

/// The next free code under a classification; sequence numbers are never reused.
fn next_code(conn: &mut dyn Conn, class: &str) -> Result<String> {
    loop {
        let seq = conn
            .query_one(
                "INSERT INTO code_sequences (class_code, last_seq) VALUES (?, 1) ON CONFLICT (class_code) DO UPDATE SET last_seq = code_sequences.last_seq + 1 RETURNING last_seq",
                &params![class],
            )?
            .i64("last_seq")?;
        let code = ResourceCode::format(class, seq as u32);
        if conn
            .query_opt("SELECT 1 FROM resources WHERE code = ?", &params![&code])?
            .is_none()
        {
            return Ok(code);
        }
    }
}

/// Records that a sequence number is used, so that generated codes stay above it.
pub(crate) fn claim_code(conn: &mut dyn Conn, code: &ResourceCode) -> Result<()> {
    conn.execute(
        "INSERT INTO code_sequences (class_code, last_seq) VALUES (?, ?) ON CONFLICT (class_code) DO UPDATE SET last_seq = CASE WHEN code_sequences.last_seq > excluded.last_seq THEN code_sequences.last_seq ELSE excluded.last_seq END",
        &params![&code.classification, code.sequence as i64],
    )?;
    Ok(())
}

fn stored_json(spec: &ResourceSpec) -> Result<String> {
    let mut s = spec.clone();
    s.code = None;
    Ok(serde_json::to_string(&s)?)
}

/// Writes the item and theme rows of an entry; `replace` removes the old ones first.
fn write_children(conn: &mut dyn Conn, id: i64, spec: &ResourceSpec, replace: bool) -> Result<()> {
    if replace {
        conn.execute(
            "DELETE FROM resource_items WHERE resource_id = ?",
            &params![id],
        )?;
        conn.execute(
            "DELETE FROM resource_themes WHERE resource_id = ?",
            &params![id],
        )?;
    }
    for (n, items) in spec.items.chunks(200).enumerate() {
        let groups = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; items.len()].join(", ");
        let mut values: Vec<Value> = Vec::with_capacity(items.len() * 9);
        for (i, it) in items.iter().enumerate() {
            values.extend(params![
                id,
                (n * 200 + i) as i64,
                &it.name,
                &it.column,
                it.data_type.code(),
                it.length as i64,
                it.key,
                it.required,
                it.sensitive
            ]);
        }
        conn.execute(
            &format!("INSERT INTO resource_items (resource_id, position, name, column_name, data_type, length, is_key, is_required, is_sensitive) VALUES {groups}"),
            &values,
        )?;
    }
    if !spec.themes.is_empty() {
        let groups = vec!["(?, ?)"; spec.themes.len()].join(", ");
        let values: Vec<Value> = spec.themes.iter().flat_map(|t| params![id, t]).collect();
        conn.execute(
            &format!("INSERT INTO resource_themes (resource_id, theme_code) VALUES {groups}"),
            &values,
        )?;
    }
    Ok(())
}

/// Appends a history entry holding the entry as it now stands, and a change-feed row.
pub(crate) fn record_history(
    conn: &mut dyn Conn,
    r: &Resource,
    action: &str,
    from: Option<State>,
    caller: &Caller,
    reason: &str,
) -> Result<()> {
    let snapshot = serde_json::to_string(&r.to_record())?;
    conn.execute(
        "INSERT INTO resource_history (resource_id, version, action, from_state, to_state, actor_id, actor_name, reason, at, snapshot_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &params![r.id, r.version, action, from.map(|s| s.code()), r.state.code(), caller.user_id(), caller.name(), reason, &r.updated_at, snapshot],
    )?;
    changes::record(conn, r.id, &r.code, action)
}

/// Inserts a checked entry (code given or generated) with its children and history.
/// `claim` records the given code's sequence number; a batch that claimed its
/// highest numbers up front passes false.
pub(crate) fn insert(
    conn: &mut dyn Conn,
    record: &CatalogRecord,
    owner: i64,
    caller: &Caller,
    action: &str,
    claim: bool,
) -> Result<Resource> {
    let spec = &record.spec;
    let code = match &spec.code {
        Some(c) => {
            if claim {
                let parsed = ResourceCode::parse(c)
                    .map_err(|r| govshare_domain::Error::invalid("code", r))?;
                claim_code(conn, &parsed)?;
            }
            c.clone()
        }
        None => next_code(conn, &spec.classification)?,
    };
    let now = crate::now();
    let id = conn
        .query_one(
            "INSERT INTO resources (code, classification, name, owner_org_id, state, version, sharing_type, open_type, format_category, update_cycle, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &params![
                &code, &spec.classification, &spec.name, owner, record.state.code(), spec.sharing_type.code(), spec.open_type.code(),
                spec.format_category.code(), spec.update_cycle.code(), stored_json(spec)?, &now, &now
            ],
        )?
        .i64("id")?;
    write_children(conn, id, spec, false)?;
    let mut stored = spec.clone();
    stored.code = Some(code.clone());
    let r = Resource {
        id,
        code,
        spec: stored,
        state: record.state,
        version: 1,
        owner_org_id: owner,
        created_at: now.clone(),
        updated_at: now,
    };
    record_history(conn, &r, action, None, caller, "")?;
    Ok(r)
}

/// Replaces the content and/or state of an entry whose version is still `r.version - 1`.
pub(crate) fn update(conn: &mut dyn Conn, r: &Resource) -> Result<()> {
    let changed = conn.execute(
        "UPDATE resources SET name = ?, state = ?, version = ?, sharing_type = ?, open_type = ?, format_category = ?, update_cycle = ?, spec_json = ?, updated_at = ? WHERE id = ? AND version = ?",
        &params![
            &r.spec.name, r.state.code(), r.version, r.spec.sharing_type.code(), r.spec.open_type.code(), r.spec.format_category.code(),
            r.spec.update_cycle.code(), stored_json(&r.spec)?, &r.updated_at, r.id, r.version - 1
        ],
    )?;
    if changed != 1 {
        return Err(govshare_domain::Error::Conflict(format!(
            "资源“{}”已被他人修改，请刷新后重试",
            r.code
        ))
        .into());
    }
    write_children(conn, r.id, &r.spec, true)
}

/// Loads the current row of an entry for a change; one the caller cannot see is missing.
pub(crate) fn load_for_change(
    conn: &mut dyn Conn,
    code: &str,
    caller: &Caller,
) -> Result<Resource> {
    resources::get_visible(conn, code, caller.visibility())
}
