//! Lesson 4 in the tour: servers on threads sharing one port on this host,
//! the client on the calling thread, each step checked against what
//! happened. Nothing leaves the machine: every datagram goes to loopback's
//! broadcast address, a loopback multicast group, or 127.0.0.1.

use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

use super::Tour;
use common::{Context, Failure, Narrator};

use examples_broadcast::client::{self, DiscoverOptions, ListenOptions};
use examples_broadcast::{
    DEFAULT_BROADCAST, DEFAULT_GROUP, Group, bind_shared, server,
};
use examples_broadcast::{async_client, async_server};

/// The lesson's name on the tour's command line.
pub const NAME: &str = "broadcast";
/// What the lesson is about, for `--list`.
pub const TITLE: &str =
    "UDP broadcast: discovery and announcements, on loopback";

/// A server running on a thread for a while (`--for`): dropping it waits
/// for it to end, so that none of its lines come after the next step.
struct Running {
    done: Option<thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.join();
        }
    }
}

/// How long a server of the tour serves: long enough for its step.
const SERVE_FOR: Duration = Duration::from_millis(1500);

fn start(
    tour: &Tour,
    socket: UdpSocket,
    opts: server::Options,
) -> Result<Running, Failure> {
    let opts = server::Options {
        serve_for: opts.serve_for.or(Some(SERVE_FOR)),
        ..opts
    };
    let say =
        Narrator::server(tour.level()).tagged(format_args!("{}", opts.name));
    let done = thread::Builder::new()
        .name(format!("tour-{}", opts.name))
        .spawn(move || {
            if let Err(failure) = server::serve(&socket, &opts, &say) {
                say.problem(failure);
            }
        })
        .context("start a server thread")?;
    Ok(Running { done: Some(done) })
}

fn named(name: &str, port: u16) -> server::Options {
    server::Options {
        name: name.into(),
        service_port: port,
        ..server::Options::default()
    }
}

