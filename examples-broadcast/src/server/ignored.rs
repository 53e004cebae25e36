//! Hardening: a UDP port is open to anyone who can reach it. What is not
//! a query of ours is logged, without letting a flood flood the log.

use std::net::SocketAddr;

use common::{Narrator, say};

// ANCHOR: ignored
/// Says why datagrams were ignored, without letting a flood of them flood
/// the log: the first few one by one, then one line per thousand.
#[derive(Default)]
pub(crate) struct Ignored {
    count: u64,
}

impl Ignored {
    const SHOWN: u64 = 10;
    const EVERY: u64 = 1000;

    pub(crate) fn note(&mut self, from: SocketAddr, why: &str, say: &Narrator) {
        self.count += 1;
        if self.count <= Self::SHOWN {
            say!(say, "ignored a datagram from {from}: {why}");
        } else if self.count.is_multiple_of(Self::EVERY) {
            say!(
                say,
                "ignored {} datagrams so far (the first {} shown); the latest \
                    from {from}: {why}",
                self.count,
                Self::SHOWN
            );
        }
    }
}
// ANCHOR_END: ignored
