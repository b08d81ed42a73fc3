//! The audit journal (审计暂存日志): a node-local, append-only file of audit records,
//! written and synced to disk before a call is answered, then moved into the audit
//! log in the database in large batches. One sync of one file per group of calls is
//! cheaper than a database commit, and the database takes the entries many at a time.
//!
//! A journal is a directory of segments named for their first sequence number. Each
//! record is framed as its length (4 bytes), the CRC-32 of its payload (4 bytes) and
//! the payload: the entry with its place in the chain, as one JSON array. A write cut
//! short by a crash can only be the last group written, and no call of that group was
//! answered; reading stops there. A bad frame anywhere else is damage, and refused.
//!
//! A segment is made ready ahead of its records: zeros are written past its end a
//! mebibyte at a time, and groups are then written over them in place. A sync then
//! has only the group's own pages to write, not also the file's new size (which on
//! this kind of disk is a second write, and a second exit to the hypervisor, per
//! group). Zeros where a frame would start end a segment's records.

use crate::{Result, StoreError};
use govshare_domain::audit::{AuditEntry, AuditRecord, entry_hash};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// A segment is closed and a new one begun past this size (unless told otherwise).
pub const SEGMENT_BYTES: u64 = 64 << 20;
/// Zeros written ahead of the records at a time.
const READY_AHEAD: u64 = 1 << 20;
/// No record is this long; a length field above it is damage.
const MAX_RECORD: usize = 1 << 20;
const SUFFIX: &str = "journal";

fn damaged(path: &Path, offset: u64, why: &str) -> StoreError {
    StoreError::Journal(format!(
        "{} 第 {offset} 字节处损坏（{why}）：不是未写完的尾部，拒绝继续",
        path.display()
    ))
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Journal(format!("{}: {e}", path.display()))
}

/// A record's payload: its sequence number, previous hash, own hash and entry.
type Payload = (i64, String, String, AuditEntry);

fn encode(r: &AuditRecord, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    serde_json::to_writer(&mut *out, &(r.seq, &r.prev_hash, &r.hash, &r.entry))
        .expect("strings and numbers serialise");
    let len = (out.len() - start - 8) as u32;
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// A payload back into its record, checked against its own hash: a record of another
/// node's journal, or one altered after it was framed, does not hold.
fn decode(node: &str, payload: &[u8]) -> Option<AuditRecord> {
    let (seq, prev_hash, hash, entry): Payload = serde_json::from_slice(payload).ok()?;
    (entry_hash(node, seq, &prev_hash, &entry) == hash).then(|| AuditRecord {
        node_id: node.to_string(),
        seq,
        entry,
        prev_hash,
        hash,
    })
}

/// The journal's segments, oldest first.
pub fn segments(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(io(dir, e)),
    };
    for item in listing {
        let path = item.map_err(|e| io(dir, e))?.path();
        if path.extension().is_some_and(|x| x == SUFFIX) {
            found.push(path);
        }
    }
    // Names are zero-padded sequence numbers: their order is the chain's.
    found.sort();
    Ok(found)
}

/// What a journal holds.
pub struct Contents {
    /// Every whole record, in order.
    pub records: Vec<AuditRecord>,
    /// Bytes at the end of the last segment that were not a whole record: a write cut
    /// short (its calls were not answered).
    pub torn_bytes: u64,
}

/// Reads node `node`'s journal in `dir`. With `cut`, a torn tail is cut off the last
/// segment (only the journal's one writer may do that, at its start); without, it is
/// left as it is (a reader beside a running node may see a write in progress).
pub fn read(dir: &Path, node: &str, cut: bool) -> Result<Contents> {
    let paths = segments(dir)?;
    let mut records = Vec::new();
    let mut torn_bytes = 0;
    for (i, path) in paths.iter().enumerate() {
        let last = i + 1 == paths.len();
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| io(path, e))?;
        let mut at = 0usize;
        while at < bytes.len() {
            let problem = frame(node, &bytes[at..]).map(|(record, used)| {
                records.push(record);
                at += used;
            });
            if let Err(bad) = problem {
                // What was written past the records, zeros made ready ahead aside.
                let written = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
                if written <= at {
                    break;
                }
                let why = match bad {
                    Bad::Torn(why) if last => why,
                    Bad::Torn(why) | Bad::Wrong(why) => {
                        return Err(damaged(path, at as u64, why));
                    }
                };
                tracing::debug!(reason = why, "audit journal ends in a torn write");
                torn_bytes = (written - at) as u64;
                if cut {
                    OpenOptions::new()
                        .write(true)
                        .open(path)
                        .and_then(|f| {
                            f.set_len(at as u64)?;
                            f.sync_all()
                        })
                        .map_err(|e| io(path, e))?;
                }
                break;
            }
        }
    }
    Ok(Contents {
        records,
        torn_bytes,
    })
}

