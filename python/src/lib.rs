//! Python bindings for cwpattern (work in progress).
