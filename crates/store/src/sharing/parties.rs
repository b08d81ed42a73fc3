//! Who is party to a sharing record (a registration, a request, an error report): the
//! consumer's organisation, through its app, and the provider's, through its resource.

use crate::value::Value;
use crate::{Caller, Result, params};
use govshare_domain::Error;

/// The condition that keeps a list of sharing records (aliased `apps a`, `resources
/// r`) to those the caller is party to: all for the bureau and auditors; its apps'
/// and those on its resources for others; nothing for the public.
pub(crate) fn party_filter(caller: &Caller) -> Result<(Vec<String>, Vec<Value>)> {
    match caller {
        Caller::User(p) if p.is_bureau() || p.is_auditor() => Ok((Vec::new(), Vec::new())),
        Caller::User(p) => Ok((
            vec!["(a.org_id = ? OR r.owner_org_id = ?)".into()],
            params![p.org_id, p.org_id].to_vec(),
        )),
        Caller::System(_) => Ok((Vec::new(), Vec::new())),
        Caller::Public => Err(Error::Forbidden("请先登录".into()).into()),
    }
}
