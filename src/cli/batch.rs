//! Batch mode: many patterns from JSON Lines, one JSON result per line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, PoisonError};

use serde_json::{json, Value};

use super::{input, jsonstr, UNUSABLE, YES};
use cwpattern::{canon, syntax};

/// One input line: a JSON string, or an object with a `pattern` field. A string without
/// escapes is borrowed from the line; a string with only one-character escapes is read
/// without serde_json (`jsonstr`), and its JSON text kept when it can be written again as
/// it is; anything else is read with serde_json.
pub fn pattern_of_line(line: &str) -> Result<jsonstr::ReadString<'_>, String> {
    if let Some(s) = jsonstr::read_simple_string(line) {
        return Ok(s);
    }
    let owned = |text: String| jsonstr::ReadString {
        text: Cow::Owned(text),
        json: None,
    };
    match serde_json::from_str::<Value>(line) {
        Ok(Value::String(s)) => Ok(owned(s)),
        Ok(Value::Object(mut map)) => match map.remove("pattern") {
            Some(Value::String(s)) => Ok(owned(s)),
            _ => Err("the object has no string field \"pattern\"".to_owned()),
        },
        Ok(_) => Err("expected a JSON string or an object with a \"pattern\" field".to_owned()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// A value [`for_each_line`] writes as one line of JSON.
pub trait JsonLine {
    /// Appends the value's JSON text (compact, without the newline) to `out`.
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), String>;
}

impl JsonLine for Value {
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), String> {
        serde_json::to_writer(out, self).map_err(|e| e.to_string())
    }
}

/// The JSON form of a parse error.
pub fn error_json(e: &syntax::Error) -> Value {
    json!({
        "message": e.kind().to_string(),
        "offset": e.offset(),
        "span": [e.span().start, e.span().end],
        "rendered": e.to_string(),
    })
}

/// Runs `each` on every non-empty line of FILE (or standard input for `-`) and prints what
/// it returns, one JSON value per line, in the input's order. `Err(status)` when the input
/// cannot be read or `each` gives up (`Err(message)`: printed as `error: message`, status
/// 2); the lines before are printed.
///
/// With `jobs` > 1, this thread and `jobs - 1` workers run `each` and write the JSON; this
/// thread also reads the lines and prints the finished ones. The lines go to a queue in
/// chunks of [`LINES_PER_CHUNK`] (at most `2 × jobs` chunks waiting) and come back in any
/// order, to be printed in the input's. The output is the same as with one thread.
pub fn for_each_line<T: JsonLine>(
    path: &str,
    jobs: usize,
    each: impl Fn(usize, &str) -> Result<T, String> + Sync,
) -> Result<(), u8> {
    for_each_line_writing(path, jobs, |n, line, out| each(n, line)?.write_json(out))
}

/// [`for_each_line`] with `each` writing a line's JSON (compact, without the newline) to
/// the output itself: what it writes may borrow from the line.
pub fn for_each_line_writing(
    path: &str,
    jobs: usize,
    each: impl Fn(usize, &str, &mut Vec<u8>) -> Result<(), String> + Sync,
) -> Result<(), u8> {
    let reader = input::open(path).map_err(|e| {
        eprintln!("error: {e}");
        UNUSABLE
    })?;
    // Buffered: one write per 64 KiB, not one per line; flushed at the end, also when a line
    // fails.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut chunks = Chunks {
        reader,
        path,
        read: 0,
        finished: false,
        spill: Vec::new(),
    };
    let done = match jobs {
        0 | 1 => in_this_thread(&mut chunks, &each, &mut out),
        jobs => with_workers(&mut chunks, jobs, &each, &mut out),
    };
    let flushed = out.flush().map_err(|_| UNUSABLE);
    done.and(flushed)
}

/// Lines per chunk in [`for_each_line`]: small enough that the workers finish close
/// together at the end of the input, large enough that passing a chunk costs nothing.
const LINES_PER_CHUNK: usize = 64;

/// The non-empty lines of the input, numbered from 1, a chunk at a time.
struct Chunks<'a> {
    reader: Box<dyn BufRead>,
    path: &'a str,
    /// How many lines have been read.
    read: usize,
    /// The input has ended, or a line could not be read.
    finished: bool,
    /// The start of a line that runs past the reader's buffer, kept from buffer to buffer.
    spill: Vec<u8>,
}

