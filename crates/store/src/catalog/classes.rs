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
