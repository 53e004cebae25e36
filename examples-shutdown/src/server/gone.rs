//! A reply to a client that is no longer there. Its FIN said only that it
//! would send no more, not that it would read: a client that was killed,
//! or closed without reading, sends a FIN too. Its kernel answers our
//! reply with a reset (RST), and the write fails with what the kernel
//! told us, which this names rather than guesses at.

use std::io;

use common::{Failure, Narrator};

/// The failure for a reply that could not be sent, with the errno and what
/// it means; and an event naming its kind.
pub(crate) fn reply_failed(e: io::Error, say: &Narrator) -> Failure {
    let kind = format!("{:?}", e.kind());
    say.event("reply_failed", &[("kind", &kind)]);
    // Either way the client's kernel answered our data with RST. Linux
    // gives ECONNRESET if it arrives during a write, EPIPE if it arrived
    // before (it reports an RST received in CLOSE-WAIT that way).
    let errno = match e.kind() {
        io::ErrorKind::ConnectionReset => "ECONNRESET",
        io::ErrorKind::BrokenPipe => "EPIPE",
        // TCP_USER_TIMEOUT (common::stop_a_stopped_reader) expired.
        io::ErrorKind::TimedOut => {
            return Failure::msg(
                "reply not taken: the client read none of it for \
                 --idle-timeout, and the kernel ended the connection \
                 (ETIMEDOUT)",
            );
        }
        _ => return Failure::new("send the reply", e),
    };
    Failure::msg(format!(
        "reply lost: the client's kernel sent RST ({errno})"
    ))
}

/// shutdown(Write) failed. ENOTCONN means the client had closed and its
/// kernel answered the reply with RST: the reply is lost, and the reset is
/// the socket's pending error.
pub(crate) fn shutdown_failed(
    stream: &std::net::TcpStream,
    e: io::Error,
    say: &Narrator,
) -> Failure {
    if e.kind() != io::ErrorKind::NotConnected {
        return Failure::new("shutdown(Write)", e);
    }
    let reset = stream.take_error().ok().flatten().unwrap_or(e);
    reply_failed(reset, say)
}

/// The async server's shutdown() failed: a reset (the connection was gone
/// before our FIN) means the reply is lost; anything else is the OS's.
pub(crate) fn after_shutdown(e: io::Error, say: &Narrator) -> Failure {
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
            reply_failed(e, say)
        }
        _ => Failure::new("shutdown()", e),
    }
}
