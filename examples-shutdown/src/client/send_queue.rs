//! What `shutdown(Write)` left behind: the bytes still in our send queue
//! when it returned. The notes say it waits for them; it does not.

use std::net::TcpStream;

use common::{Narrator, detail, say};

/// Report, and return, how many request bytes the server's kernel had not
/// yet acknowledged when `shutdown(Write)` returned (Linux only).
pub(super) fn after_shutdown(
    stream: &TcpStream,
    say: &Narrator,
) -> Option<usize> {
    // The count includes the FIN, which takes one byte of sequence space;
    // while any data is unacknowledged, so is the FIN behind it.
    let unsent = unacknowledged(stream).map(|n| n.saturating_sub(1));
    match unsent {
        Some(0) => {
            detail!(say, "the server's kernel had acknowledged every byte")
        }
        Some(n) => say!(
            say,
            "{n} bytes not yet delivered: shutdown(Write) did not wait"
        ),
        None => {}
    }
    let shown = unsent.map_or("unknown".to_owned(), |n| n.to_string());
    say.event("shutdown_write", &[("unsent", &shown)]);
    unsent
}

// ANCHOR: unacknowledged
/// How much of what we sent the peer's kernel has not yet acknowledged:
/// bytes still in our send queue. Linux only: the SIOCOUTQ ioctl.
#[cfg(target_os = "linux")]
fn unacknowledged(stream: &TcpStream) -> Option<usize> {
    use std::os::fd::AsRawFd;

    let mut queued: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (TIOCOUTQ) writes one c_int through the pointer,
    // which points at `queued`; the descriptor is open for as long as
    // `stream` is borrowed.
    #[allow(unsafe_code)]
    let rc =
        unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut queued) };
    if rc == 0 {
        usize::try_from(queued).ok()
    } else {
        None
    }
}
// ANCHOR_END: unacknowledged

#[cfg(not(target_os = "linux"))]
fn unacknowledged(_stream: &TcpStream) -> Option<usize> {
    None
}
