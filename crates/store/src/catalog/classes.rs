//! The classification tree: list and upsert nodes (the bureau keeps the standard).

use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Caller, Store, params};
use govshare_domain::classification::ClassNode;
use govshare_domain::{Error, Problem};

pub fn list(conn: &mut dyn Conn) -> Result<Vec<ClassNode>> {
    conn.query("SELECT code, name FROM classes ORDER BY code", &[])?
        .iter()
        .map(|r| {
            Ok(ClassNode {
                code: r.text("code")?,
                name: r.text("name")?,
            })
        })
        .collect()
}

pub fn exists(conn: &mut dyn Conn, code: &str) -> Result<bool> {
    Ok(conn
        .query_opt("SELECT 1 FROM classes WHERE code = ?", &params![code])?
        .is_some())
}

/// Creates or renames a node; its parent must exist.
pub fn upsert(conn: &mut dyn Conn, node: &ClassNode) -> Result<()> {
    node.validate()?;
    if let Some(parent) = node.parent_code()
        && !exists(conn, parent)?
    {
        return Err(Error::Invalid(vec![Problem::new(
            "code",
            format!("上级分类“{parent}”不存在"),
        )])
        .into());
    }
    conn.execute(
        "INSERT INTO classes (code, name, parent_code) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        &params![&node.code, &node.name, node.parent_code()],
    )?;
    Ok(())
}

impl Store {
    pub(crate) async fn list_classes(&self) -> Result<Vec<ClassNode>> {
        self.read(list).await
    }

    /// Deletes a classification node that nothing depends on (bureau only): no node
    /// under it, no entry filed under it, and no resource code ever issued under it —
    /// codes are never reused, so a node that issued one stays.
    pub(crate) async fn delete_class(&self, caller: &Caller, code: &str) -> Result<()> {
        caller.check(|p| p.check_bureau())?;
        let code = code.to_string();
        self.write(move |c| {
            if !exists(c, &code)? {
                return Err(Error::not_found("分类", code).into());
            }
            let count = |c: &mut dyn Conn, sql: &str| -> Result<i64> {
                c.query_one(sql, &params![&code])?.i64("n")
            };
            let children = count(c, "SELECT COUNT(*) AS n FROM classes WHERE parent_code = ?")?;
            let entries = count(
                c,
                "SELECT COUNT(*) AS n FROM resources WHERE classification = ?",
            )?;
            let issued = count(
                c,
                "SELECT COUNT(*) AS n FROM code_sequences WHERE class_code = ?",
            )?;
            let why = if children > 0 {
                Some(format!("分类“{code}”下还有{children}个下级分类"))
            } else if entries > 0 {
                Some(format!("分类“{code}”下还有{entries}条目录"))
            } else if issued > 0 {
                Some(format!(
                    "分类“{code}”已编发过资源代码，代码不得重用，该分类不能删除"
                ))
            } else {
                None
            };
            match why {
                Some(why) => Err(Error::Conflict(why).into()),
                None => c
                    .execute("DELETE FROM classes WHERE code = ?", &params![&code])
                    .map(|_| ()),
            }
        })
        .await
    }

    /// Creates or renames classification nodes, parents first (bureau only).
    pub(crate) async fn upsert_classes(
        &self,
        caller: &Caller,
        nodes: Vec<ClassNode>,
    ) -> Result<()> {
        caller.check(|p| p.check_bureau())?;
        self.write(move |c| nodes.iter().try_for_each(|n| upsert(c, n)))
            .await
    }
}
