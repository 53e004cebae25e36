//! `--deadline`, on tokio: one instant for the whole exchange. Each wait
//! ends at the sooner of it and its own timeout: `timeout_at` takes the
//! instant itself, so nothing is recomputed by hand.

use std::time::Duration;

use common::{Context, Failure, Narrator, detail, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{Reply, cut_short, refused_request, within};
use crate::client::answer;

// ANCHOR: deadline
/// [`exchange`](super::exchange), every wait ending by `deadline`.
pub async fn exchange(
    stream: &mut TcpStream,
    message: &str,
    read_timeout: Duration,
    retries: u32,
    deadline: Instant,
    say: &Narrator,
) -> Result<Reply, Failure> {
    let started = std::time::Instant::now();
    let line = format!("{message}\n");
    let send = stream.write_all(line.as_bytes());
    let sent = within(Some(deadline), read_timeout, send).await;
    sent.ok_or_else(refused_request)?
        .context("send the request")?;
    say!(say, sent(bytes = line.len()), "sent {bytes} bytes");
    let (mut reply, mut timeouts) = (Vec::with_capacity(1024), 0);
    while !reply.ends_with(b"\n") {
        let read = stream.read_buf(&mut reply);
        match within(Some(deadline), read_timeout, read).await {
            Some(Ok(n)) if n == 0 || reply.len() > super::MAX_LINE => {
                return Err(cut_short(reply.len()));
            }
            Some(Ok(n)) => detail!(say, "read {n} bytes"),
            Some(Err(e)) => return Err(Failure::new("read the reply", e)),
            // The deadline, not the read's own timeout, ended the wait.
            None if Instant::now() >= deadline => {
                let got = reply.len();
                say.event("deadline_passed", &[("got", &got)]);
                return Err(Failure::msg(format!(
                    "the deadline passed {got} bytes into the reply"
                )));
            }
            None if timeouts < retries => timeouts += 1,
            None => {
                let got = reply.len();
                say.event("read_timeout", &[("got", &got)]);
                return Err(Failure::msg(
                    "read timeout: no data from the server",
                ));
            }
        }
    }
    answer(reply, timeouts, started, say)
}
// ANCHOR_END: deadline
