//! GBK/GB18030 text decoded as it is read, so that large GBK files stream like UTF-8
//! ones. Bytes that are not GB18030 become U+FFFD and their places (offsets in the
//! decoded UTF-8 stream) are kept, so the reader of rows can refuse exactly the rows
//! that hold them.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Offsets in the decoded stream where undecodable bytes were.
pub type BadPlaces = Arc<Mutex<VecDeque<u64>>>;

pub struct Gb18030Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    /// Undecoded bytes are `input[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Decoded bytes not yet handed out.
    output: Vec<u8>,
    taken: usize,
    /// Decoded bytes handed out or waiting, in all.
    decoded: u64,
    bad: BadPlaces,
}

impl<R: Read> Gb18030Reader<R> {
    pub fn new(inner: R) -> (Self, BadPlaces) {
        let bad = BadPlaces::default();
        let reader = Gb18030Reader {
            inner,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            eof: false,
            output: Vec::with_capacity(128 * 1024),
            taken: 0,
            decoded: 0,
            bad: bad.clone(),
        };
        (reader, bad)
    }

    /// Decodes the next piece of input into `output`.
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start == self.end && !self.eof {
            self.start = 0;
            self.end = self.inner.read(&mut self.input)?;
            self.eof = self.end == 0;
        }
        self.output.clear();
        self.taken = 0;
        // GB18030 takes at most 4 bytes a character, each at most 3 bytes of UTF-8
        // (4 for those outside the BMP, which take 4 GB18030 bytes).
        self.output.resize((self.end - self.start) * 3 + 16, 0);
        let mut written = 0;
        loop {
            let (result, read, wrote) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.output[written..],
                self.eof,
            );
            self.start += read;
            written += wrote;
            match result {
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    let place = self.decoded + written as u64;
                    self.bad
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push_back(place);
                    if self.output.len() < written + 3 {
                        self.output.resize(written + 16, 0);
                    }
                    self.output[written..written + 3].copy_from_slice("\u{fffd}".as_bytes());
                    written += 3;
                }
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => {
                    let len = self.output.len();
                    self.output.resize(len * 2, 0);
                }
            }
        }
        self.output.truncate(written);
        self.decoded += written as u64;
        Ok(())
    }
}

impl<R: Read> Read for Gb18030Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.taken == self.output.len() {
            if self.eof && self.start == self.end {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.output.len() - self.taken);
        buf[..n].copy_from_slice(&self.output[self.taken..self.taken + n]);
        self.taken += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_across_reads_and_marks_bad_bytes() {
        let text = "公民身份号码,姓名\n500103199001010011,张三\n".repeat(5_000);
        let (mut bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let mut bytes = bytes.to_mut().clone();
        bytes.extend_from_slice(b"x,\xff\xfe\n");
        let (mut reader, bad) = Gb18030Reader::new(std::io::Cursor::new(bytes));
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert!(out.starts_with(&text));
        assert_eq!(&out[text.len()..], "x,\u{fffd}\u{fffd}\n");
        let places: Vec<u64> = bad.lock().unwrap().iter().copied().collect();
        assert_eq!(places, [text.len() as u64 + 2, text.len() as u64 + 5]);
    }
}