/// Why no record starts at a place: a frame that is not whole (a write cut short, if
/// it is the journal's end), or a whole frame whose record does not hold (damage, or
/// another node's journal, wherever it is).
enum Bad {
    Torn(&'static str),
    Wrong(&'static str),
}

/// The record at the start of `bytes` and the bytes it takes, or why there is none.
fn frame(node: &str, bytes: &[u8]) -> std::result::Result<(AuditRecord, usize), Bad> {
    use Bad::Torn;
    let head: [u8; 8] = bytes
        .get(..8)
        .and_then(|h| h.try_into().ok())
        .ok_or(Torn("记录头不完整"))?;
    let len = u32::from_le_bytes(head[..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(head[4..].try_into().expect("4 bytes"));
    if len == 0 || len > MAX_RECORD {
        return Err(Torn("记录长度不合理"));
    }
    let payload = bytes.get(8..8 + len).ok_or(Torn("记录不完整"))?;
    if crc32fast::hash(payload) != crc {
        return Err(Torn("校验和不符"));
    }
    let record = decode(node, payload).ok_or(Bad::Wrong("记录内容与其哈希不符，或属于另一节点"))?;
    Ok((record, 8 + len))
}

/// The one writer of a node's journal.
pub struct Journal {
    dir: PathBuf,
    /// Past this size the segment is closed.
    segment_bytes: u64,
    path: PathBuf,
    file: File,
    /// Where the records end.
    len: u64,
    /// Where the zeros made ready end (the file's size).
    ready: u64,
    buffer: Vec<u8>,
    /// A failed write could not be cut back: whatever follows would sit behind a
    /// broken frame, so nothing more is written until the node restarts.
    poisoned: bool,
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}

impl Journal {
    /// Begins a new segment for records from `next_seq` on. Segments already there
    /// stay until `remove` is told their records are in the database.
    /// A segment of that name must not hold records yet (a node begins after the
    /// sequence numbers its journal and log hold).
    pub fn begin(dir: &Path, next_seq: i64) -> Result<Journal> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let path = dir.join(format!("{next_seq:020}.{SUFFIX}"));
        let mut bytes = Vec::new();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .and_then(|mut f| f.read_to_end(&mut bytes).map(|_| f))
            .map_err(|e| io(&path, e))?;
        if bytes.iter().any(|b| *b != 0) {
            return Err(StoreError::Journal(format!(
                "{} 已有记录：新段不能从这里开始",
                path.display()
            )));
        }
        sync_dir(dir)?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            segment_bytes: SEGMENT_BYTES,
            path,
            file,
            len: 0,
            ready: bytes.len() as u64,
            buffer: Vec::new(),
            poisoned: false,
        })
    }

    /// Closes segments past `bytes` rather than `SEGMENT_BYTES`.
    pub fn segment_bytes(mut self, bytes: u64) -> Journal {
        self.segment_bytes = bytes;
        self
    }

    /// The segment being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the segment's records end.
    pub fn written(&self) -> u64 {
        self.len
    }

    /// Appends records and syncs them to disk: durable on return. On failure the
    /// segment is cut back to what it held before, so a later append follows whole
    /// records. Returns the segment closed when this one filled it, and the next
    /// record goes to a new one (or, should the new one fail to begin, to this one).
    pub fn append(&mut self, records: &[AuditRecord]) -> Result<Option<PathBuf>> {
        if self.poisoned {
            return Err(StoreError::Journal(format!(
                "{} 上次写入失败且无法回退：重启节点后继续",
                self.path.display()
            )));
        }
        self.buffer.clear();
        for r in records {
            encode(r, &mut self.buffer);
        }
        let written = self
            .make_ready(self.len + self.buffer.len() as u64)
            .and_then(|()| self.file.write_all_at(&self.buffer, self.len))
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Cut back to the records, the zeros ahead with them (made ready again
            // by the next append).
            self.ready = self.len;
            self.poisoned = self
                .file
                .set_len(self.len)
                .and_then(|()| self.file.sync_data())
                .is_err();
            return Err(io(&self.path, e));
        }
        self.len += self.buffer.len() as u64;
        let Some(last) = records.last() else {
            return Ok(None);
        };
        if self.len < self.segment_bytes {
            return Ok(None);
        }
        // The records are durable whatever happens now: a new segment that cannot be
        // begun leaves this one growing, to be closed after a later append.
        match Journal::begin(&self.dir, last.seq + 1) {
            Ok(next) => {
                let next = next.segment_bytes(self.segment_bytes);
                Ok(Some(std::mem::replace(self, next).path))
            }
            Err(e) => {
                tracing::warn!(error = %e, "next audit journal segment not begun; this one grows");
                Ok(None)
            }
        }
    }

    /// Writes zeros past the file's end until it reaches `end` and a mebibyte beyond
    /// (made durable by the group's sync that follows).
    fn make_ready(&mut self, end: u64) -> std::io::Result<()> {
        if end <= self.ready {
            return Ok(());
        }
        let target = end + READY_AHEAD;
        let zeros = vec![0u8; (target - self.ready) as usize];
        self.file.write_all_at(&zeros, self.ready)?;
        self.ready = target;
        Ok(())
    }
}

/// Removes a segment whose records are all in the database.
pub fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govshare_domain::audit::{GENESIS, chain};

