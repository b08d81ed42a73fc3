//! A new installation: the bureau, the national classification and the first bureau
//! admin, before anyone can sign in.

use govshare_domain::Error;
use govshare_domain::access::Role;
use govshare_store::org::users::NewUser;
use govshare_store::prelude::*;
use govshare_store::{Caller, Result, Store, StoreError};

/// What a new installation needs before anyone can sign in: the bureau, the
/// national classification lists and the first bureau admin.
pub struct Installation {
    pub bureau: govshare_domain::org::OrgSpec,
    pub admin_username: String,
    pub admin_name: String,
    pub admin_password: String,
}

/// Registers the bureau and the national classification, and creates the first
/// bureau admin. Safe to repeat: existing records are updated, not duplicated, and
/// an existing admin keeps the password it has.
pub async fn init_installation(store: &Store, inst: Installation) -> Result<bool> {
    if inst.bureau.kind != govshare_domain::org::OrgKind::Bureau {
        return Err(Error::invalid(
            "kind",
            "首个机构必须是大数据局 (the first organisation must be the bureau, kind bureau)",
        )
        .into());
    }
    govshare_domain::password::check_password(&inst.admin_username, &inst.admin_password)?;
    let system = Caller::System("init".into());
    let org = store.upsert_org(&system, inst.bureau).await?;
    store
        .upsert_classes(&system, govshare_domain::classification::national_classes())
        .await?;
    if store.credentials(&inst.admin_username).await?.is_some() {
        return Ok(false);
    }
    let hash = crate::auth::hash_password(&inst.admin_password).map_err(StoreError::Db)?;
    let user = NewUser {
        username: inst.admin_username,
        display_name: inst.admin_name,
        password_hash: hash,
        role: Role::BureauAdmin,
        org_id: org.id,
    };
    store.create_user(&system, user).await?;
    Ok(true)
}
