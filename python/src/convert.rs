//! Crossing the boundary: events from Python, results and errors to Python.

use pyo3::exceptions::{PyBaseException, PyRuntimeError, PyTypeError, PyUnicodeDecodeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use serde::Serialize;

use cwpattern::syntax;

use crate::PatternError;

/// Converts anything the library serialises into plain Python values (dict, list, str,
/// int, float, bool, None), field order kept, exactly as the CLI's `--json` output reads.
///
/// The value goes through JSON text and Python's own `json.loads` (a C parser). The
/// output is then exactly the CLI's: the struct's field order, and JSON example events
/// (raw JSON text inside the report) as dicts with no special case. The cost is small:
/// `json.loads` of a 4 kB `check` report takes about 40 µs, under 1% of the check
/// (`python/bench/bench_check.py` prints both).
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let text = serde_json::to_string(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot serialise the result: {e}")))?;
    LOADS.import(py, "json", "loads")?.call1((text,))
}

/// Runs `f` on the text of an event given as `str`, UTF-8 `bytes`, or a `dict`/`list`
/// (serialised to compact JSON, non-ASCII characters kept as they are).
pub fn with_event<R>(event: &Bound<'_, PyAny>, f: impl FnOnce(&str) -> R) -> PyResult<R> {
    if let Ok(text) = event.cast::<PyString>() {
        return Ok(f(text.to_str()?));
    }
    if let Ok(bytes) = event.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        return match std::str::from_utf8(bytes) {
            Ok(text) => Ok(f(text)),
            Err(e) => Err(PyUnicodeDecodeError::new_utf8(event.py(), bytes, e)?.into()),
        };
    }
    if event.is_instance_of::<PyDict>() || event.is_instance_of::<PyList>() {
        let json = dumps(event)?;
        return Ok(f(json.to_str()?));
    }
    Err(PyTypeError::new_err(format!(
        "event must be str, bytes, dict or list, not {}",
        event.get_type().name()?
    )))
}

/// `json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)`: NaN
/// and infinities are not JSON, so they raise `ValueError` rather than produce an event no
/// JSON parser would read.
fn dumps<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    static ENCODE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = value.py();
    let encode = ENCODE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("ensure_ascii", false)?;
        kwargs.set_item("separators", (",", ":"))?;
        kwargs.set_item("allow_nan", false)?;
        let encoder = py
            .import("json")?
            .getattr("JSONEncoder")?
            .call((), Some(&kwargs))?;
        Ok(encoder.getattr("encode")?.unbind())
    })?;
    Ok(encode.bind(py).call1((value,))?.cast_into::<PyString>()?)
}

/// The `PatternError` for a parse error, with its attributes set.
pub fn pattern_error(py: Python<'_>, e: &syntax::Error) -> PyErr {
    let err = PatternError::new_err(e.message());
    if let Err(failed) = set_attributes(err.value(py), e) {
        return failed;
    }
    err
}

fn set_attributes(value: &Bound<'_, PyBaseException>, e: &syntax::Error) -> PyResult<()> {
    let pattern = e.pattern();
    let span = e.span();
    // Python indexes strings by code point; the library's spans are UTF-8 byte offsets.
    let index = |byte: usize| {
        pattern
            .char_indices()
            .take_while(|(i, _)| *i < byte)
            .count()
    };
    value.setattr("message", e.kind().to_string())?;
    value.setattr("offset", index(span.start))?;
    value.setattr("end", index(span.end))?;
    value.setattr("byte_span", (span.start, span.end))?;
    value.setattr("pattern", pattern)?;
    value.setattr("rendered", e.to_string())?;
    Ok(())
}
