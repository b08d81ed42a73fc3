//! Deciding an app's read of a resource: what the app's organisation stands on (its
//! own resource, an approved registration, a live grant, nothing), and the domain's
//! decision on the items asked for.

use crate::Result;
use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::org::apps::AppPrincipal;
use crate::params;
pub use crate::sharing::served::Access;
use govshare_domain::Error;
use govshare_domain::access::Visibility;
use govshare_domain::lifecycle::State;
use govshare_domain::resource::Resource;
use govshare_domain::sharing::{Standing, decide};

/// The standing of an app's organisation for a resource, and the purpose it stated.
fn standing(conn: &mut dyn Conn, app: &AppPrincipal, r: &Resource) -> Result<(Standing, String)> {
    if r.owner_org_id == app.org_id {
        return Ok((Standing::Owner, String::new()));
    }
    let reg = conn.query_opt(
        "SELECT id, purpose FROM share_registrations WHERE app_id = ? AND resource_id = ? AND status = 'approved'",
        &params![app.app_id, r.id],
    )?;
    if let Some(row) = reg {
        return Ok((
            Standing::Registration { id: row.i64("id")? },
            row.text("purpose")?,
        ));
    }
    let Some((id, scope)) = crate::sharing::requests::live_grant(conn, app.app_id, r.id)? else {
        return Ok((Standing::Nothing, String::new()));
    };
    let purpose = conn
        .query_one(
            "SELECT q.purpose FROM share_grants g JOIN share_requests q ON q.id = g.request_id WHERE g.id = ?",
            &params![id],
        )?
        .text("purpose")?;
    Ok((
        Standing::Grant {
            id,
            items: scope.items,
            unmasked: scope.unmasked,
        },
        purpose,
    ))
}

/// Decides an app's read of a resource's items.
pub fn access(
    conn: &mut dyn Conn,
    app: &AppPrincipal,
    code: &str,
    items: Option<&[String]>,
) -> Result<Access> {
    let r = get_visible(conn, code, Visibility::PublishedAndOwn(app.org_id))?;
    if r.owner_org_id != app.org_id && r.state != State::Published {
        return Err(Error::not_found("资源", code.to_string()).into());
    }
    let (standing, purpose) = standing(conn, app, &r)?;
    let decision = decide(r.spec.sharing_type, &r.spec.items, &standing, items)?;
    Ok(Access {
        resource: r,
        decision,
        purpose,
    })
}
