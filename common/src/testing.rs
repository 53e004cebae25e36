//! The harness every lesson's tests use (feature `testing`).
//!
//! A test starts the real server binary with [`Server::start`], which passes
//! `--addr 127.0.0.1:0` so the OS picks a free port, and waits for the
//! `listening on ADDR` line under a deadline: no fixed ports, no sleeps. It
//! then runs the real client binary with [`client`] against
//! [`Server::addr_arg`], and asserts on what both printed. The server is
//! killed when the [`Server`] value is dropped, so a failing test leaves no
//! process behind.
//!
//! In a lesson's integration test (where cargo sets `CARGO_BIN_EXE_*`):
//!
//! ```ignore
//! use common::testing::{Server, client};
//! use predicates::str::contains;
//!
//! let mut server = Server::start(env!("CARGO_BIN_EXE_shutdown-server"), &[]);
//! client(env!("CARGO_BIN_EXE_shutdown-client"))
//!     .args(["--addr", &server.addr_arg(), "hello"])
//!     .assert()
//!     .success()
//!     .stdout(contains("HELLO"));
//! server.wait_for_line("read() returned 0");
//! ```
//!
//! Panicking is this module's way to fail a test; every panic message
//! carries what the server printed so far.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::READY_PREFIX;

/// How long a server may take to print its ready line, or a line a test waits
/// for. Generous: on a busy 2-core machine a process start can take a while,
/// and waiting longer costs nothing when things work.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(20);

/// How long any client run may take before the test fails instead of hanging.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Tests that load the machine (hundreds of clients, hundreds of MiB, a
/// bench) hold this while they run: every test of a binary runs at once,
/// and two such loads beside each other, under the soak's busy loops,
/// starved a light test's server for 20 s. One at a time, they still run
/// beside every light test.
pub fn heavy() -> MutexGuard<'static, ()> {
    static HEAVY: Mutex<()> = Mutex::new(());
    // A heavy test that failed poisoned it; the lock still does its job.
    HEAVY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which of the server's output streams a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output: the ready line and narration.
    Stdout,
    /// Standard error: problems.
    Stderr,
}

/// A server binary running for a test, killed on drop.
pub struct Server {
    child: Child,
    addr: SocketAddr,
    lines: Receiver<(Stream, String)>,
    seen: Vec<(Stream, String)>,
}

impl Server {
    /// Start `bin` with `args`, on `--addr 127.0.0.1:0` unless `args` names
    /// an `--addr` itself, and wait for its ready line.
    ///
    /// Panics if the first line on stdout is not `listening on ADDR` within
    /// [`LINE_TIMEOUT`].
    pub fn start(bin: impl AsRef<OsStr>, args: &[&str]) -> Server {
        let mut cmd = Command::new(bin.as_ref());
        if !args
            .iter()
            .any(|a| *a == "--addr" || a.starts_with("--addr="))
        {
            cmd.args(["--addr", "127.0.0.1:0"]);
        }
        cmd.args(args);
        Server::spawn(cmd)
    }

