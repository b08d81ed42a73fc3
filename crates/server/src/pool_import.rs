//! Loading a data file into a pool, shared by the API and the command line: detect
//! the format, read the rows, fingerprint the file, and run one batch.

use crate::error::ApiError;
use govshare_interchange::rows::{DataFormat, read_rows};
use govshare_store::repo::ingest::{Batch, BatchReport, IngestMode};
use govshare_store::{Caller, Store};
use sha2::{Digest, Sha256};

pub struct DataFile {
    pub code: String,
    pub name: String,
    pub bytes: Vec<u8>,
    pub format: Option<DataFormat>,
    pub mode: IngestMode,
    pub client_batch_id: Option<String>,
}

pub async fn import_data(
    store: &Store,
    caller: &Caller,
    file: DataFile,
) -> Result<BatchReport, ApiError> {
    let format = file
        .format
        .unwrap_or_else(|| DataFormat::detect(&file.name, &file.bytes));
    let sha = hex::encode(Sha256::digest(&file.bytes));
    let bytes = file.bytes;
    let (header, rows) = tokio::task::spawn_blocking(move || read_rows(bytes, format))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::InvalidFile)?;
    let batch = Batch {
        code: file.code,
        header,
        rows,
        mode: file.mode,
        source_name: file.name,
        source_sha256: sha,
        client_batch_id: file.client_batch_id,
    };
    Ok(store.ingest(caller, batch).await?)
}

/// The refused rows of a batch as CSV (UTF-8 with BOM): the submitted columns and a
/// 错误原因 column, ready to fix and submit again.
pub fn quarantine_csv(q: &govshare_store::repo::ingest::Quarantine) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        let mut header = vec!["行号".to_string()];
        header.extend(q.header.iter().cloned());
        header.push("错误原因".into());
        let _ = w.write_record(&header);
        let mut i = 0;
        while i < q.rows.len() {
            let row = &q.rows[i];
            let mut reasons = Vec::new();
            while i < q.rows.len() && q.rows[i].row_number == row.row_number {
                let r = &q.rows[i];
                reasons.push(if r.column.is_empty() {
                    r.reason.clone()
                } else {
                    format!("{}：{}", r.column, r.reason)
                });
                i += 1;
            }
            let mut record = vec![row.row_number.to_string()];
            record.extend(row.cells.iter().cloned());
            record.resize(q.header.len() + 1, String::new());
            record.push(reasons.join("；"));
            let _ = w.write_record(&record);
        }
        let _ = w.flush();
    }
    out
}
