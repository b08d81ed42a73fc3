//! Creating, updating and moving catalog entries through their lifecycle, each in
//! one transaction with its permission check, history entry and change-feed row.

use crate::catalog::write::{RefCheck, insert, load_for_change, record_history, update};
use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Caller, Store};
use govshare_domain::lifecycle::{Action, State, next_state};
use govshare_domain::resource::{CatalogRecord, Resource, ResourceSpec};
use govshare_domain::{Error, Problem, rules};

fn invalid_unless_empty(problems: Vec<Problem>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems).into())
    }
}

pub fn create(conn: &mut dyn Conn, caller: &Caller, mut spec: ResourceSpec) -> Result<Resource> {
    rules::normalize(&mut spec);
    let mut problems = rules::validate(&spec);
    let owner = RefCheck::default().check(conn, &mut spec, true, &mut problems)?;
    invalid_unless_empty(problems)?;
    let owner = owner.expect("no problems means the provider was found");
    caller.check(|p| p.check_create(owner))?;
    insert(
        conn,
        &CatalogRecord {
            spec,
            state: State::Draft,
        },
        owner,
        caller,
        "create",
        true,
    )
}

pub fn edit(
    conn: &mut dyn Conn,
    caller: &Caller,
    code: &str,
    mut spec: ResourceSpec,
    expected_version: Option<i64>,
) -> Result<Resource> {
    let current = load_for_change(conn, code, caller)?;
    caller.check(|p| p.check_edit(current.owner_org_id, current.state))?;
    if let Some(v) = expected_version.filter(|v| *v != current.version) {
        return Err(Error::Conflict(format!(
            "资源“{code}”已更新到第{}版，你修改的是第{v}版，请刷新后重试",
            current.version
        ))
        .into());
    }
    rules::normalize(&mut spec);
    let mut problems = rules::validate(&spec);
    if spec.code.as_deref().is_some_and(|c| c != code) {
        problems.push(Problem::new("code", "资源代码不可修改"));
    }
    if spec.classification != current.spec.classification {
        problems.push(Problem::new(
            "classification",
            "信息资源分类不可修改（分类决定资源代码），请新建资源",
        ));
    }
    if spec.provider_code != current.spec.provider_code {
        problems.push(Problem::new("provider_code", "信息资源提供方不可修改"));
    }
    spec.code = Some(code.to_string());
    RefCheck::default().check(conn, &mut spec, false, &mut problems)?;
    invalid_unless_empty(problems)?;
    if spec == current.spec {
        return Ok(current);
    }
    let items_changed = spec.items != current.spec.items;
    let next = Resource {
        spec,
        version: current.version + 1,
        updated_at: crate::now(),
        ..current
    };
    update(conn, &next)?;
    if items_changed && let Some(pool) = crate::pool::tables::schema_of(conn, next.id)? {
        crate::pool::tables::evolve_pool(conn, &next, &pool)?;
    }
    record_history(conn, &next, "update", Some(next.state), caller, "")?;
    Ok(next)
}

pub fn transition(
    conn: &mut dyn Conn,
    caller: &Caller,
    code: &str,
    action: Action,
    reason: &str,
) -> Result<Resource> {
    let current = load_for_change(conn, code, caller)?;
    caller.check(|p| p.check_action(current.owner_org_id, action))?;
    let reason = reason.trim();
    if action.needs_reason() && reason.is_empty() {
        return Err(Error::invalid("reason", format!("“{}”需要填写原因", action.label())).into());
    }
    if reason.chars().count() > 1000 {
        return Err(Error::invalid("reason", "原因不能超过1000字").into());
    }
    let from = current.state;
    let to = next_state(from, action)?;
    let mut next = Resource {
        state: to,
        version: current.version + 1,
        updated_at: crate::now(),
        ..current
    };
    if to == State::Published && next.spec.published_on.is_none() {
        next.spec.published_on = Some(crate::clock::today());
    }
    update(conn, &next)?;
    record_history(conn, &next, action.code(), Some(from), caller, reason)?;
    if to == State::Registered {
        crate::pool::tables::ensure_pool(conn, &next)?;
    }
    Ok(next)
}

impl Store {
    pub(crate) async fn create_resource(
        &self,
        caller: &Caller,
        spec: ResourceSpec,
    ) -> Result<Resource> {
        let caller = caller.clone();
        self.write(move |c| create(c, &caller, spec)).await
    }

    pub(crate) async fn update_resource(
        &self,
        caller: &Caller,
        code: &str,
        spec: ResourceSpec,
        expected_version: Option<i64>,
    ) -> Result<Resource> {
        let (caller, code) = (caller.clone(), code.to_string());
        self.write(move |c| edit(c, &caller, &code, spec, expected_version))
            .await
    }

    pub(crate) async fn transition_resource(
        &self,
        caller: &Caller,
        code: &str,
        action: Action,
        reason: &str,
    ) -> Result<Resource> {
        let (caller, code, reason) = (caller.clone(), code.to_string(), reason.to_string());
        self.write(move |c| transition(c, &caller, &code, action, &reason))
            .await
    }
}