/// Lines of the input in one buffer (one allocation per chunk, not one per line).
struct Chunk {
    text: String,
    /// Each line's number and place in `text`, without its line break.
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

impl Chunks<'_> {
    /// The next (at most [`LINES_PER_CHUNK`]) non-empty lines, and the message for a line
    /// that could not be read, which ends the input. Lines end as `BufRead::lines` ends
    /// them: at `\n`, with a `\r` before it dropped too. The chunk reuses the buffers of
    /// `spare`, a chunk done with, when there is one.
    fn next_chunk(&mut self, spare: Option<Chunk>) -> (Chunk, Option<String>) {
        let mut chunk = match spare {
            Some(mut chunk) => {
                chunk.text.clear();
                chunk.lines.clear();
                chunk
            }
            None => Chunk {
                text: String::with_capacity(LINES_PER_CHUNK * 1024),
                lines: Vec::with_capacity(LINES_PER_CHUNK),
            },
        };
        while chunk.lines.len() < LINES_PER_CHUNK {
            let start = chunk.text.len();
            match read_line(&mut *self.reader, &mut chunk.text, &mut self.spill) {
                Ok(false) => {
                    self.finished = true;
                    break;
                }
                Ok(true) => {
                    self.read += 1;
                    let line = chunk.text[start..]
                        .strip_suffix('\n')
                        .map_or(&chunk.text[start..], |line| {
                            line.strip_suffix('\r').unwrap_or(line)
                        });
                    if line.trim().is_empty() {
                        chunk.text.truncate(start);
                    } else {
                        let end = start + line.len();
                        chunk.lines.push((self.read, start..end));
                    }
                }
                Err(e) => {
                    self.read += 1;
                    self.finished = true;
                    let message = format!("{}: line {}: {e}", self.path, self.read);
                    return (chunk, Some(message));
                }
            }
        }
        (chunk, None)
    }
}

/// Appends the next line of `reader` (with its `\n`, if it has one) to `text`, as
/// `BufRead::read_line` does: false at the end of the input, an error for a line that is
/// not UTF-8 (nothing appended). Faster for long lines: the line's end is found with the
/// `memchr` crate's vectorised search, and a line inside the reader's buffer is checked and
/// copied once. A line that runs past the buffer is gathered in `spill` first, so that a
/// character split between two buffers is checked whole. Unlike `BufRead::read_line`, after
/// an error the reader may be left anywhere in the line (a line inside the buffer that is
/// not UTF-8 is not consumed): the caller stops reading at the first error.
fn read_line(
    reader: &mut dyn BufRead,
    text: &mut String,
    spill: &mut Vec<u8>,
) -> std::io::Result<bool> {
    spill.clear();
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (taken, ended) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (at + 1, true),
            None => (buffer.len(), buffer.is_empty()),
        };
        if ended && spill.is_empty() {
            // The whole line is in the buffer (or the input has ended).
            let line = std::str::from_utf8(&buffer[..taken]).map_err(|_| not_utf8())?;
            text.push_str(line);
            reader.consume(taken);
            return Ok(taken > 0);
        }
        spill.extend_from_slice(&buffer[..taken]);
        reader.consume(taken);
        if ended {
            let line = std::str::from_utf8(spill).map_err(|_| not_utf8())?;
            text.push_str(line);
            return Ok(true);
        }
    }
}

/// The error of a line that is not UTF-8, worded as `BufRead::read_line`'s.
fn not_utf8() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

/// The JSON lines of `each` on the chunk's lines (written into `spare`, emptied first: a
/// buffer done with), and the message of the line it stopped at, if one failed.
fn render(
    chunk: &Chunk,
    each: &impl Fn(usize, &str, &mut Vec<u8>) -> Result<(), String>,
    spare: Vec<u8>,
) -> (Vec<u8>, Option<String>) {
    let mut text = spare;
    text.clear();
    text.reserve(chunk.lines.len() * 2048);
    for (n, range) in &chunk.lines {
        let written = each(*n, &chunk.text[range.clone()], &mut text);
        if let Err(message) = written {
            return (text, Some(message));
        }
        text.push(b'\n');
    }
    (text, None)
}

/// Prints a chunk's JSON lines, then the message of the line that failed, if one did.
fn print(out: &mut impl Write, text: &[u8], failure: Option<String>) -> Result<(), u8> {
    out.write_all(text).map_err(|_| UNUSABLE)?;
    match failure {
        None => Ok(()),
        Some(message) => {
            eprintln!("error: {message}");
            Err(UNUSABLE)
        }
    }
}

