//! Who may do what to which catalog entries. Every permission question of the
//! catalog is answered here, and the store turns `Visibility` into query filters.

use crate::error::{Error, Result};
use crate::labels::coded_enum;
use crate::lifecycle::{Action, State};

coded_enum! {
    /// A user's role.
    Role {
        BureauAdmin = ("bureau_admin", "大数据局管理员"),
        OrgAdmin = ("org_admin", "单位管理员"),
        OrgOperator = ("org_operator", "单位操作员"),
        Approver = ("approver", "共享审核员"),
        Auditor = ("auditor", "审计员"),
    }
}

/// An authenticated user acting on behalf of an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub org_id: i64,
    pub role: Role,
}

/// Which catalog entries a caller can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The bureau sees every entry in every state.
    All,
    /// Government users see the published catalog and everything of their own organisation.
    PublishedAndOwn(i64),
    /// The public sees published entries that are open (unconditionally or on condition).
    PublicOpen,
}

impl Visibility {
    pub fn of(principal: Option<&Principal>) -> Visibility {
        match principal {
            Some(p) if p.role == Role::BureauAdmin => Visibility::All,
            Some(p) => Visibility::PublishedAndOwn(p.org_id),
            None => Visibility::PublicOpen,
        }
    }
}

impl Principal {
    pub fn is_bureau(&self) -> bool {
        self.role == Role::BureauAdmin
    }

    /// Auditors read the whole audit log and the statistics, and change nothing.
    pub fn is_auditor(&self) -> bool {
        self.role == Role::Auditor
    }

    /// Who keeps the catalog and the pools: the bureau, and an organisation's admins
    /// and operators (approvers and auditors keep separate duties).
    fn keeps_content(&self) -> bool {
        matches!(
            self.role,
            Role::BureauAdmin | Role::OrgAdmin | Role::OrgOperator
        )
    }