    fn entries(n: usize) -> Vec<AuditEntry> {
        (0..n)
            .map(|i| AuditEntry {
                at: format!("2026-12-02T08:00:{i:02}.000Z"),
                actor: "渝中区\"平台\"".into(),
                app_id: Some(7),
                action: "share.lookup".into(),
                resource_code: "101001/000004".into(),
                items: "姓名,公民身份号码*".into(),
                row_count: 1,
                outcome: "ok".into(),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn records_read_back_as_written_across_segments() {
        let dir = tempfile::tempdir().unwrap();
        let all = chain("n1", (0, GENESIS.into()), entries(5));
        let mut j = Journal::begin(dir.path(), 1).unwrap();
        j.append(&all[..2]).unwrap();
        let mut j = Journal::begin(dir.path(), 3).unwrap();
        j.append(&all[2..]).unwrap();
        let read = read(dir.path(), "n1", false).unwrap();
        assert_eq!(read.records.len(), 5);
        assert_eq!(read.torn_bytes, 0);
        for (a, b) in read.records.iter().zip(&all) {
            assert_eq!((a.seq, &a.hash, &a.entry), (b.seq, &b.hash, &b.entry));
        }
        // Another node's name does not fit the hashes, even in the last segment:
        // nothing is taken for it, and nothing cut.
        let only_last = tempfile::tempdir().unwrap();
        let mut j = Journal::begin(only_last.path(), 1).unwrap();
        j.append(&all).unwrap();
        let err = super::read(only_last.path(), "n2", true)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("另一节点"), "{err}");
        assert_eq!(
            super::read(only_last.path(), "n1", true)
                .unwrap()
                .records
                .len(),
            5
        );
    }

    #[test]
    fn a_full_segment_is_closed_and_the_next_begun_after_its_last_record() {
        let dir = tempfile::tempdir().unwrap();
        let all = chain("n1", (0, GENESIS.into()), entries(6));
        let mut j = Journal::begin(dir.path(), 1).unwrap().segment_bytes(600);
        let mut closed = Vec::new();
        for pair in all.chunks(2) {
            closed.extend(j.append(pair).unwrap());
        }
        let names: Vec<String> = segments(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        // Each pair of records (about 700 bytes) fills a segment.
        assert_eq!(
            names,
            [1, 3, 5, 7].map(|n| format!("{n:020}.journal")),
            "a new segment after each full one"
        );
        assert_eq!(closed.len(), 3);
        assert_eq!(closed[0], dir.path().join(&names[0]));
        let read = read(dir.path(), "n1", false).unwrap();
        let seqs: Vec<i64> = read.records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
        remove(&closed[0]).unwrap();
        remove(&closed[0]).unwrap();
        assert_eq!(
            super::read(dir.path(), "n1", false).unwrap().records[0].seq,
            3
        );
    }

    /// Groups are written over zeros made ready ahead: the file's size changes once a
    /// mebibyte, not with each group, and the zeros are not taken for a torn write,
    /// in the last segment or any other.
    #[test]
    fn groups_are_written_over_zeros_made_ready_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let all = chain("n1", (0, GENESIS.into()), entries(4));
        let mut j = Journal::begin(dir.path(), 1).unwrap();
        j.append(&all[..2]).unwrap();
        let size = std::fs::metadata(j.path()).unwrap().len();
        assert_eq!(size, j.written() + READY_AHEAD);
        j.append(&all[2..]).unwrap();
        assert_eq!(std::fs::metadata(j.path()).unwrap().len(), size);
        let mut next = Journal::begin(dir.path(), 5).unwrap();
        let more = chain("n1", (4, all[3].hash.clone()), entries(1));
        next.append(&more).unwrap();
        let read = read(dir.path(), "n1", true).unwrap();
        let seqs: Vec<i64> = read.records.iter().map(|r| r.seq).collect();
        assert_eq!((seqs, read.torn_bytes), (vec![1, 2, 3, 4, 5], 0));
        // A segment begun again where it holds records would write over them.
        let err = Journal::begin(dir.path(), 1).err().unwrap().to_string();
        assert!(err.contains("已有记录"), "{err}");
    }

    #[test]
    fn a_torn_tail_is_cut_and_damage_before_it_refused() {
        let dir = tempfile::tempdir().unwrap();
        let all = chain("n1", (0, GENESIS.into()), entries(3));
        let mut j = Journal::begin(dir.path(), 1).unwrap();
        j.append(&all).unwrap();
        let path = j.path().to_path_buf();
        let (whole, size) = (j.written(), std::fs::metadata(&path).unwrap().len());
        // A crash in the middle of the next group's write, over the zeros ahead.
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(&[200, 1, 0, 0, 9, 9], whole).unwrap();
        let seen = read(dir.path(), "n1", false).unwrap();
        assert_eq!((seen.records.len(), seen.torn_bytes), (3, 6));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
        let cut = read(dir.path(), "n1", true).unwrap();
        assert_eq!((cut.records.len(), cut.torn_bytes), (3, 6));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
        // One changed byte in a segment that is not the last: damage, named.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        Journal::begin(dir.path(), 4).unwrap();
        let err = read(dir.path(), "n1", true).err().unwrap().to_string();
        assert!(err.contains("第 0 字节处损坏"), "{err}");
    }
}
