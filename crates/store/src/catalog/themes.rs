//! Thematic catalogs: list with resource counts, upsert.

use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Caller, Store, params};
use govshare_domain::Error;
use govshare_domain::theme::{Theme, ThemeSpec};

pub fn list(conn: &mut dyn Conn) -> Result<Vec<Theme>> {
    conn.query(
        "SELECT t.code, t.name, t.description, (SELECT COUNT(*) FROM resource_themes rt WHERE rt.theme_code = t.code) AS resource_count FROM themes t ORDER BY t.code",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(Theme {
            spec: ThemeSpec { code: r.text("code")?, name: r.text("name")?, description: r.text("description")? },
            resource_count: r.i64("resource_count")?,
        })
    })
    .collect()
}

pub fn upsert(conn: &mut dyn Conn, spec: &ThemeSpec) -> Result<()> {
    spec.validate()?;
    conn.execute(
        "INSERT INTO themes (code, name, description) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description",
        &params![&spec.code, &spec.name, &spec.description],
    )?;
    Ok(())
}

impl Store {
    pub(crate) async fn list_themes(&self) -> Result<Vec<Theme>> {
        self.read(list).await
    }

    pub(crate) async fn theme(&self, code: &str) -> Result<Theme> {
        let code = code.to_string();
        let all = self.read(list).await?;
        all.into_iter()
            .find(|t| t.spec.code == code)
            .ok_or_else(|| Error::not_found("主题", code).into())
    }

    /// Deletes a thematic catalog no entry is filed under (bureau only).
    pub(crate) async fn delete_theme(&self, caller: &Caller, code: &str) -> Result<()> {
        caller.check(|p| p.check_bureau())?;
        let code = code.to_string();
        self.write(move |c| {
            let found = c.query_opt(
                "SELECT (SELECT COUNT(*) FROM resource_themes WHERE theme_code = ?) AS n FROM themes WHERE code = ?",
                &params![&code, &code],
            )?;
            match found {
                None => Err(Error::not_found("主题", code).into()),
                Some(r) if r.i64("n")? > 0 => Err(Error::Conflict(format!(
                    "主题“{code}”下还有{}条目录，请先在这些目录中去掉该主题",
                    r.i64("n")?
                ))
                .into()),
                Some(_) => c.execute("DELETE FROM themes WHERE code = ?", &params![&code]).map(|_| ()),
            }
        })
        .await
    }

    /// Creates or updates thematic catalogs (bureau only).
    pub(crate) async fn upsert_themes(&self, caller: &Caller, specs: Vec<ThemeSpec>) -> Result<()> {
        caller.check(|p| p.check_bureau())?;
        self.write(move |c| specs.iter().try_for_each(|s| upsert(c, s)))
            .await
    }
}
