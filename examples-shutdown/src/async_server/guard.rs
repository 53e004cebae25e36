//! The stream the async story uses, hardened. [`Guarded`] owns the
//! connection's socket and stands between it and the story: each read
//! waits `--idle-timeout` at most (the blocking server's SO_RCVTIMEO), and
//! a request that outgrows its first chunk needs room in `--max-memory`
//! for the largest request and its reply, or its read fails. Writes and
//! the shutdown go straight to the socket.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use common::room::Reading;
use common::{Narrator, Share, detail, fmt_duration};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep, sleep};

use super::Options;
use crate::server::memory::{CHUNK, room_for};

/// One connection's socket, as the story uses it (see the module's docs).
pub struct Guarded {
    stream: TcpStream,
    idle: Duration,
    silence: Pin<Box<Sleep>>,
    share: Share,
    whole: usize,
    held: usize,
    out_of_memory: bool,
    say: Narrator,
}

impl Guarded {
    pub(super) fn new(
        stream: TcpStream,
        share: Share,
        opts: &Options,
        say: &Narrator,
    ) -> Guarded {
        Guarded {
            stream,
            idle: opts.idle_timeout,
            silence: Box::pin(sleep(opts.idle_timeout)),
            share,
            whole: room_for(opts.max_request),
            held: 0,
            out_of_memory: false,
            say: say.clone(),
        }
    }

    /// True once a read failed for want of room in --max-memory.
    pub(super) fn out_of_memory(&self) -> bool {
        self.out_of_memory
    }

    /// The socket, for the refusal.
    pub(super) fn into_inner(self) -> TcpStream {
        self.stream
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // Past its first chunk, a request needs room for the largest
        // request and its reply; without it, it is refused, not queued.
        if this.held >= CHUNK && this.share.bytes() < this.whole {
            if this.share.grow_to(this.whole, Duration::ZERO).is_err() {
                this.out_of_memory = true;
                return Poll::Ready(Err(io::Error::other("no memory")));
            }
            this.say.event("memory", &[("held", &this.share.bytes())]);
        }
        let before = buf.filled().len();
        // Reading: while this read waits, the connection is waiting on its
        // client, and a full server may evict it (common::room).
        let mut socket = Reading(&mut this.stream);
        if let Poll::Ready(read) = Pin::new(&mut socket).poll_read(cx, buf) {
            read?;
            let n = buf.filled().len() - before;
            this.held += n;
            this.silence.as_mut().reset(Instant::now() + this.idle);
            if n > 0 {
                detail!(
                    this.say,
                    read(bytes = n),
                    "read() returned {bytes} bytes"
                );
            }
            return Poll::Ready(Ok(()));
        }
        ready!(this.silence.as_mut().poll(cx));
        let idle = fmt_duration(this.idle);
        let why = format!("no data from the client for {idle}");
        Poll::Ready(Err(io::Error::new(io::ErrorKind::WouldBlock, why)))
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let wrote = ready!(Pin::new(&mut this.stream).poll_write(cx, buf));
        // A client that reads is not silent: the idle clock starts again.
        this.silence.as_mut().reset(Instant::now() + this.idle);
        Poll::Ready(wrote)
    }

    fn poll_flush(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
        // tokio's shutdown turns ENOTCONN into success: the connection was
        // reset before our FIN could go (a client that closed, and whose
        // kernel answered the reply with RST). The reset is the socket's
        // pending error: say it, as the blocking server does.
        match this.stream.take_error() {
            Ok(Some(reset)) => Poll::Ready(Err(reset)),
            _ => Poll::Ready(Ok(())),
        }
    }
}
