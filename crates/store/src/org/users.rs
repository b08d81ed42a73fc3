//! Users and their sessions. Passwords arrive already hashed (argon2, in the HTTP
//! layer); session tokens are stored only as SHA-256 hashes.

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::{Caller, Store, params};
use govshare_domain::access::{Principal, Role};
use govshare_domain::{Error, Problem};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    pub active: bool,
}

/// What login needs to see: the stored hash and whether the user may sign in.
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub org_id: i64,
}

fn valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

pub fn create(conn: &mut dyn Conn, u: &NewUser) -> Result<User> {
    if !valid_username(&u.username) {
        return Err(Error::Invalid(vec![Problem::new(
            "username",
            "用户名应为3-64位字母、数字、点、下划线或连字符",
        )])
        .into());
    }
    if u.display_name.trim().is_empty() {
        return Err(Error::invalid("display_name", "姓名不能为空").into());
    }
    crate::org::orgs::by_id(conn, u.org_id)?;
    let row = conn
        .query_one(
            "INSERT INTO users (username, display_name, password_hash, role, org_id, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &params![&u.username, u.display_name.trim(), &u.password_hash, u.role.code(), u.org_id, true, crate::now()],
        )
        .map_err(|e| match e {
            StoreError::Unique(_) => Error::Conflict(format!("用户名“{}”已存在", u.username)).into(),
            e => e,
        })?;
    Ok(User {
        id: row.i64("id")?,
        username: u.username.clone(),
        display_name: u.display_name.trim().to_string(),
        role: u.role,
        org_id: u.org_id,
        active: true,
    })
}

/// A change to a user account; what is `None` stays as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub active: Option<bool>,
    pub role: Option<Role>,
    /// A new password's hash (a reset): every session of the user ends.
    pub password_hash: Option<String>,
}

const USER_COLUMNS: &str = "id, username, display_name, role, org_id, active";

fn user_of(r: &crate::value::Row) -> Result<User> {
    let role = r.text("role")?;
    Ok(User {
        id: r.i64("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Db(format!("unknown role {role}")))?,
        org_id: r.i64("org_id")?,
        active: r.bool("active")?,
    })
}

fn user_by_id(conn: &mut dyn Conn, id: i64) -> Result<User> {
    let row = conn
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"),
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("用户", id.to_string())))?;
    user_of(&row)
}

pub fn credentials(conn: &mut dyn Conn, username: &str) -> Result<Option<Credentials>> {
    let row = conn.query_opt(
        "SELECT id, username, display_name, role, org_id, active, password_hash FROM users WHERE username = ?",
        &params![username],
    )?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Credentials {
        user: user_of(&r)?,
        password_hash: r.text("password_hash")?,
    }))
}

impl Store {
    /// Creates a user. The bureau may create users anywhere; an organisation's admin
    /// only in their own organisation and never a bureau admin.
    pub(crate) async fn create_user(&self, caller: &Caller, user: NewUser) -> Result<User> {
        caller.check(|p| p.check_user_admin(user.org_id, user.role))?;
        self.write(move |c| create(c, &user)).await
    }

    /// The users of `org_id` (the bureau: of any organisation, or all when `None`),
    /// for those who manage them.
    pub(crate) async fn users(&self, caller: &Caller, org_id: Option<i64>) -> Result<Vec<User>> {
        let caller = caller.clone();
        let own = match &caller {
            Caller::User(p) if !p.is_bureau() => Some(p.org_id),
            _ => None,
        };
        // Those who are not the bureau manage their own organisation's users only.
        let org_id = own.or(org_id);
        caller.check(|p| match org_id {
            Some(org) => p.check_user_admin(org, Role::OrgOperator),
            None => p.check_bureau(),
        })?;
        self.read(move |c| {
            let rows = match org_id {
                Some(org) => c.query(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE org_id = ? ORDER BY id"),
                    &params![org],
                )?,
                None => c.query(
                    &format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"),
                    &[],
                )?,
            };
            rows.iter().map(user_of).collect()
        })
        .await
    }

    /// Changes a user account: active or not, role, a reset password. One who may not
    /// manage the user finds no such user; no one changes their own account here.
    pub(crate) async fn change_user(
        &self,
        caller: &Caller,
        id: i64,
        change: UserChange,
    ) -> Result<User> {
        let caller = caller.clone();
        self.write(move |c| {
            let user = user_by_id(c, id)?;
            caller
                .check(|p| p.check_user_admin(user.org_id, user.role))
                .map_err(|_| StoreError::Domain(Error::not_found("用户", id.to_string())))?;
            if let Some(role) = change.role {
                caller.check(|p| p.check_user_admin(user.org_id, role))?;
            }
            if matches!(&caller, Caller::User(p) if p.user_id == id) {
                return Err(Error::Conflict("不能在这里更改自己的账号".into()).into());
            }
            if let Some(active) = change.active {
                c.execute(
                    "UPDATE users SET active = ? WHERE id = ?",
                    &params![active, id],
                )?;
            }
            if let Some(role) = change.role {
                c.execute(
                    "UPDATE users SET role = ? WHERE id = ?",
                    &params![role.code(), id],
                )?;
            }
            if let Some(hash) = &change.password_hash {
                c.execute(
                    "UPDATE users SET password_hash = ? WHERE id = ?",
                    &params![hash, id],
                )?;
            }
            // A deactivated account, a new role or a reset password: old sessions end.
            if change.active == Some(false)
                || change.role.is_some()
                || change.password_hash.is_some()
            {
                c.execute("DELETE FROM sessions WHERE user_id = ?", &params![id])?;
            }
            user_by_id(c, id)
        })
        .await
    }

    pub(crate) async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let username = username.to_string();
        self.read(move |c| credentials(c, &username)).await
    }

    pub(crate) async fn create_session(
        &self,
        token_hash: String,
        user_id: i64,
        expires_at: String,
    ) -> Result<()> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                &params![token_hash, user_id, crate::now(), expires_at],
            )?;
            c.execute("DELETE FROM sessions WHERE expires_at < ?", &params![crate::now()])?;
            Ok(())
        })
        .await
    }

    /// The user behind a live session token hash, if any.
    pub(crate) async fn session_principal(&self, token_hash: String) -> Result<Option<Principal>> {
        self.read(move |c| {
            let row = c.query_opt(
                "SELECT u.id, u.username, u.org_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = ?",
                &params![token_hash, crate::now(), true],
            )?;
            let Some(r) = row else { return Ok(None) };
            let role = r.text("role")?;
            Ok(Some(Principal {
                user_id: r.i64("id")?,
                username: r.text("username")?,
                org_id: r.i64("org_id")?,
                role: Role::parse(&role).ok_or_else(|| StoreError::Db(format!("unknown role {role}")))?,
            }))
        })
        .await
    }

    pub(crate) async fn set_password(
        &self,
        user_id: i64,
        password_hash: String,
        keep_session: String,
    ) -> Result<()> {
        self.write(move |c| {
            let changed = c.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                &params![password_hash, user_id],
            )?;
            if changed == 0 {
                return Err(govshare_domain::Error::not_found("用户", user_id.to_string()).into());
            }
            c.execute(
                "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
                &params![user_id, keep_session],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn delete_session(&self, token_hash: String) -> Result<()> {
        self.write(move |c| {
            c.execute(
                "DELETE FROM sessions WHERE token_hash = ?",
                &params![token_hash],
            )
            .map(|_| ())
        })
        .await
    }
}