    /// Start a server from a fully prepared command and wait for its ready
    /// line.
    pub fn spawn(cmd: Command) -> Server {
        let mut server = Server::watch(cmd);
        let first = server.next_stdout_line();
        let addr = first
            .strip_prefix(READY_PREFIX)
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| {
                server.fail(&format!(
                    "the first stdout line was {first:?}, not `{READY_PREFIX}ADDR`"
                ))
            });
        server.addr = addr;
        server
    }

    /// Start any program and follow its output, without waiting for a ready
    /// line: for a client whose narration a test must follow while it runs
    /// (wait for "sent", then cut the link, say). Its [`Server::addr`] is
    /// `0.0.0.0:0`.
    pub fn watch(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let (tx, lines) = mpsc::channel();
        forward(child.stdout.take().unwrap(), Stream::Stdout, tx.clone());
        forward(child.stderr.take().unwrap(), Stream::Stderr, tx);
        Server {
            child,
            // Replaced by `spawn`, once the ready line names the address.
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            lines,
            seen: Vec::new(),
        }
    }

    /// The address the server announced.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's process id (to read its memory use from /proc, say).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The announced address as an argument for `--addr`.
    pub fn addr_arg(&self) -> String {
        self.addr.to_string()
    }

    /// Wait until the server prints a line (on stdout or stderr) containing
    /// `needle`, and return that line. Lines seen on the way are kept for
    /// [`Server::output`].
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + LINE_TIMEOUT;
        if let Some((_, line)) =
            self.seen.iter().find(|(_, l)| l.contains(needle))
        {
            return line.clone();
        }
        loop {
            match self.recv_until(deadline) {
                Some((_, line)) if line.contains(needle) => return line,
                Some(_) => {}
                None => self.fail(&format!("no line containing {needle:?}")),
            }
        }
    }

    /// Wait until the server prints the event `name` (it must run with
    /// `--events`), and return the first such.
    pub fn wait_for_event(&mut self, name: &str) -> Event {
        self.wait_for_event_where(name, |_| true)
    }

    /// Wait until the server prints an event `name` for which `pick` is
    /// true, and return it.
    pub fn wait_for_event_where(
        &mut self,
        name: &str,
        pick: impl Fn(&Event) -> bool,
    ) -> Event {
        let deadline = Instant::now() + LINE_TIMEOUT;
        let matches = |line: &str| {
            Event::parse(line).filter(|e| e.name == name && pick(e))
        };
        if let Some(event) = self.seen.iter().find_map(|(_, l)| matches(l)) {
            return event;
        }
        loop {
            match self.recv_until(deadline) {
                Some((_, line)) => {
                    if let Some(event) = matches(&line) {
                        return event;
                    }
                }
                None => self.fail(&format!("no such event {name:?}")),
            }
        }
    }

    /// Every line seen so far, then each new line as it comes: the `n`th
    /// line the server printed (from 0, stdout and stderr as they came),
    /// with its stream, waiting up to [`LINE_TIMEOUT`] for it; `None` if it
    /// never comes. The two streams are read apart, so lines of one are in
    /// order, but a line of one may come before an earlier one of the other.
    pub fn line(&mut self, n: usize) -> Option<(Stream, String)> {
        let deadline = Instant::now() + LINE_TIMEOUT;
        while self.seen.len() <= n {
            self.recv_until(deadline)?;
        }
        Some(self.seen[n].clone())
    }

    /// Every event the server has printed so far, in order.
    pub fn events(&mut self) -> Vec<Event> {
        events(&self.output())
    }

    /// Wait up to `timeout` for the server to exit on its own (for example
    /// after `--once`), and return its exit status.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        // Both output streams close when the process exits: wait for that,
        // keeping every last line, then collect the status.
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => {
                    return self.child.wait().unwrap();
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.fail("the server did not exit")
                }
            }
        }
    }

    /// Everything the server printed that the test has seen so far, in
    /// order, one string; stderr lines are marked `(stderr)`.
    pub fn output(&mut self) -> String {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        let mut all = String::new();
        for (stream, line) in &self.seen {
            let mark = if *stream == Stream::Stderr {
                "(stderr) "
            } else {
                ""
            };
            let _ = writeln!(all, "{mark}{line}");
        }
        all
    }

    /// Kill the server now (as Ctrl-C would end it in a terminal).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn next_stdout_line(&mut self) -> String {
        let deadline = Instant::now() + LINE_TIMEOUT;
        loop {
            match self.recv_until(deadline) {
                Some((Stream::Stdout, line)) => return line,
                Some((Stream::Stderr, _)) => {}
                None => self.fail("no ready line"),
            }
        }
    }

    fn recv_until(&mut self, deadline: Instant) -> Option<(Stream, String)> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.seen.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                None
            }
        }
    }

    fn fail(&mut self, why: &str) -> ! {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => format!("exited with {status}"),
            _ => "still running".to_owned(),
        };
        let output = self.output();
        panic!("server: {why} (server {status}); it printed:\n{output}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Read `stream` line by line on a thread of its own, sending each line
/// (without its newline) to `tx`, until the stream closes.
fn forward(
    stream: impl Read + Send + 'static,
    which: Stream,
    tx: mpsc::Sender<(Stream, String)>,
) {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf)
                        .trim_end_matches(['\n', '\r'])
                        .to_owned();
                    if tx.send((which, line)).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// One observation a binary printed with `--events`:
/// `[server] #3 event NAME key=value ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// `server` or `client`.
    pub role: String,
    /// The connection's number, for a server's events.
    pub conn: Option<u64>,
    /// What happened.
    pub name: String,
    /// Its figures.
    pub fields: BTreeMap<String, String>,
}

