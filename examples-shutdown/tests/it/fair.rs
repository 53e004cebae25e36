//! Fair at the cap (the chapter "Hardening"): at --max-clients, a newcomer
//! evicts the connection the server has waited on longest, so attackers
//! that hold every slot, slowly or silently, cannot keep an honest client
//! out; with --when-full turn-away they do. (That a connection being
//! answered is never evicted is proven on lesson 2's slow mode.)

use std::net::SocketAddr;
use std::time::Duration;

use common::testing::hostile::{self, Attack, honest_exchange, small_siege};
use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

fn honest(addr: SocketAddr, patience: Duration) -> bool {
    let reply = examples_shutdown::reply_to(b"hello");
    honest_exchange(addr, b"hello", true, &reply, patience)
}

fn start(bin: &str, when_full: &str) -> Server {
    Server::start(
        bin,
        &["-q", "--max-clients", "16", "--when-full", when_full],
    )
}

#[test]
fn at_the_cap_honest_clients_get_in_past_slow_and_silent_attackers() {
    let _heavy = common::testing::heavy();
    for bin in [SERVER, ASYNC_SERVER] {
        for attack in [Attack::Slowloris, Attack::Silent] {
            let server = start(bin, "evict");
            let outcome = small_siege(&server, attack, b"x", &honest);
            println!("{bin} {attack:?}: {outcome:?}");
            assert!(outcome.served >= 18, "{bin} {attack:?}: {outcome:?}");
            // The attackers were there: each connected at least once.
            assert!(outcome.attacks >= 24, "{bin} {attack:?}: {outcome:?}");
        }
    }
}

#[test]
fn turning_newcomers_away_lets_the_attackers_keep_every_slot() {
    let _heavy = common::testing::heavy();
    for bin in [SERVER, ASYNC_SERVER] {
        let server = start(bin, "turn-away");
        let outcome = small_siege(&server, Attack::Slowloris, b"x", &honest);
        println!("{bin}: {outcome:?}");
        assert!(outcome.served <= 4, "{bin}: {outcome:?}");
    }
}

#[test]
fn a_full_server_evicts_the_connection_it_has_waited_on_longest() {
    for bin in [SERVER, ASYNC_SERVER] {
        let args = ["--events", "--max-clients", "2"];
        let mut server = Server::start(bin, &args);
        let addr = server.addr();
        // #1 sends nothing; #2 half a line: the server waits on both.
        // Which longer is `common::room`'s unit tests' to prove; here,
        // one of them makes room, and the honest client is answered.
        let _silent = hostile::silent(addr);
        server.wait_for_event_where("accepted", |e| e.conn == Some(1));
        let _slow = hostile::slowloris(addr, b"half", Duration::from_secs(60));
        server.wait_for_event_where("accepted", |e| e.conn == Some(2));
        client(CLIENT)
            .args(["--addr", &server.addr_arg(), "hello"])
            .assert()
            .success()
            .stdout(contains("HELLO"));
        let evicted = server.wait_for_event("evicted");
        assert!(matches!(evicted.conn, Some(1 | 2)), "{bin}: {evicted:?}");
        assert_eq!(evicted.num("by"), 3, "{bin}");
    }
}

#[test]
fn while_largest_requests_hold_the_budget_a_small_one_is_served_at_once() {
    // 250 requests of --max-request (1 MiB) with no FIN, never read back,
    // fill
    // --max-memory (64 MiB). A part of the budget is kept for first
    // chunks, so an honest small request finds room at once: before, it
    // waited about 4 s for room (blocking) or was refused (async).
    let _heavy = common::testing::heavy();
    for bin in [SERVER, ASYNC_SERVER] {
        let mut server = Server::start(bin, &["--events", "-q"]);
        let addr = server.addr();
        let flood = std::thread::spawn(move || {
            hostile::never_read_back(addr, 250, &vec![b'x'; 1 << 20], false)
        });
        // The budget is spent once a largest request must wait for room
        // (blocking) or is refused (async).
        let spent = if bin == SERVER {
            "memory_wait"
        } else {
            "refused"
        };
        server.wait_for_event(spent);
        let served = (0..10)
            .filter(|_| honest(addr, Duration::from_secs(1)))
            .count();
        assert_eq!(served, 10, "{bin}: small requests served within 1 s");
        drop(flood.join());
    }
}
