//! The async server: `broadcast-server`'s discovery and announcements on
//! tokio's `UdpSocket`. One socket, shared by two tasks on one thread: the
//! answering loop and, with `--announce-every`, the announcer. A UDP
//! socket's `send_to` and `recv_from` take `&self`, so both tasks use it
//! at once, through an `Arc`. [`answer_queries`] is the story; [`serve`]
//! runs it, with the announcer beside it and `--for` around it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::tasks::runtime;
use common::{Context, Failure, Narrator, detail, fmt_duration, say};
use tokio::net::UdpSocket;
use tokio::time::{MissedTickBehavior, interval, timeout};

use crate::message::{MAX_DATAGRAM, Message, Service};
use crate::server::ignored::Ignored;
use crate::server::query;

pub use crate::options::AsyncServerOptions as Options;

// ANCHOR: story
/// Answer each query that reaches `socket` with `service`, to its sender
/// alone; log the rest.
pub async fn answer_queries(
    socket: &UdpSocket,
    service: &Service,
    say: &Narrator,
) -> Result<(), Failure> {
    let mut ignored = Ignored::default();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    loop {
        // Cancel-safe, unlike a TCP read_exact: a datagram is received
        // whole or not at all, so a deadline that drops this wait has
        // taken nothing from the socket.
        let (n, from) = match socket.recv_from(&mut datagram).await {
            Ok(received) => received,
            // One datagram's error (or an ICMP message about an earlier
            // one): never a reason to stop.
            Err(e) => {
                say.problem(format_args!("recv_from: {e}"));
                continue;
            }
        };
        let Some(id) = query(&datagram[..n], from, &mut ignored, say) else {
            continue;
        };
        // Reply to the query's source, the client's own port.
        let reply = Message::here(id, service).encode();
        match socket.send_to(&reply, from).await {
            Ok(_) => say!(
                say,
                answered(to = from),
                "query from {from}: answered, to {from} alone"
            ),
            Err(e) => say.problem(format_args!("reply to {from}: {e}")),
        }
    }
}
// ANCHOR_END: story

// ANCHOR: serve
/// Serve discovery on `socket` (bound by `bind_shared`, SO_BROADCAST set)
/// until killed, or for `--for`.
pub fn serve(
    socket: std::net::UdpSocket,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    runtime()?.block_on(async {
        // tokio registers the socket with epoll; it must not block.
        socket.set_nonblocking(true).context("set_nonblocking")?;
        let socket = Arc::new(UdpSocket::from_std(socket).context("register")?);
        let announced = Arc::new(AtomicU64::new(0));
        if let Some(every) = opts.announce_every {
            let port = socket.local_addr().context("local_addr")?.port();
            let to = SocketAddr::new(IpAddr::V4(opts.to), port);
            let (socket, count) = (Arc::clone(&socket), Arc::clone(&announced));
            let (opts, say) = (opts.clone(), say.clone());
            tokio::spawn(async move {
                announce(&socket, to, every, &opts, &say, &count).await;
            });
        }
        let service = Service {
            name: opts.name.clone(),
            port: opts.service_port,
        };
        let Some(served) = opts.serve_for else {
            return answer_queries(&socket, &service, say).await;
        };
        // One deadline for the whole service: when it passes, the loop is
        // dropped in its recv_from, which loses nothing (below).
        if let Ok(ended) =
            timeout(served, answer_queries(&socket, &service, say)).await
        {
            return ended;
        }
        let (served, announced) =
            (fmt_duration(served), announced.load(Ordering::Relaxed));
        say!(say, gone(announced), "served for {served}: going away");
        Ok(())
    })
}
// ANCHOR_END: serve

// ANCHOR: announce
/// Broadcast an announcement every `every`, on the shared socket, until
/// the runtime ends. Listeners believe one for three intervals.
async fn announce(
    socket: &UdpSocket,
    to: SocketAddr,
    every: Duration,
    opts: &Options,
    say: &Narrator,
    count: &AtomicU64,
) {
    let ttl = u32::try_from((every * 3).as_secs().max(1)).unwrap_or(u32::MAX);
    let service = Service {
        name: opts.name.clone(),
        port: opts.service_port,
    };
    let message = Message::Announce { service, ttl }.encode();
    // The first tick is at once. A tick missed while the thread was busy
    // is not made up in a burst: the next comes a whole interval later.
    let mut ticks = interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let first = count.load(Ordering::Relaxed) == 0;
        match socket.send_to(&message, to).await {
            Ok(_) if first => say!(
                say,
                "announced {} on port {} to {to}; again every {} (-v)",
                opts.name,
                opts.service_port,
                fmt_duration(every)
            ),
            Ok(_) => detail!(say, "announced {} again", opts.name),
            Err(e) => say.problem(format_args!("announce to {to}: {e}")),
        }
        count.fetch_add(1, Ordering::Relaxed);
    }
}
// ANCHOR_END: announce
