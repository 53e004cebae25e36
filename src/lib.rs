//! The workspace's own library: pictures from the wire (`capture`, for
//! the book's figures and the `wire` command), and the network lab, which the `lab` command
//! builds for learners and the lab's tests (`tests/it/lab/`) build for
//! themselves. The tour (`src/main.rs`) drives the lessons through their
//! own libraries.

pub mod capture;
pub mod lab;
