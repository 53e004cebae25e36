//! `--udp`: the echo over UDP, losing the first `--drop-first` requests on
//! purpose, as a lossy network would.

use std::net::UdpSocket;

use common::{Context, Failure, HostPort, Narrator, say};

use super::Options;

// ANCHOR: udp
/// The UDP echo: one datagram in, the same datagram back to its sender,
/// except the first `--drop-first` requests, which are ignored as a lossy
/// network would lose them. With `--once`, it returns after its first
/// answer.
pub fn serve_udp(
    socket: &UdpSocket,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    // One byte more than the largest datagram we answer: a longer one is
    // truncated by recv_from, and we can tell.
    let mut datagram = [0u8; 2049];
    let mut seen = 0u64;
    loop {
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) => {
                // A UDP socket's errors belong to single datagrams (and on
                // some systems to an earlier send's ICMP): never fatal.
                say.problem(format_args!("recv_from: {e}"));
                continue;
            }
        };
        seen += 1;
        if seen <= u64::from(opts.drop_first) {
            say!(
                say,
                "request {seen} from {from}: dropped on purpose (--drop-first \
                    {})",
                opts.drop_first
            );
            continue;
        }
        if n == datagram.len() {
            say!(
                say,
                "request {seen} from {from}: longer than 2048 bytes; ignored"
            );
            continue;
        }
        match socket.send_to(&datagram[..n], from) {
            Ok(_) => {
                say!(say, "request {seen} from {from}: answered ({n} bytes)");
                if opts.once {
                    return Ok(());
                }
            }
            Err(e) => say.problem(format_args!("send_to {from}: {e}")),
        }
    }
}
// ANCHOR_END: udp

/// Bind the UDP socket for `--udp`.
pub fn bind_udp(addr: &HostPort) -> Result<UdpSocket, Failure> {
    let addrs = addr.resolve()?;
    UdpSocket::bind(&addrs[..]).with_context(|| format!("bind {addr} (UDP)"))
}
