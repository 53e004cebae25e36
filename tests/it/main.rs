//! The workspace's own tests, one module per topic: the tour, the book's
//! includes, names and transcripts, README.md's commands, hostile command
//! lines, the network lab's proofs (`lab/`) and the figures (`figures/`).
//!
//! One test binary for the whole package: cargo links it once, and libtest
//! runs every test at once, so the package takes as long as its longest
//! test, not as the sum of its files. Those that need root (the lab, the
//! figures) are ignored with their reason:
//! `sudo -E env "PATH=$PATH" cargo test --test it -- --ignored` runs them.

mod book;
mod figures;
mod hostile_cli;
mod lab;
mod readme;
mod siege;
mod support;
mod tour;
mod transcripts;
