//! Versioned files of file-type resources (电子文件, images, ...): each upload becomes
//! the next version, with name, size and SHA-256; contents are kept once per checksum.

use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::org::apps::AppPrincipal;
use crate::sharing::reads::Access;
use crate::value::{Row, Value};
use crate::{Caller, Store, params};
use govshare_domain::Error;
use govshare_domain::lifecycle::State;
use govshare_domain::pool::schema::is_data_backed;
use govshare_domain::sharing::Basis;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One stored version of a resource's file.
#[derive(Debug, Clone, Serialize)]
pub struct FileVersion {
    pub version: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub note: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A file on its way in.
pub struct NewFile {
    pub name: String,
    pub media_type: String,
    pub note: String,
    pub content: Vec<u8>,
}

const COLUMNS: &str = "version, name, media_type, size, sha256, note, uploaded_by, uploaded_at";
const QUALIFIED: &str =
    "f.version, f.name, f.media_type, f.size, f.sha256, f.note, f.uploaded_by, f.uploaded_at";

fn version_of(row: &Row) -> Result<FileVersion> {
    Ok(FileVersion {
        version: row.i64("version")?,
        name: row.text("name")?,
        media_type: row.text("media_type")?,
        size: row.i64("size")?,
        sha256: row.text("sha256")?,
        note: row.text("note")?,
        uploaded_by: row.text("uploaded_by")?,
        uploaded_at: row.text("uploaded_at")?,
    })
}

/// A name safe to store and to offer back in a download: no path, no control
/// characters, at most 200 characters.
fn clean_name(name: &str) -> std::result::Result<String, Error> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base == "." || base == ".." {
        return Err(Error::invalid("name", "文件名不能为空"));
    }
    if base.chars().any(char::is_control) || base.chars().count() > 200 {
        return Err(Error::invalid(
            "name",
            "文件名不能含控制字符，且不超过200个字符",
        ));
    }
    Ok(base.to_string())
}

fn add(conn: &mut dyn Conn, caller: &Caller, code: &str, file: NewFile) -> Result<FileVersion> {
    let r = get_visible(conn, code, caller.visibility())?;
    caller.check(|p| p.check_edit(r.owner_org_id, State::Draft))?;
    if is_data_backed(&r) {
        return Err(Error::Conflict(format!(
            "资源“{code}”是数据类资源，数据通过数据池汇聚，不能上传文件"
        ))
        .into());
    }
    if !matches!(r.state, State::Registered | State::Published) {
        return Err(Error::Conflict(format!("资源“{code}”尚未登记，不能上传文件")).into());
    }
    if file.content.is_empty() {
        return Err(Error::invalid("content", "文件为空").into());
    }
    let name = clean_name(&file.name)?;
    let sha = hex::encode(Sha256::digest(&file.content));
    let size = file.content.len() as i64;
    conn.execute(
        "INSERT INTO file_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        &[Value::Text(sha.clone()), Value::Int(size), Value::Blob(file.content)],
    )?;
    let version = conn
        .query_one(
            "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS next_version FROM resource_files WHERE resource_id = ?",
            &params![r.id],
        )?
        .i64("next_version")?;
    let row = conn.query_one(
        &format!(
            "INSERT INTO resource_files (resource_id, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        &params![
            r.id,
            version,
            &name,
            &file.media_type,
            size,
            &sha,
            &file.note,
            caller.name(),
            crate::now()
        ],
    )?;
    version_of(&row)
}

/// One version of a resource's file with its content; `None` takes the newest.
fn read_version(
    c: &mut dyn Conn,
    resource_id: i64,
    code: &str,
    version: Option<i64>,
) -> Result<(FileVersion, Vec<u8>)> {
    let row = c
        .query_opt(
            &format!(
                "SELECT {QUALIFIED}, b.content FROM resource_files f JOIN file_blobs b ON b.sha256 = f.sha256 \
                 WHERE f.resource_id = ? AND f.version = COALESCE(?, (SELECT MAX(version) FROM resource_files WHERE resource_id = ?))"
            ),
            &params![resource_id, version, resource_id],
        )?
        .ok_or_else(|| {
            StoreError::Domain(Error::not_found(
                "文件版本",
                format!("{code}@{}", version.map_or("latest".into(), |v| v.to_string())),
            ))
        })?;
    let content = match row.value("content").ok() {
        Some(Value::Blob(b)) => b.clone(),
        other => return Err(StoreError::Db(format!("file content: {other:?}"))),
    };
    Ok((version_of(&row)?, content))
}

