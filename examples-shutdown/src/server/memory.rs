//! `--max-memory`: the bytes of requests and replies that all connections
//! together may hold. A request past its first chunk waits for room for
//! the largest request and its reply, all at once, and reads nothing while
//! it waits: TCP's flow control holds the client back, and the kernel, not
//! this process, holds what it sends meanwhile. A request that cannot get
//! room within --idle-timeout is refused politely.

use std::net::TcpStream;

use common::{Budget, Failure, Narrator, Share, Short, fmt_size, say};

use super::Options;
use common::lingering_close;

/// What every connection holds from the start: its first chunk of request,
/// and the reply to a request that fits in it.
pub(crate) const FIRST: usize = 2 * CHUNK + 64;

/// How much of a request is read at once.
pub(crate) const CHUNK: usize = 16 * 1024;

/// Room for the first chunk of a request and its reply.
pub(super) fn first(
    stream: &TcpStream,
    budget: &Budget,
    opts: &Options,
    say: &Narrator,
) -> Result<Share, Failure> {
    take(stream, budget, opts, say, |wait| budget.take(FIRST, wait))
}

/// Refuse a request limit past 1 GiB, and a budget too small to serve one
/// largest request.
pub(super) fn check(opts: &Options) -> Result<(), Failure> {
    check_sizes(opts.max_request, opts.max_memory)
}

/// [`check`], for the async server's options too.
pub(crate) fn check_sizes(
    max_request: usize,
    max_memory: usize,
) -> Result<(), Failure> {
    if max_request > 1 << 30 {
        return Err(Failure::msg(
            "--max-request above 1GiB is refused: one request would be held \
             in memory",
        ));
    }
    let least = FIRST.saturating_add(room_for(max_request));
    if max_memory < least {
        return Err(Failure::msg(format!(
            "--max-memory {} cannot hold one request of --max-request {}",
            fmt_size(max_memory),
            fmt_size(max_request)
        ))
        .with_hint(format!("give it at least {least} bytes")));
    }
    Ok(())
}

/// The room the largest request (one byte past --max-request) and its
/// reply need.
fn whole(opts: &Options) -> usize {
    room_for(opts.max_request)
}

/// [`whole`], for a given --max-request.
pub(crate) fn room_for(max_request: usize) -> usize {
    // Saturating: a --max-request near usize::MAX asks for all there is.
    max_request
        .saturating_add(1)
        .saturating_mul(2)
        .saturating_add(64)
}

/// Room for the largest request and its reply, taken once a request
/// outgrows its first chunk.
pub(super) fn grow(
    stream: &TcpStream,
    share: &mut Share,
    budget: &Budget,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let whole = whole(opts);
    if share.bytes() >= whole {
        return Ok(());
    }
    take(stream, budget, opts, say, |wait| share.grow_to(whole, wait))
}

fn take<T>(
    stream: &TcpStream,
    budget: &Budget,
    opts: &Options,
    say: &Narrator,
    ask: impl FnMut(std::time::Duration) -> Result<T, Short>,
) -> Result<T, Failure> {
    let short = match budget.ask_or_wait(opts.idle_timeout, say, ask) {
        Ok(got) => return Ok(got),
        Err(short) => short,
    };
    say!(
        say,
        refused(why = "memory"),
        "no memory for this request ({short}): refusing it"
    );
    let message = no_memory(budget);
    let mut out = stream;
    let _ = std::io::Write::write_all(&mut out, message.as_bytes());
    lingering_close(stream, say)?;
    Err(Failure::msg(format!("refused the request: {short}")))
}

/// What a client hears when its request finds no room in the budget.
pub(crate) fn no_memory(budget: &Budget) -> String {
    format!(
        "error: server busy: no memory for the request (--max-memory {}); \
         try again later\n",
        fmt_size(budget.total())
    )
}
