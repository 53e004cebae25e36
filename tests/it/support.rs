//! Helpers shared by the workspace tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A binary of the workspace, built beside the tour by `cargo test --workspace`.
pub fn workspace_bin(name: &str) -> PathBuf {
    let bin =
        Path::new(env!("CARGO_BIN_EXE_advanced-sockets")).with_file_name(name);
    assert!(
        bin.is_file(),
        "{bin:?} is not built: run the workspace's tests with `cargo test --workspace`"
    );
    bin
}

/// Split a command line as a POSIX shell would, for the simple quoting the
/// docs use: double or single quotes, no escapes; a quoted newline stays;
/// a `#` that starts a word starts a comment.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '#') if !started => break,
            (None, '"' | '\'') => (quote, started) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in {line:?}");
    if started {
        out.push(word);
    }
    out
}

/// True when `line` has an open quote: the command goes on on the next line.
pub fn open_quote(line: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => in_word = false,
            (None, '"' | '\'') => (quote, in_word) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, _) => in_word = true,
            _ => {}
        }
    }
    quote.is_some()
}

/// Tests that measure time on the wire (the timed figures) must not share
/// the machine with other captures and labs: a gap of 0.1 ms became 25 ms
/// once, with every root test at once under two busy loops. They take
/// [`alone`]; every other test that captures or builds a lab takes
/// [`beside_others`], so they still run at once with each other.
static QUIET: RwLock<()> = RwLock::new(());

/// Run with no other capture or lab at the same time.
pub fn alone() -> RwLockWriteGuard<'static, ()> {
    // A test that panicked while holding it poisoned it; the lock still
    // does its job.
    QUIET.write().unwrap_or_else(PoisonError::into_inner)
}

/// Run beside other captures and labs, never beside a test that is alone.
pub fn beside_others() -> RwLockReadGuard<'static, ()> {
    QUIET.read().unwrap_or_else(PoisonError::into_inner)
}
