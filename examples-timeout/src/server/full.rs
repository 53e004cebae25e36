//! `--mode full`: an accept queue that is full, and never accepted from,
//! so that a client's SYN goes unanswered without leaving the machine.

use std::net::{SocketAddr, TcpStream};
use std::thread;

use common::{Context, Failure, HostPort, Narrator, say};
use socket2::{Domain, Socket, Type};

// ANCHOR: full
/// A listener whose accept queue is full before anyone else connects.
///
/// std's `TcpListener::bind` always asks for a backlog of 128; socket2 lets
/// us ask for 0, which Linux rounds up to a queue of one connection. We fill
/// that place ourselves and never call accept. The kernel then drops every
/// further SYN (when the queue is full, Linux does not even answer with
/// RST), so a client's connect hangs while its kernel resends the SYN: the
/// situation a connect timeout is for, without leaving this machine.
pub struct Full {
    listener: Socket,
    _filler: TcpStream,
}

impl Full {
    /// Bind, listen with a backlog of 0, and fill the queue.
    pub fn bind(addr: &HostPort) -> Result<Full, Failure> {
        let addrs = addr.resolve()?;
        let first = addrs[0];
        let listener =
            Socket::new(Domain::for_address(first), Type::STREAM, None)
                .context("socket")?;
        listener.set_reuse_address(true).context("SO_REUSEADDR")?;
        listener
            .bind(&first.into())
            .with_context(|| format!("bind {addr}"))?;
        listener.listen(0).context("listen(0)")?;
        let bound = listener
            .local_addr()
            .context("local_addr")?
            .as_socket()
            .ok_or_else(|| Failure::msg("the listener has no IP address"))?;
        let filler =
            TcpStream::connect(bound).context("fill the accept queue")?;
        Ok(Full {
            listener,
            _filler: filler,
        })
    }

    /// The address clients would connect to.
    pub fn local_addr(&self) -> Result<SocketAddr, Failure> {
        self.listener
            .local_addr()
            .context("local_addr")?
            .as_socket()
            .ok_or_else(|| Failure::msg("the listener has no IP address"))
    }

    /// Never accept; hold the full queue until the process is killed.
    pub fn hold(&self, say: &Narrator) -> ! {
        say!(
            say,
            "full: the accept queue is full and nobody accepts; new connects \
                hang"
        );
        loop {
            thread::park();
        }
    }
}
// ANCHOR_END: full