/// A file-type resource's file as an app reads it: whole or not at all, so only
/// when the basis gives every item in clear (a file cannot be masked or cut down to
/// granted items).
fn check_whole(a: &Access) -> Result<()> {
    let all = a.resource.spec.items.len();
    let clear = a.decision.columns.iter().filter(|(_, m)| !m).count();
    if clear == all && a.decision.columns.len() == all {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "文件含须脱敏或未授权的信息项，不能整体提供：请申请包含全部信息项明文的授权".into(),
        )
        .into())
    }
}

/// The versions of a file as shared, with the basis they are served under.
#[derive(Debug, Clone, Serialize)]
pub struct SharedFiles {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    pub files: Vec<FileVersion>,
}

/// One version as shared.
pub struct SharedFile {
    pub basis: Basis,
    pub purpose: String,
    pub file: FileVersion,
    pub content: Vec<u8>,
    /// Visits counted under a grant (for the audit entry).
    pub visits: i64,
}

impl Store {
    /// The versions of a file-type resource's file, for an app that may read it whole.
    pub(crate) async fn share_files(&self, app: &AppPrincipal, code: &str) -> Result<SharedFiles> {
        let (app, code, cache) = (app.clone(), code.to_string(), self.sharing.clone());
        self.read(move |c| {
            let d = cache.decided(c, &app, &code, None)?;
            check_whole(&d.access)?;
            let files = c
                .query(
                    &format!("SELECT {COLUMNS} FROM resource_files WHERE resource_id = ? ORDER BY version DESC"),
                    &params![d.access.resource.id],
                )?
                .iter()
                .map(version_of)
                .collect::<Result<_>>()?;
            Ok(SharedFiles {
                resource_code: code,
                basis: d.access.decision.basis.clone(),
                purpose: d.access.purpose.clone(),
                files,
            })
        })
        .await
    }

    /// One version of a file for an app that may read it whole; a visit under a grant.
    pub(crate) async fn share_file(
        &self,
        app: &AppPrincipal,
        code: &str,
        version: Option<i64>,
    ) -> Result<SharedFile> {
        let (app, code, cache) = (app.clone(), code.to_string(), self.sharing.clone());
        let out = self
            .read(move |c| {
                let d = cache.decided(c, &app, &code, None)?;
                check_whole(&d.access)?;
                let (file, content) = read_version(c, d.access.resource.id, &code, version)?;
                Ok(SharedFile {
                    basis: d.access.decision.basis.clone(),
                    purpose: d.access.purpose.clone(),
                    file,
                    content,
                    visits: 0,
                })
            })
            .await?;
        let visits = self.count_visits(&out.basis, 1).await?;
        Ok(SharedFile { visits, ..out })
    }

    /// Stores a new version of a file-type resource's file (its organisation only).
    pub(crate) async fn add_file(
        &self,
        caller: &Caller,
        code: &str,
        file: NewFile,
    ) -> Result<FileVersion> {
        let (caller, code) = (caller.clone(), code.to_string());
        self.write(move |c| add(c, &caller, &code, file)).await
    }

    /// The versions of an entry's file, newest first: for whoever may see the entry.
    pub(crate) async fn files(&self, caller: &Caller, code: &str) -> Result<Vec<FileVersion>> {
        let (v, code) = (caller.visibility(), code.to_string());
        self.read(move |c| {
            let r = get_visible(c, &code, v)?;
            c.query(
                &format!("SELECT {COLUMNS} FROM resource_files WHERE resource_id = ? ORDER BY version DESC"),
                &params![r.id],
            )?
            .iter()
            .map(version_of)
            .collect()
        })
        .await
    }

    /// One version with its content: for the entry's organisation and the bureau (other
    /// consumers read files under the sharing rules). `None` takes the newest.
    pub(crate) async fn file_content(
        &self,
        caller: &Caller,
        code: &str,
        version: Option<i64>,
    ) -> Result<(FileVersion, Vec<u8>)> {
        let (caller, code) = (caller.clone(), code.to_string());
        self.read(move |c| {
            let r = get_visible(c, &code, caller.visibility())?;
            let owner = caller.check(|p| p.check_edit(r.owner_org_id, State::Draft));
            if owner.is_err() {
                return Err(Error::not_found("文件", code.clone()).into());
            }
            read_version(c, r.id, &code, version)
        })
        .await
    }
}
