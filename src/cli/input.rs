//! Reading patterns and files named on the command line.

use std::io::Read;

/// The PATTERN argument: the text itself, or standard input for `-` or no argument (the
/// whole input, with one trailing newline dropped).
pub fn pattern_arg(arg: Option<&str>) -> Result<String, String> {
    match arg {
        Some(text) if text != "-" => Ok(text.to_owned()),
        _ => {
            let mut buf = String::new();
            std::io::stdin()
                .read_to_string(&mut buf)
                .map_err(|e| format!("cannot read the pattern from standard input: {e}"))?;
            if buf.ends_with('\n') {
                buf.pop();
                if buf.ends_with('\r') {
                    buf.pop();
                }
            }
            Ok(buf)
        }
    }
}

/// Opens FILE for reading, or standard input for `-`, with a buffer of [`READ_BUFFER`]
/// bytes.
pub fn open(path: &str) -> Result<Box<dyn std::io::BufRead>, String> {
    if path == "-" {
        let stdin = std::io::stdin();
        return Ok(Box::new(std::io::BufReader::with_capacity(
            READ_BUFFER,
            stdin,
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    Ok(Box::new(std::io::BufReader::with_capacity(
        READ_BUFFER,
        file,
    )))
}

/// The bytes [`open`] reads at a time: 64 KiB, a hundred patterns or so per system call.
pub const READ_BUFFER: usize = 1 << 16;
