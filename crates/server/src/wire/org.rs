//! Organisations, users and apps.

use govshare_domain as domain;
use govshare_store as store;

use super::*;

/// What is needed to create or change an organisation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    /// 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub kind: OrgKind,
    pub level: OrgLevel,
    /// GB/T 2260 region code.
    pub region_code: String,
    /// Credit code of the parent organisation, if any.
    #[serde(default)]
    pub parent_code: Option<String>,
}

impl From<domain::org::OrgSpec> for OrgSpec {
    fn from(v: domain::org::OrgSpec) -> Self {
        let domain::org::OrgSpec {
            credit_code,
            name,
            short_name,
            kind,
            level,
            region_code,
            parent_code,
        } = v;
        OrgSpec {
            credit_code,
            name,
            short_name,
            kind: kind.into(),
            level: level.into(),
            region_code,
            parent_code,
        }
    }
}

impl From<OrgSpec> for domain::org::OrgSpec {
    fn from(v: OrgSpec) -> Self {
        let OrgSpec {
            credit_code,
            name,
            short_name,
            kind,
            level,
            region_code,
            parent_code,
        } = v;
        domain::org::OrgSpec {
            credit_code,
            name,
            short_name,
            kind: kind.into(),
            level: level.into(),
            region_code,
            parent_code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    #[serde(flatten)]
    pub spec: OrgSpec,
}

impl From<domain::org::Org> for Org {
    fn from(v: domain::org::Org) -> Self {
        let domain::org::Org { id, spec } = v;
        Org {
            id,
            spec: spec.into(),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AppInfo {
    pub id: i64,
    /// The organisation the app belongs to (its unified social credit code).
    pub org_code: String,
    pub name: String,
    /// The key's public start (`gsk_<prefix>_…`), to tell keys apart.
    pub key_prefix: String,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<store::org::apps::AppInfo> for AppInfo {
    fn from(v: store::org::apps::AppInfo) -> Self {
        let store::org::apps::AppInfo {
            id,
            org_code,
            name,
            key_prefix,
            created_by,
            created_at,
            expires_at,
            revoked_at,
        } = v;
        AppInfo {
            id,
            org_code,
            name,
            key_prefix,
            created_by,
            created_at,
            expires_at,
            revoked_at,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    pub active: bool,
}

impl From<store::org::users::User> for User {
    fn from(v: store::org::users::User) -> Self {
        let store::org::users::User {
            id,
            username,
            display_name,
            role,
            org_id,
            active,
        } = v;
        User {
            id,
            username,
            display_name,
            role: role.into(),
            org_id,
            active,
        }
    }
}
