//! Rows a COPY stream holds back (their key may repeat an earlier row's), spilled to
//! a temporary file rather than kept in memory: a batch of ten million rows with a
//! hundred thousand repeats holds them in a few megabytes of disk, not of memory.
//! Values are written as text and typed again on the way back, exactly as stored
//! values are when a column changes type.

use crate::error::{Result, StoreError};
use crate::pool::check::Accepted;
use crate::value::Value;
use crate::value::key_text;
use crate::value::to_value;
use govshare_domain::item::Item;
use govshare_domain::pool::{PoolSchema, parse_cell};
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};

#[derive(Default)]
pub struct HeldRows {
    file: Option<BufWriter<std::fs::File>>,
    pub count: usize,
}

/// One held row as spilled: row number, key, stored bytes, submitted cells, and the
/// value of each pool column as text (none for null).
type Spilled = (i64, String, i64, Vec<String>, Vec<Option<String>>);

fn io(e: std::io::Error) -> StoreError {
    StoreError::Db(format!("held rows: {e}"))
}

impl HeldRows {
    pub fn hold(&mut self, row: Accepted) -> Result<()> {
        if self.file.is_none() {
            self.file = Some(BufWriter::new(tempfile::tempfile().map_err(io)?));
        }
        let texts: Vec<Option<String>> = row
            .values
            .iter()
            .map(|v| (*v != Value::Null).then(|| key_text(std::slice::from_ref(v))))
            .collect();
        let line: Spilled = (
            row.row_number,
            row.key,
            row.bytes,
            row.cells.unwrap_or_default(),
            texts,
        );
        let file = self.file.as_mut().expect("opened above");
        serde_json::to_writer(&mut *file, &line)?;
        file.write_all(b"\n").map_err(io)?;
        self.count += 1;
        Ok(())
    }

    /// The held rows in the order they came, typed again by the pool's columns.
    pub fn drain(
        &mut self,
        schema: &PoolSchema,
    ) -> Result<impl Iterator<Item = Result<Accepted>> + use<>> {
        let items: Vec<Item> = schema
            .columns
            .iter()
            .map(|c| Item {
                required: false,
                ..c.as_item()
            })
            .collect();
        let lines = match self.file.take() {
            Some(w) => {
                let mut f = w.into_inner().map_err(|e| io(e.into_error()))?;
                f.rewind().map_err(io)?;
                Some(BufReader::new(f).lines())
            }
            None => None,
        };
        Ok(lines.into_iter().flatten().map(move |line| {
            let (row_number, key, bytes, cells, texts): Spilled =
                serde_json::from_str(&line.map_err(io)?)?;
            let values = texts
                .iter()
                .zip(&items)
                .map(|(t, item)| match t {
                    None => Ok(Value::Null),
                    Some(t) => parse_cell(item, t)
                        .map(to_value)
                        .map_err(|e| StoreError::Db(format!("held row {row_number}: {e}"))),
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Accepted {
                row_number,
                values,
                bytes,
                key,
                suspect: true,
                cells: Some(cells),
            })
        }))
    }
}