impl Event {
    /// Parse one output line; `None` if it is not an event.
    ///
    /// ```
    /// use common::testing::Event;
    /// let e = Event::parse("[server] #3 event request_end bytes=22 end=fin").unwrap();
    /// assert_eq!((e.role.as_str(), e.conn, e.name.as_str()), ("server", Some(3), "request_end"));
    /// assert_eq!(e.num("bytes"), 22);
    /// assert_eq!(e.get("end"), "fin");
    /// assert!(Event::parse("[client] sent 5 bytes").is_none());
    /// ```
    pub fn parse(line: &str) -> Option<Event> {
        let rest = line.strip_prefix('[')?;
        let (role, rest) = rest.split_once("] ")?;
        let (conn, rest) = match rest.strip_prefix('#') {
            Some(tagged) => {
                let (n, rest) = tagged.split_once(' ')?;
                (Some(n.parse().ok()?), rest)
            }
            None => (None, rest),
        };
        let mut words = rest.strip_prefix("event ")?.split(' ');
        let name = words.next()?.to_owned();
        let fields = words
            .map(|w| {
                w.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned()))
            })
            .collect::<Option<_>>()?;
        Some(Event {
            role: role.to_owned(),
            conn,
            name,
            fields,
        })
    }

    /// A field's value; panics (failing the test) if it is missing.
    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).unwrap_or_else(|| {
            panic!("event {} has no field {key}: {self:?}", self.name)
        })
    }

    /// A field's value as a number; panics if it is missing or not one.
    pub fn num(&self, key: &str) -> u64 {
        let value = self.get(key);
        value.parse().unwrap_or_else(|_| {
            panic!("event {}: {key}={value} is not a number", self.name)
        })
    }
}

/// The events in a binary's output, in order.
pub fn events(output: &str) -> Vec<Event> {
    output.lines().filter_map(Event::parse).collect()
}

/// The first event called `name`; panics, listing what there was, if none.
pub fn event<'a>(events: &'a [Event], name: &str) -> &'a Event {
    events.iter().find(|e| e.name == name).unwrap_or_else(|| {
        let names: Vec<_> = events.iter().map(|e| e.name.as_str()).collect();
        panic!("no event {name:?}; the events were {names:?}")
    })
}

/// The names of the events, in order: for asserting a sequence.
pub fn names(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
}

/// The events a server's hardening emits, beside its story: its memory
/// budget, and the end of a connection's thread or task.
pub const HARDENING_EVENTS: [&str; 3] = ["memory", "memory_wait", "done"];

/// A server's story, as its events tell it: each event but the
/// hardening's own ([`HARDENING_EVENTS`]), as its name and its fields but
/// the peer's address (which differs from run to run). Two runs that tell
/// the same story compare equal.
pub fn story(events: &[Event]) -> Vec<(String, Vec<String>)> {
    let told = events
        .iter()
        .filter(|e| !HARDENING_EVENTS.contains(&e.name.as_str()));
    told.map(|e| {
        let fields = e.fields.iter().filter(|(k, _)| *k != "peer");
        (
            e.name.clone(),
            fields.map(|(k, v)| format!("{k}={v}")).collect(),
        )
    })
    .collect()
}

