//! Looks for python3 and nc, which the tests of python/ need.
include!("../common/build/probe.rs");