/// Run every step.
pub fn run(tour: &mut Tour) -> Result<(), Failure> {
    let say = Narrator::client(tour.level());
    let quick = DiscoverOptions {
        wait: Duration::from_millis(600),
        ..DiscoverOptions::default()
    };

    // The first server takes a free port; the others share it.
    let first = bind_shared(SocketAddr::from(([0, 0, 0, 0], 0)), None)?;
    let port = first.local_addr().context("local_addr")?.port();
    let shared = SocketAddr::from(([0, 0, 0, 0], port));
    let broadcast = SocketAddr::from((DEFAULT_BROADCAST, port));

    tour.step("without SO_BROADCAST, a broadcast is refused");
    let bare = DiscoverOptions {
        no_broadcast_flag: true,
        ..quick.clone()
    };
    let got = client::discover(broadcast, &bare, &say);
    report(tour, &got);
    let refused = got
        .as_ref()
        .is_err_and(|f| f.kind() == Some(std::io::ErrorKind::PermissionDenied));
    tour.key(
        refused,
        "sending to 127.255.255.255 without SO_BROADCAST failed with PermissionDenied (EACCES)", "broadcast-server", "broadcast-client discover --no-broadcast-flag");

    tour.step("three servers, one port, one query: all three answer");
    let mut servers = vec![start(tour, first, named("alpha", 8001))?];
    servers.push(start(
        tour,
        bind_shared(shared, None)?,
        named("beta", 8002),
    )?);
    servers.push(start(
        tour,
        bind_shared(shared, None)?,
        named("gamma", 8003),
    )?);
    let got = client::discover(broadcast, &quick, &say);
    report(tour, &got);
    let names = found_names(&got);
    tour.key(
        names == ["alpha", "beta", "gamma"],
        "one broadcast query reached all three servers; each answered once, unicast", "broadcast-server --name alpha", "broadcast-client discover");

    tour.step("a unicast query to the shared port reaches only one server");
    let got = client::discover(
        SocketAddr::from(([127, 0, 0, 1], port)),
        &quick,
        &say,
    );
    report(tour, &got);
    let names = found_names(&got);
    tour.found(
        names == ["gamma"],
        "sent to 127.0.0.1, the query reached gamma alone, the last server bound",
    );

    tour.step("bound to 127.0.0.1, a server (deaf) hears no broadcast");
    let local = bind_shared(SocketAddr::from(([127, 0, 0, 1], port)), None)?;
    let deaf = start(tour, local, named("deaf", 8004))?;
    let got = client::discover(broadcast, &quick, &say);
    report(tour, &got);
    let heard_deaf = got
        .as_ref()
        .is_ok_and(|f| f.iter().any(|f| f.service.name == "deaf"));
    let ok = got.is_ok() && !heard_deaf;
    // Every server so far goes away before the verdict: none of their
    // lines may come after it.
    drop((servers, deaf));
    tour.found(
        ok,
        "the server bound to 127.0.0.1 did not answer; those bound to 0.0.0.0 did",
    );

    tour.step("announcements, and a server that falls silent");
    let herald = bind_shared(shared, None)?;
    // herald announces for 400 ms, then goes away by itself (--for).
    let announcing = server::Options {
        announce_every: Some(Duration::from_millis(100)),
        serve_for: Some(Duration::from_millis(400)),
        ..named("herald", 8005)
    };
    let listener = bind_shared(shared, None)?;
    let herald = start(tour, herald, announcing)?;
    let options = ListenOptions {
        duration: Duration::from_millis(1200),
        ttl: Some(Duration::from_millis(400)),
    };
    let heard = client::listen(&listener, &options, &say)?;
    drop(herald);
    if tour.level() >= common::Verbosity::Normal {
        say.result(client::render(&heard).as_bytes());
    }
    let gone = heard.iter().any(|h| h.service.name == "herald" && h.gone);
    tour.key(
        gone,
        "the listener heard herald's announcements, then reported it gone once its TTL passed", "broadcast-server --name beta --announce-every 1s --for 2s", "broadcast-client listen --for 7s");

    tour.step("nobody listening: the query is dropped without a word");
    let empty = bind_shared(SocketAddr::from(([0, 0, 0, 0], 0)), None)?;
    let nobody = SocketAddr::from((
        DEFAULT_BROADCAST,
        empty.local_addr().context("local_addr")?.port(),
    ));
    drop(empty);
    let got = client::discover(nobody, &quick, &say);
    report(tour, &got);
    tour.found(
        got.as_ref().is_ok_and(Vec::is_empty),
        "no replies, no error: the kernel drops a broadcast nobody wants",
    );

    tour.step("multicast: only members of the group receive");
    let member = bind_shared(
        shared,
        Some((Group::V4(DEFAULT_GROUP), std::net::Ipv4Addr::LOCALHOST)),
    )?;
    let member = start(
        tour,
        member,
        server::Options {
            group: Some(Group::V4(DEFAULT_GROUP)),
            ..named("member", 8006)
        },
    )?;
    // A server on the same port that did not join.
    let outsider =
        start(tour, bind_shared(shared, None)?, named("outsider", 8007))?;
    let multicast = DiscoverOptions {
        group: Some(Group::V4(DEFAULT_GROUP)),
        ..quick
    };
    let got = client::discover(
        SocketAddr::from((DEFAULT_GROUP, port)),
        &multicast,
        &say,
    );
    report(tour, &got);
    let names = found_names(&got);
    drop((member, outsider));
    tour.found(
        names == ["member"],
        "a query to 239.255.71.4 on loopback reached the server that joined the group, not the one beside it",
    );

    tour.step("on tokio: one deadline for the window, and both kinds answer");
    let first = bind_shared(SocketAddr::from(([0, 0, 0, 0], 0)), None)?;
    let port = first.local_addr().context("local_addr")?.port();
    // Both go away soon after the window: this step waits for them.
    let brief = Duration::from_millis(600);
    let alpha = server::Options {
        serve_for: Some(brief),
        ..named("alpha", 8001)
    };
    let blocking = start(tour, first, alpha)?;
    let shared = SocketAddr::from(([0, 0, 0, 0], port));
    let tokio = start_async(tour, bind_shared(shared, None)?, "beta", brief)?;
    let opts = async_client::Options {
        wait: Duration::from_millis(300),
    };
    let target = SocketAddr::from((DEFAULT_BROADCAST, port));
    let got = async_client::discover(target, &opts, &say);
    report(tour, &got);
    drop((blocking, tokio));
    tour.found(
        found_names(&got) == ["alpha", "beta"],
        "on tokio, one timeout_at window collected the blocking server's reply and the async one's",
    );
    Ok(())
}

/// The async server on a thread of its own, for `serve_for`.
fn start_async(
    tour: &Tour,
    socket: UdpSocket,
    name: &str,
    serve_for: Duration,
) -> Result<Running, Failure> {
    let opts = async_server::Options {
        name: name.into(),
        service_port: 8002,
        serve_for: Some(serve_for),
        ..common::args::defaults()
    };
    let say = Narrator::server(tour.level()).tagged(format_args!("{name}"));
    let done = thread::Builder::new()
        .name(format!("tour-{name}"))
        .spawn(move || {
            if let Err(failure) = async_server::serve(socket, &opts, &say) {
                say.problem(failure);
            }
        })
        .context("start a server thread")?;
    Ok(Running { done: Some(done) })
}

/// The names of the services a discovery found (none if it failed).
fn found_names(got: &Result<Vec<client::Found>, Failure>) -> Vec<String> {
    got.as_ref()
        .map(|f| f.iter().map(|f| f.service.name.clone()).collect())
        .unwrap_or_default()
}

fn report(tour: &Tour, got: &Result<Vec<client::Found>, Failure>) {
    if tour.level() < common::Verbosity::Normal {
        return;
    }
    let say = Narrator::client(tour.level());
    match got {
        Ok(found) => {
            for f in found {
                say.result(
                    format!(
                        "{:<10} port {:<5}  from {}",
                        f.service.name, f.service.port, f.from
                    )
                    .as_bytes(),
                );
            }
        }
        Err(failure) => tour.failed("[client]", failure),
    }
}
