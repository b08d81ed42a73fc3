//! Organisations, their users and sessions, their apps and keys, who is calling, and
//! the installation's own secrets.

pub mod apps;
pub mod caller;
pub mod orgs;
pub(crate) mod secrets;
pub mod users;

use crate::capability::capability;
use crate::org::apps::{AppInfo, StoredKey};
use crate::org::users::{Credentials, NewUser, User, UserChange};
use crate::{Caller, Result};
use govshare_domain::access::Principal;
use govshare_domain::org::{Org, OrgSpec};

capability! {
    /// Organisations, users, sessions and apps as the server uses them.
    pub trait OrgStore {
        async fn list_orgs(&self) -> Result<Vec<Org>>;
        async fn org_by_code(&self, code: &str) -> Result<Org>;
        async fn org_by_id(&self, id: i64) -> Result<Option<Org>>;
        async fn org_name(&self, id: i64) -> Result<Option<String>>;
        async fn upsert_org(&self, caller: &Caller, spec: OrgSpec) -> Result<Org>;
        async fn create_user(&self, caller: &Caller, user: NewUser) -> Result<User>;
        /// The users of an organisation (the bureau: of any, or all), for those who
        /// manage them.
        async fn users(&self, caller: &Caller, org_id: Option<i64>) -> Result<Vec<User>>;
        /// Activates or deactivates a user, changes their role or resets their password.
        async fn change_user(&self, caller: &Caller, id: i64, change: UserChange) -> Result<User>;
        /// A user's password hash and standing, for signing in.
        async fn credentials(&self, username: &str) -> Result<Option<Credentials>>;
        async fn create_session(&self, token_hash: String, user_id: i64, expires_at: String) -> Result<()>;
        async fn session_principal(&self, token_hash: String) -> Result<Option<Principal>>;
        async fn delete_session(&self, token_hash: String) -> Result<()>;
        /// Sets a user's password hash and ends the user's other sessions (all but
        /// the one whose token hash is `keep_session`).
        async fn set_password(&self, user_id: i64, password_hash: String, keep_session: String) -> Result<()>;
        async fn create_app(
            &self,
            caller: &Caller,
            org_code: &str,
            name: &str,
            key_prefix: &str,
            key_hash: &str,
            expires_at: Option<String>,
        ) -> Result<AppInfo>;
        async fn apps(&self, caller: &Caller, org_code: &str) -> Result<Vec<AppInfo>>;
        async fn revoke_app(&self, caller: &Caller, id: i64) -> Result<AppInfo>;
        /// An app's stored key by its prefix.
        async fn app_key(&self, prefix: &str) -> Result<Option<StoredKey>>;
    }
}
