//! The message parser under arbitrary input: never a panic, and every
//! refusal says why. 64 cases by default; PROPTEST_CASES for more.

use examples_broadcast::message::{Message, Refused, Service};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    // A failure prints its minimal input; no regression files in the tree.
    config.failure_persistence = None;
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        match Message::parse(&bytes) {
            Ok(message) => prop_assert!(bytes.len() <= 512, "accepted {} bytes: {message:?}", bytes.len()),
            Err(Refused::Foreign) => prop_assert!(!bytes.starts_with(b"ASOCK")),
            Err(Refused::Malformed(why)) => prop_assert!(!why.is_empty()),
        }
    }

    #[test]
    fn arbitrary_lines_after_the_magic_never_panic(rest in "[ -~]{0,200}") {
        let datagram = format!("ASOCK/1 {rest}");
        let _ = Message::parse(datagram.as_bytes());
    }

    #[test]
    fn every_valid_message_round_trips(id in any::<u64>(), name in "[A-Za-z0-9._-]{1,64}", port in any::<u16>(), ttl in any::<u32>()) {
        let service = Service { name, port };
        for message in [
            Message::Query { id },
            Message::Here { id, service: service.clone() },
            Message::Announce { service: service.clone(), ttl },
        ] {
            let bytes = message.encode();
            prop_assert!(bytes.len() <= 512);
            prop_assert_eq!(Message::parse(&bytes), Ok(message));
        }
    }
}
