//! Loading a data file into a pool, shared by the API and the command line: detect
//! the format, read the rows, fingerprint the file, and run one batch.

use crate::error::ApiError;
use govshare_interchange::rows::{DataFormat, Rows, read_csv_any, read_rows};
use govshare_store::Caller;
use govshare_store::pool::ingest::{Batch, BatchReport, IngestMode};
use govshare_store::prelude::PoolStore;
use sha2::{Digest, Sha256};

/// Where a data file's bytes are.
pub enum Source {
    Bytes(Vec<u8>),
    /// A file on disk: a CSV (UTF-8 or GBK) is read as a stream, other files whole.
    Path(std::path::PathBuf),
}

pub struct DataFile {
    /// Told how many rows have been read so far.
    pub progress: Option<Box<dyn FnMut(i64) + Send>>,
    pub code: String,
    pub name: String,
    pub source: Source,
    pub format: Option<DataFormat>,
    pub mode: IngestMode,
    pub client_batch_id: Option<String>,
}

fn open(
    source: Source,
    name: &str,
    format: Option<DataFormat>,
) -> Result<(String, (Vec<String>, Rows)), ApiError> {
    let io = |e: std::io::Error| ApiError::BadRequest(format!("无法读取文件：{e}"));
    match source {
        Source::Bytes(bytes) => {
            let format = format.unwrap_or_else(|| DataFormat::detect(name, &bytes));
            let sha = hex::encode(Sha256::digest(&bytes));
            Ok((
                sha,
                read_rows(bytes, format).map_err(ApiError::InvalidFile)?,
            ))
        }
        Source::Path(path) => {
            let mut file = std::fs::File::open(&path).map_err(io)?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = std::io::Read::read(&mut file, &mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            let sha = hex::encode(hasher.finalize());
            let mut head = vec![0u8; 64 * 1024];
            let mut f = std::fs::File::open(&path).map_err(io)?;
            let n = std::io::Read::read(&mut f, &mut head).map_err(io)?;
            head.truncate(n);
            let format = format.unwrap_or_else(|| DataFormat::detect(name, &head));
            if format == DataFormat::Csv {
                let reader = std::io::BufReader::with_capacity(
                    1 << 20,
                    std::fs::File::open(&path).map_err(io)?,
                );
                return Ok((sha, read_csv_any(reader).map_err(ApiError::InvalidFile)?));
            }
            let bytes = std::fs::read(&path).map_err(io)?;
            Ok((
                sha,
                read_rows(bytes, format).map_err(ApiError::InvalidFile)?,
            ))
        }
    }
}

pub async fn import_data(
    store: &dyn PoolStore,
    caller: &Caller,
    file: DataFile,
) -> Result<BatchReport, ApiError> {
    let (source, name, format) = (file.source, file.name.clone(), file.format);
    let (sha, (header, rows)) = tokio::task::spawn_blocking(move || open(source, &name, format))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let batch = Batch {
        code: file.code,
        header,
        rows,
        mode: file.mode,
        source_name: file.name,
        source_sha256: sha,
        client_batch_id: file.client_batch_id,
        progress: file.progress,
    };
    Ok(store.ingest(caller, batch).await?)
}

/// The refused rows of a batch as a table: 行号, the submitted columns, 错误原因 (every
/// problem of the row), header first.
fn quarantine_table(q: &govshare_store::pool::ingest::Quarantine) -> Vec<Vec<String>> {
    let mut header = vec!["行号".to_string()];
    header.extend(q.header.iter().cloned());
    header.push("错误原因".into());
    let mut table = vec![header];
    for group in q.rows.chunk_by(|a, b| a.row_number == b.row_number) {
        let reasons: Vec<String> = group
            .iter()
            .map(|r| {
                if r.column.is_empty() {
                    r.reason.clone()
                } else {
                    format!("{}：{}", r.column, r.reason)
                }
            })
            .collect();
        let mut record = vec![group[0].row_number.to_string()];
        record.extend(group[0].cells.iter().cloned());
        record.resize(q.header.len() + 1, String::new());
        record.push(reasons.join("；"));
        table.push(record);
    }
    table
}

/// The refused rows as CSV (UTF-8 with BOM), ready to fix and submit again.
/// What an audit entry of a pool load says about the batch.
pub fn load_detail(r: &govshare_store::pool::ingest::BatchReport) -> String {
    format!(
        "batch:{} {:?} received {} accepted {} rejected {} skipped {}{}",
        r.batch_id,
        r.mode,
        r.received,
        r.accepted,
        r.rejected,
        r.skipped,
        if r.replayed { " (replayed)" } else { "" }
    )
}

pub fn quarantine_csv(q: &govshare_store::pool::ingest::Quarantine) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for record in quarantine_table(q) {
            let _ = w.write_record(
                record
                    .iter()
                    .map(|c| govshare_interchange::formula::guard(c).into_owned()),
            );
        }
        let _ = w.flush();
    }
    out
}

/// The refused rows as XLSX (one sheet, cells as text).
pub fn quarantine_xlsx(q: &govshare_store::pool::ingest::Quarantine) -> Result<Vec<u8>, ApiError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.to_string());
    sheet.set_name("未入池数据").map_err(fail)?;
    for (r, record) in quarantine_table(q).iter().enumerate() {
        for (c, cell) in record.iter().enumerate() {
            sheet
                .write_string(
                    r as u32,
                    c as u16,
                    govshare_interchange::formula::guard(cell),
                )
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}