/// [`for_each_line`] with one thread.
fn in_this_thread(
    chunks: &mut Chunks<'_>,
    each: &impl Fn(usize, &str, &mut Vec<u8>) -> Result<(), String>,
    out: &mut impl Write,
) -> Result<(), u8> {
    let (mut spare_chunk, mut spare_text) = (None, Vec::new());
    loop {
        let (chunk, unreadable) = chunks.next_chunk(spare_chunk.take());
        let (text, failure) = render(&chunk, each, std::mem::take(&mut spare_text));
        print(out, &text, failure)?;
        (spare_chunk, spare_text) = (Some(chunk), text);
        if let Some(message) = unreadable {
            eprintln!("error: {message}");
            return Err(UNUSABLE);
        }
        if chunks.finished {
            return Ok(());
        }
    }
}

/// A chunk's place in the input, its lines, and a buffer to write its JSON lines into.
type Work = (usize, Chunk, Vec<u8>);
/// A chunk's place in the input, its JSON lines, the message of a line that failed, and
/// the chunk (its buffers to be used again).
type Done = (usize, Vec<u8>, Option<String>, Chunk);

/// [`for_each_line`] with this thread and `jobs - 1` workers. This thread reads, queues
/// the chunks for the workers, runs `each` itself on a chunk when the queue is full (and
/// on what is left in it at the end), and prints. A worker that panics takes its chunk
/// with it; the panic is raised again here when the workers are joined, and the chunks
/// after it are not printed.
fn with_workers(
    chunks: &mut Chunks<'_>,
    jobs: usize,
    each: &(impl Fn(usize, &str, &mut Vec<u8>) -> Result<(), String> + Sync),
    out: &mut impl Write,
) -> Result<(), u8> {
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(2 * jobs);
    let work_rx = Mutex::new(work_rx);
    let next_work = |wait: bool| {
        let queue = work_rx.lock().unwrap_or_else(PoisonError::into_inner);
        match wait {
            true => queue.recv().ok(),
            false => queue.try_recv().ok(),
        }
    };
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        for _ in 1..jobs {
            let (done_tx, stop, next_work) = (done_tx.clone(), &stop, &next_work);
            scope.spawn(move || {
                while let Some((place, chunk, spare)) = next_work(true) {
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    let (text, failure) = render(&chunk, each, spare);
                    if done_tx.send((place, text, failure, chunk)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut printer = InOrder {
            out,
            printed: 0,
            waiting: BTreeMap::new(),
            spare_chunks: Vec::new(),
            spare_texts: Vec::new(),
        };
        let done = (|| {
            let mut sent = 0;
            let unreadable = loop {
                let (chunk, unreadable) = chunks.next_chunk(printer.spare_chunks.pop());
                if !chunk.lines.is_empty() {
                    let spare = printer.spare_texts.pop().unwrap_or_default();
                    if let Err(e) = work_tx.try_send((sent, chunk, spare)) {
                        let (place, chunk, spare) = match e {
                            mpsc::TrySendError::Full(work) => work,
                            mpsc::TrySendError::Disconnected(work) => work,
                        };
                        let (text, failure) = render(&chunk, each, spare);
                        printer.take((place, text, failure, chunk))?;
                    }
                    sent += 1;
                }
                while let Ok(done) = done_rx.try_recv() {
                    printer.take(done)?;
                }
                if chunks.finished {
                    break unreadable;
                }
            };
            // No more work: a worker waiting for some (holding the queue's lock) stops
            // waiting. What is still queued, this thread takes too.
            drop(work_tx);
            while let Some((place, chunk, spare)) = next_work(false) {
                let (text, failure) = render(&chunk, each, spare);
                printer.take((place, text, failure, chunk))?;
            }
            while printer.printed < sent {
                match done_rx.recv() {
                    Ok(done) => printer.take(done)?,
                    // A worker panicked: raised again when the workers are joined.
                    Err(_) => return Ok(()),
                }
            }
            match unreadable {
                None => Ok(()),
                Some(message) => {
                    eprintln!("error: {message}");
                    Err(UNUSABLE)
                }
            }
        })();
        // On a failure the workers skip what is still queued (the sender is gone with the
        // closure, so they stop waiting).
        stop.store(true, Ordering::Relaxed);
        done
    })
}

/// Prints finished chunks in the input's order, and keeps their buffers for the reading
/// thread to use again: the buffers go round instead of being allocated per chunk (and
/// freed by another thread than the one that allocated them).
struct InOrder<'o, W> {
    out: &'o mut W,
    /// How many chunks have been printed.
    printed: usize,
    /// Finished chunks that wait for an earlier one, by place.
    waiting: BTreeMap<usize, (Vec<u8>, Option<String>)>,
    /// Chunks whose lines have been rendered.
    spare_chunks: Vec<Chunk>,
    /// Printed JSON lines.
    spare_texts: Vec<Vec<u8>>,
}

impl<W: Write> InOrder<'_, W> {
    /// Takes a finished chunk and prints every chunk that is now next.
    fn take(&mut self, (place, text, failure, chunk): Done) -> Result<(), u8> {
        self.spare_chunks.push(chunk);
        self.waiting.insert(place, (text, failure));
        while let Some((text, failure)) = self.waiting.remove(&self.printed) {
            self.printed += 1;
            print(self.out, &text, failure)?;
            self.spare_texts.push(text);
        }
        Ok(())
    }
}

/// `fmt --batch FILE`: prints `{"pattern", "canonical"}` or `{"pattern", "error"}` per
/// line. Invalid patterns are results, not failures: the exit status is 2 only when the
/// input itself cannot be read.
pub fn fmt(path: &str) -> u8 {
    let (ok, invalid) = (AtomicUsize::new(0), AtomicUsize::new(0));
    // One thread: the counts printed after a failing line are those of the lines before it.
    let done = for_each_line(path, 1, |n, line| {
        let pattern = pattern_of_line(line)
            .map_err(|e| format!("{path}: line {n}: {e}"))?
            .text;
        Ok(match syntax::parse(&pattern) {
            Ok(ast) => {
                ok.fetch_add(1, Ordering::Relaxed);
                json!({ "pattern": pattern, "canonical": canon::lower(&ast).to_string() })
            }
            Err(e) => {
                invalid.fetch_add(1, Ordering::Relaxed);
                json!({ "pattern": pattern, "error": error_json(&e) })
            }
        })
    });
    let (ok, invalid) = (ok.into_inner(), invalid.into_inner());
    eprintln!("{ok} formatted, {invalid} invalid");
    match done {
        Ok(()) => YES,
        Err(status) => status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};

    /// What `BufRead::read_line` gives, line by line, until the end or an error (kind only).
    fn std_lines(bytes: &[u8], capacity: usize) -> Vec<Result<String, std::io::ErrorKind>> {
        let mut reader = BufReader::with_capacity(capacity, Cursor::new(bytes));
        let mut out = Vec::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) => return out,
                Ok(_) => out.push(Ok(line)),
                Err(e) => {
                    out.push(Err(e.kind()));
                    return out;
                }
            }
        }
    }

    /// The same from [`read_line`].
    fn our_lines(bytes: &[u8], capacity: usize) -> Vec<Result<String, std::io::ErrorKind>> {
        let mut reader = BufReader::with_capacity(capacity, Cursor::new(bytes));
        let (mut out, mut spill) = (Vec::new(), Vec::new());
        loop {
            let mut line = String::new();
            match read_line(&mut reader, &mut line, &mut spill) {
                Ok(false) => return out,
                Ok(true) => out.push(Ok(line)),
                Err(e) => {
                    out.push(Err(e.kind()));
                    return out;
                }
            }
        }
    }

    proptest::proptest! {
        /// [`read_line`] reads what `BufRead::read_line` reads, whatever the reader's
        /// buffer size: lines that end in the buffer or run past it (a two- or three-byte
        /// character split between buffers), `\r\n`, no final line break, and bytes that
        /// are not UTF-8.
        #[test]
        fn read_line_reads_as_std_does(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'\n', b'\r', b'a', b'"', 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff,
                ]),
                0..60,
            ),
            capacity in 1..12usize,
        ) {
            proptest::prop_assert_eq!(our_lines(&bytes, capacity), std_lines(&bytes, capacity));
        }
    }

    /// Valid text, split at every place by small buffers: every line is read whole.
    #[test]
    fn read_line_gathers_characters_split_between_buffers() {
        let text = "é€a\n\r\nx€\r\n\n€é".repeat(3);
        for capacity in 1..8 {
            let want: Vec<_> = std_lines(text.as_bytes(), capacity);
            assert!(want.iter().all(Result::is_ok), "{capacity}");
            assert_eq!(our_lines(text.as_bytes(), capacity), want, "{capacity}");
        }
    }
}