/// Run a prepared client command and return its exit code, stdout's events
/// and stderr, failing the test if it cannot run.
pub fn run_events(
    cmd: &mut assert_cmd::Command,
) -> (Option<i32>, Vec<Event>, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), events(&stdout), stderr)
}

/// A command for a client binary, failing the test (instead of hanging it)
/// if the client runs longer than [`CLIENT_TIMEOUT`].
pub fn client(bin: impl AsRef<OsStr>) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin.as_ref());
    cmd.timeout(CLIENT_TIMEOUT);
    cmd
}

/// The notes' Python, run: `python3 SCRIPT`, as a learner runs a peer of a
/// lesson's `python/`. Unbuffered (`-u`), so that a Python server's ready
/// line reaches [`Server::spawn`] at once, and writing no `__pycache__`
/// into the repository (`-B`). The tests that use it carry
/// `#[cfg_attr(no_python, ignore = ...)]`: see `common/build/probe.rs`.
pub fn python(script: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-u", "-B"]).arg(script);
    cmd
}

/// A Python server of `python/`, started with `args`, once it has printed
/// its ready line.
pub fn python_server(script: impl AsRef<OsStr>, args: &[&str]) -> Server {
    let mut cmd = python(script);
    cmd.args(args);
    Server::spawn(cmd)
}

/// [`python`] as a client: the test fails, instead of hanging, if the
/// script runs longer than [`CLIENT_TIMEOUT`].
pub fn python_client(script: impl AsRef<OsStr>) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(python(script));
    cmd.timeout(CLIENT_TIMEOUT);
    cmd
}

/// A TCP port on 127.0.0.1 that refuses every connection, for as long as
/// this value lives: bound, so that no other program can take the port,
/// but not listening, so the kernel answers each SYN with RST. (A port
/// found free and let go can be taken by another test's server a moment
/// later, and the "refused" test then talks to that server.)
pub struct ClosedPort {
    _socket: socket2::Socket,
    addr: SocketAddr,
}

