//! Turning a client away when a server is full. Not part of any lesson:
//! the courtesy every careful server owes a client it cannot serve.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// Send `message` to a client the server has no room for, and close,
/// without a thread and without holding up the accept loop.
///
/// The message goes out, then a FIN (`shutdown(Write)`), and what the client
/// sends is read and dropped until its own FIN, so that closing finds
/// nothing unread and ends with FIN rather than RST (the lingering-close
/// trap of lesson 1). But this runs on the accept loop, which must not wait
/// long: the drain gives up after 20 ms and 64 KiB, whichever comes
/// first.
pub fn turn_away(stream: TcpStream, message: &[u8]) {
    let _ = stream.set_write_timeout(Some(GOODBYE));
    let _ = (&stream).write_all(message);
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(GOODBYE));
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        match (&stream).read(&mut sink) {
            Ok(n) if n > 0 => drained += n,
            _ => break,
        }
    }
}

/// How long a turned-away client may take to finish sending: on a local
/// network it has sent its request and FIN long before.
const GOODBYE: Duration = Duration::from_millis(20);
