//! Who is asking: a signed-in user, or the system itself (command line, demo, jobs).

use govshare_domain::access::{Principal, Visibility};
use govshare_domain::Result;

#[derive(Debug, Clone)]
pub enum Caller {
    User(Principal),
    /// A local operator at the command line or a background job, named for the history.
    System(String),
}

impl Caller {
    pub fn visibility(&self) -> Visibility {
        match self {
            Caller::User(p) => Visibility::of(Some(p)),
            Caller::System(_) => Visibility::All,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::User(p) => Some(p.user_id),
            Caller::System(_) => None,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Caller::User(p) => p.username.clone(),
            Caller::System(n) => n.clone(),
        }
    }

    /// Applies a domain permission check to users; the system may do anything.
    pub fn check(&self, f: impl FnOnce(&Principal) -> Result<()>) -> Result<()> {
        match self {
            Caller::User(p) => f(p),
            Caller::System(_) => Ok(()),
        }
    }
}