    /// Deciding on another body's use of a provider's data (requests, registrations
    /// under review, error reports): the provider's admin or approver, or the bureau.
    pub fn check_sharing_decision(&self, provider_org_id: i64) -> Result<()> {
        if self.is_bureau()
            || (self.owns(provider_org_id) && matches!(self.role, Role::OrgAdmin | Role::Approver))
        {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "只有提供方单位管理员或共享审核员可以审核".into(),
            ))
        }
    }

    /// Revoking a grant, which ends a consumer's service at once: the provider's admin
    /// or the bureau. Approvers decide requests; they do not take back what was given.
    pub fn check_grant_revocation(&self, provider_org_id: i64) -> Result<()> {
        if self.is_bureau() || (self.owns(provider_org_id) && self.role == Role::OrgAdmin) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "只有提供方单位管理员或大数据局可以撤销授权".into(),
            ))
        }
    }

    /// Managing the users of an organisation who hold (or are to hold) `role`: the
    /// bureau anywhere; an organisation's admin in their own organisation, never a
    /// bureau admin or an auditor (who reads the whole city's log: the bureau appoints
    /// them).
    pub fn check_user_admin(&self, org_id: i64, role: Role) -> Result<()> {
        let own_org_admin = self.role == Role::OrgAdmin
            && self.owns(org_id)
            && !matches!(role, Role::BureauAdmin | Role::Auditor);
        if self.is_bureau() || own_org_admin {
            Ok(())
        } else {
            Err(Error::Forbidden("无权为该单位管理此角色的用户".into()))
        }
    }

    /// Making and revoking an organisation's app keys: its admin, or the bureau.
    pub fn check_app_keys(&self, org_id: i64) -> Result<()> {
        if self.is_bureau() || (self.owns(org_id) && self.role == Role::OrgAdmin) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "只有本单位管理员或大数据局可以管理应用密钥".into(),
            ))
        }
    }

    /// Acting as a consumer for one's organisation (apps, registrations, requests,
    /// error reports): anyone of it but its auditors.
    pub fn check_consumer(&self, org_id: i64) -> Result<()> {
        if self.is_bureau() || (self.owns(org_id) && !self.is_auditor()) {
            Ok(())
        } else {
            Err(Error::Forbidden("无权代表该单位使用共享数据".into()))
        }
    }

    fn owns(&self, owner_org_id: i64) -> bool {
        self.org_id == owner_org_id
    }

    /// Creating an entry for an organisation: the bureau for anyone, others for their own.
    pub fn check_create(&self, owner_org_id: i64) -> Result<()> {
        if !self.keeps_content() {
            return Err(Error::Forbidden(format!(
                "“{}”不能编制目录",
                self.role.label()
            )));
        }
        if self.is_bureau() || self.owns(owner_org_id) {
            Ok(())
        } else {
            Err(Error::Forbidden("只能为本单位编制目录".into()))
        }
    }

    /// Editing content: the owner while the entry is a draft or returned; the owner's
    /// admin or the bureau at any state (the change is kept in the history).
    pub fn check_edit(&self, owner_org_id: i64, state: State) -> Result<()> {
        if self.is_bureau() {
            return Ok(());
        }
        if !self.owns(owner_org_id) {
            return Err(Error::Forbidden("只能修改本单位的目录".into()));
        }
        if !self.keeps_content() {
            return Err(Error::Forbidden(format!(
                "“{}”不能修改目录和数据",
                self.role.label()
            )));
        }
        if state.is_editable() || self.role == Role::OrgAdmin {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "“{}”状态的目录只能由单位管理员修改",
                state.label()
            )))
        }
    }

    /// Lifecycle steps: reviews are the bureau's; submitting is the owner's; withdrawing
    /// is the bureau's or the owner's admin's.
    pub fn check_action(&self, owner_org_id: i64, action: Action) -> Result<()> {
        let allowed = match action {
            a if a.is_review() => self.is_bureau(),
            Action::Submit => self.is_bureau() || (self.owns(owner_org_id) && self.keeps_content()),
            Action::Withdraw => {
                self.is_bureau() || (self.owns(owner_org_id) && self.role == Role::OrgAdmin)
            }
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("无权执行“{}”", action.label())))
        }
    }

    /// Bureau-only administration: organisations, classification, themes, users of other orgs.
    pub fn check_bureau(&self) -> Result<()> {
        if self.is_bureau() {
            Ok(())
        } else {
            Err(Error::Forbidden("仅大数据局管理员可操作".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, org: i64) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            org_id: org,
            role,
        }
    }

    #[test]
    fn operators_edit_only_their_own_drafts() {
        let op = user(Role::OrgOperator, 7);
        assert!(op.check_edit(7, State::Draft).is_ok());
        assert!(op.check_edit(7, State::Published).is_err());
        assert!(op.check_edit(8, State::Draft).is_err());
        assert!(
            user(Role::OrgAdmin, 7)
                .check_edit(7, State::Published)
                .is_ok()
        );
        assert!(
            user(Role::BureauAdmin, 1)
                .check_edit(7, State::Published)
                .is_ok()
        );
    }

    #[test]
    fn approvers_and_auditors_keep_separate_duties() {
        let approver = user(Role::Approver, 7);
        let auditor = user(Role::Auditor, 7);
        assert!(approver.check_sharing_decision(7).is_ok());
        assert!(approver.check_sharing_decision(8).is_err());
        assert!(
            user(Role::OrgOperator, 7)
                .check_sharing_decision(7)
                .is_err()
        );
        assert!(user(Role::OrgAdmin, 7).check_sharing_decision(7).is_ok());
        // Revoking a grant is the provider's admin's or the bureau's, not an approver's.
        assert!(approver.check_grant_revocation(7).is_err());
        assert!(user(Role::OrgAdmin, 7).check_grant_revocation(7).is_ok());
        assert!(user(Role::OrgAdmin, 8).check_grant_revocation(7).is_err());
        assert!(user(Role::BureauAdmin, 1).check_grant_revocation(7).is_ok());
        for who in [&approver, &auditor] {
            assert!(who.check_edit(7, State::Draft).is_err());
            assert!(who.check_create(7).is_err());
            assert!(who.check_action(7, Action::Submit).is_err());
        }
        assert!(auditor.check_sharing_decision(7).is_err());
        assert!(auditor.check_consumer(7).is_err());
        assert!(approver.check_consumer(7).is_ok());
        assert!(auditor.is_auditor() && !approver.is_auditor());
    }

    #[test]
    fn reviews_belong_to_the_bureau() {
        let admin = user(Role::OrgAdmin, 7);
        assert!(admin.check_action(7, Action::Submit).is_ok());
        assert!(admin.check_action(7, Action::Register).is_err());
        assert!(admin.check_action(7, Action::Publish).is_err());
        assert!(admin.check_action(7, Action::Withdraw).is_ok());
        assert!(
            user(Role::OrgOperator, 7)
                .check_action(7, Action::Withdraw)
                .is_err()
        );
        assert!(admin.check_action(8, Action::Submit).is_err());
        assert!(
            user(Role::BureauAdmin, 1)
                .check_action(7, Action::Publish)
                .is_ok()
        );
    }

    #[test]
    fn visibility_by_caller() {
        assert_eq!(Visibility::of(None), Visibility::PublicOpen);
        assert_eq!(
            Visibility::of(Some(&user(Role::OrgOperator, 3))),
            Visibility::PublishedAndOwn(3)
        );
        assert_eq!(
            Visibility::of(Some(&user(Role::BureauAdmin, 1))),
            Visibility::All
        );
    }
}
