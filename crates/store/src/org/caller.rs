//! Who is asking: a signed-in user, or the system itself (command line, demo, jobs).

use govshare_domain::Result;
use govshare_domain::access::{Principal, Visibility};

#[derive(Debug, Clone)]
pub enum Caller {
    User(Principal),
    /// A local operator at the command line or a background job, named for the history.
    System(String),
    /// Someone not signed in: sees the open catalog, changes nothing.
    Public,
}

impl Caller {
    pub fn visibility(&self) -> Visibility {
        match self {
            Caller::User(p) => Visibility::of(Some(p)),
            Caller::System(_) => Visibility::All,
            Caller::Public => Visibility::PublicOpen,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::User(p) => Some(p.user_id),
            Caller::System(_) | Caller::Public => None,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Caller::User(p) => p.username.clone(),
            Caller::System(n) => n.clone(),
            Caller::Public => "anonymous".into(),
        }
    }

    /// Is the caller on one of these organisations' side: a user of one of them, the
    /// bureau, an auditor (who sees everything and changes nothing), or the system?
    /// Those who are not are told a record does not exist.
    pub fn is_party(&self, orgs: &[i64]) -> bool {
        match self {
            Caller::User(p) => p.is_bureau() || p.is_auditor() || orgs.contains(&p.org_id),
            Caller::System(_) => true,
            Caller::Public => false,
        }
    }

    /// Applies a domain permission check to users; the system may do anything.
    pub fn check(&self, f: impl FnOnce(&Principal) -> Result<()>) -> Result<()> {
        match self {
            Caller::User(p) => f(p),
            Caller::System(_) => Ok(()),
            Caller::Public => Err(govshare_domain::Error::Forbidden("请先登录".into())),
        }
    }
}