impl ClosedPort {
    /// Bind one.
    pub fn new() -> ClosedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .unwrap();
        let addr = socket.local_addr().unwrap().as_socket().unwrap();
        ClosedPort {
            _socket: socket,
            addr,
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Default for ClosedPort {
    fn default() -> Self {
        ClosedPort::new()
    }
}

/// The most threads a server may keep once a load test's well-behaved
/// clients are done: the hostile clients still connected hold a few each,
/// the finished ones must have left none behind.
pub const MAX_THREADS_AFTER_LOAD: usize = 40;

/// The most resident memory (peak, in KiB) a server may ever have used
/// during a load test: 128 MiB.
pub const MAX_PEAK_KIB: u64 = 128 * 1024;

/// Assert that server process `pid`, after a load test, settles under
/// [`MAX_THREADS_AFTER_LOAD`] threads and never used more than
/// [`MAX_PEAK_KIB`]; `what` names it in a failure. Returns the thread count
/// and the peak, for the test's `measured:` line.
pub fn assert_bounded_after_load(pid: u32, what: &str) -> (usize, u64) {
    let threads =
        settled_threads(pid, MAX_THREADS_AFTER_LOAD, Duration::from_secs(10));
    let (_, peak_kib) = proc_status(pid);
    assert!(
        threads < MAX_THREADS_AFTER_LOAD,
        "{what}: {threads} threads"
    );
    assert!(
        peak_kib < MAX_PEAK_KIB,
        "{what}: peak memory {peak_kib} KiB"
    );
    (threads, peak_kib)
}

/// The thread count of process `pid` once it has settled below `bound`,
/// or, if it never does within `within`, the last count seen. Threads of
/// connections just closed take a moment to exit, more so on a busy
/// machine: a bound is checked on the count they settle to.
fn settled_threads(pid: u32, bound: usize, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    loop {
        let (threads, _) = proc_status(pid);
        if threads < bound || Instant::now() >= deadline {
            return threads;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// What /proc says of a process: its thread count and its peak resident
/// memory, in KiB (Linux only).
pub fn proc_status(pid: u32) -> (usize, u64) {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("Threads:") as usize, field("VmHWM:"))
}

/// Clients that misbehave, for the load and fault tests of every server.
pub mod hostile {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    /// Connect and say nothing, for as long as the stream is kept.
    pub fn silent(addr: SocketAddr) -> TcpStream {
        TcpStream::connect(addr).unwrap()
    }

    /// Connect, then go away at once.
    pub fn vanish(addr: SocketAddr) {
        drop(TcpStream::connect(addr).unwrap());
    }

    /// Send `bytes` and close, ignoring whatever the server does about it.
    pub fn garbage(addr: SocketAddr, bytes: &[u8]) {
        let mut stream = TcpStream::connect(addr).unwrap();
        let _ = stream.write_all(bytes);
    }

    /// Send part of a request, then close abortively: SO_LINGER with a zero
    /// timeout makes close() send RST instead of FIN.
    pub fn reset_mid_request(addr: SocketAddr, partial: &[u8]) {
        let mut stream = TcpStream::connect(addr).unwrap();
        let _ = stream.write_all(partial);
        let socket = socket2::Socket::from(stream);
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        drop(socket);
    }

    /// A slowloris: one byte of `request` every `interval`, on a thread,
    /// until the returned guard is dropped.
    pub fn slowloris(
        addr: SocketAddr,
        request: &'static [u8],
        interval: Duration,
    ) -> Slowloris {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let mut stream = TcpStream::connect(addr).unwrap();
        thread::spawn(move || {
            for byte in request.iter().cycle() {
                if flag.load(Ordering::SeqCst)
                    || stream.write_all(std::slice::from_ref(byte)).is_err()
                {
                    return;
                }
                thread::sleep(interval);
            }
        });
        Slowloris { stop }
    }

    /// Keep `stream` from going idle: a byte every `every`, until the
    /// guard is dropped. For a test whose client must hold what the server
    /// gave it past the server's idle timeout.
    pub fn keep_busy(
        stream: &TcpStream,
        byte: u8,
        every: Duration,
    ) -> Slowloris {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let mut stream = stream.try_clone().unwrap();
        thread::spawn(move || {
            while !flag.load(Ordering::SeqCst)
                && stream.write_all(&[byte]).is_ok()
            {
                thread::sleep(every);
            }
        });
        Slowloris { stop }
    }

    /// Fill a server started with `--events --max-clients 2 --when-full
    /// turn-away` with two silent clients, have a third, turned away, keep
    /// trickling a byte every 5 ms, then free the two slots; return once
    /// the server has seen the two end (its `done` event, sent once their
    /// slots are free) and the trickle is still going (the guard keeps it
    /// going). An honest client started then must not wait for it.
    pub fn fill_then_trickle(server: &mut super::Server) -> Slowloris {
        let addr = server.addr();
        let held: Vec<_> = (0..2).map(|_| silent(addr)).collect();
        server.wait_for_event_where("accepted", |e| e.conn == Some(2));
        let trickle = slowloris(addr, b"x", Duration::from_millis(5));
        server.wait_for_event("turned_away");
        drop(held);
        for conn in [1, 2] {
            server.wait_for_event_where("done", |e| e.conn == Some(conn));
        }
        trickle
    }

    /// `count` clients at once, each sending `request` (and with
    /// `half_close`, its FIN after it), none reading a byte back. Returns
    /// their connections, still open, once every request is sent: the
    /// replies pile up in the kernel's buffers, or in the server.
    pub fn never_read_back(
        addr: SocketAddr,
        count: usize,
        request: &[u8],
        half_close: bool,
    ) -> Vec<TcpStream> {
        let request: Arc<[u8]> = request.into();
        let senders: Vec<_> = (0..count)
            .map(|_| {
                let request = Arc::clone(&request);
                thread::spawn(move || {
                    let mut stream = TcpStream::connect(addr).unwrap();
                    stream.write_all(&request).unwrap();
                    if half_close {
                        stream.shutdown(std::net::Shutdown::Write).unwrap();
                    }
                    stream
                })
            })
            .collect();
        senders.into_iter().map(|s| s.join().unwrap()).collect()
    }

    /// A client that sends `request` (on a thread, for as long as the
    /// server takes it) and never reads a byte: the replies fill its
    /// receive buffer, then the server's send buffer, and the server's
    /// writes block. Its receive buffer is made small, so that happens
    /// within the first few replies. The connection stays open while the
    /// returned stream is kept.
    pub fn stops_reading(addr: SocketAddr, request: Vec<u8>) -> TcpStream {
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(addr),
            socket2::Type::STREAM,
            None,
        )
        .unwrap();
        // Before connect, so that the window offered in the SYN is small.
        socket.set_recv_buffer_size(4096).unwrap();
        socket.connect(&addr.into()).unwrap();
        let stream = TcpStream::from(socket);
        let mut sender = stream.try_clone().unwrap();
        thread::spawn(move || {
            let _ = sender.write_all(&request);
        });
        stream
    }

    /// How the attackers of a [`siege`] hold their connections.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Attack {
        /// A byte of `request` every `interval`, never the end of it.
        Slowloris,
        /// Nothing at all.
        Silent,
    }

    /// A siege: `attackers` clients holding connections as `attack` says,
    /// each reconnecting as soon as the server closes it (or turns it
    /// away), while `honest` clients come one every `every`.
    #[derive(Clone, Copy, Debug)]
    pub struct Siege {
        /// How each attacker holds its connection.
        pub attack: Attack,
        /// How many attackers, each one connection at a time.
        pub attackers: usize,
        /// The bytes a slowloris trickles, cycled.
        pub request: &'static [u8],
        /// How often a slowloris sends its next byte.
        pub interval: Duration,
        /// How many honest clients come, one at a time.
        pub honest: usize,
        /// The time between two honest clients.
        pub every: Duration,
        /// How long an honest client waits for its answer.
        pub patience: Duration,
        /// How long an attacker that was cut off waits before it connects
        /// again: zero on loopback is the harshest; over a network each
        /// connection costs it a round trip.
        pub reconnect_after: Duration,
    }

    /// What a siege came to.
    #[derive(Clone, Copy, Debug)]
    pub struct Outcome {
        /// Honest clients answered correctly within their patience.
        pub served: usize,
        /// Honest clients in all.
        pub honest: usize,
        /// Connections the attackers made, reconnections included.
        pub attacks: usize,
    }

    /// Lay `plan` against the server at `addr`: the attackers connect
    /// first (each once, before any honest client starts), then the
    /// honest clients come, each `honest(addr, patience)`: true if it was
    /// answered as the protocol says. Every thread ends before this
    /// returns: bounded in count (the plan's) and in time (the patience).
    pub fn siege(
        addr: SocketAddr,
        plan: Siege,
        honest: &(dyn Fn(SocketAddr, Duration) -> bool + Sync),
    ) -> Outcome {
        let stop = AtomicBool::new(false);
        let (attacks, connected) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let served = AtomicUsize::new(0);
        thread::scope(|scope| {
            for _ in 0..plan.attackers {
                scope.spawn(|| {
                    attacker(addr, &plan, &stop, &attacks, &connected)
                });
            }
            let begun = Instant::now();
            while connected.load(Ordering::SeqCst) < plan.attackers
                && begun.elapsed() < Duration::from_secs(10)
            {
                thread::sleep(Duration::from_millis(10));
            }
            let clients: Vec<_> = (0..plan.honest)
                .map(|_| {
                    thread::sleep(plan.every);
                    scope.spawn(|| {
                        if honest(addr, plan.patience) {
                            served.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            for client in clients {
                let _ = client.join();
            }
            stop.store(true, Ordering::SeqCst);
        });
        Outcome {
            served: served.into_inner(),
            honest: plan.honest,
            attacks: attacks.into_inner(),
        }
    }

    /// An honest client of any lesson: send `request` (then, with
    /// `half_close`, its FIN), and read until `expected.len()` bytes came or
    /// the server closed; true if exactly `expected` came within
    /// `patience`.
    pub fn honest_exchange(
        addr: SocketAddr,
        request: &[u8],
        half_close: bool,
        expected: &[u8],
        patience: Duration,
    ) -> bool {
        let deadline = Instant::now() + patience;
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, patience) else {
            return false;
        };
        if stream.write_all(request).is_err()
            || (half_close
                && stream.shutdown(std::net::Shutdown::Write).is_err())
        {
            return false;
        }
        let (mut got, mut chunk) = (Vec::new(), [0u8; 512]);
        while got.len() < expected.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
                return false;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
        got == expected
    }

    /// The smaller siege of the lessons' tests, against a server started
    /// with `--max-clients 16`: 24 attackers, each reconnecting 20 ms after
    /// it is cut off (a slowloris sends a byte a second), and 20 honest
    /// clients, one every 20 ms, each patient for 3 s.
    pub fn small_siege(
        server: &super::Server,
        attack: Attack,
        request: &'static [u8],
        honest: &(dyn Fn(SocketAddr, Duration) -> bool + Sync),
    ) -> Outcome {
        let plan = Siege {
            attack,
            attackers: 24,
            request,
            interval: Duration::from_secs(1),
            honest: 20,
            every: Duration::from_millis(20),
            patience: Duration::from_secs(3),
            // A round trip of a slow network: the tests must pass on a
            // machine whose every core is busy (scripts/soak), where
            // attackers that reconnect at once starve the honest
            // clients' threads of CPU, not of slots.
            reconnect_after: Duration::from_millis(20),
        };
        siege(server.addr(), plan, honest)
    }

    /// One attacker: connect, hold the connection as the plan says, and
    /// connect again as soon as it is closed, until `stop`.
    fn attacker(
        addr: SocketAddr,
        plan: &Siege,
        stop: &AtomicBool,
        attacks: &AtomicUsize,
        connected: &AtomicUsize,
    ) {
        let mut first = true;
        while !stop.load(Ordering::SeqCst) {
            if !first {
                thread::sleep(plan.reconnect_after);
            }
            let Ok(mut stream) = TcpStream::connect(addr) else {
                thread::sleep(Duration::from_millis(10));
                continue;
            };
            attacks.fetch_add(1, Ordering::SeqCst);
            if std::mem::take(&mut first) {
                connected.fetch_add(1, Ordering::SeqCst);
            }
            // A read that returns means the server closed (or refused) us:
            // connect again at once. A read timeout: time to look at the
            // clock, and at `stop`.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let mut bytes = plan.request.iter().cycle();
            let (mut sink, mut due) = ([0u8; 512], Instant::now());
            while !stop.load(Ordering::SeqCst) {
                if plan.attack == Attack::Slowloris
                    && due.elapsed() > Duration::ZERO
                {
                    let byte = bytes.next().copied().unwrap_or(b'x');
                    if stream.write_all(&[byte]).is_err() {
                        break;
                    }
                    due = Instant::now() + plan.interval;
                }
                match stream.read(&mut sink) {
                    Err(e) if crate::net::is_timeout(&e) => {}
                    _ => break, // closed, reset, or told "busy" then FIN
                }
            }
        }
    }

    /// Stops its slowloris when dropped.
    pub struct Slowloris {
        stop: Arc<AtomicBool>,
    }

    impl Drop for Slowloris {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
        }
    }
}
