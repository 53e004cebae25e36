//! On tokio, over loopback TCP: the lesson's u32-length decoder and
//! tokio-util's `LengthDelimitedCodec`, each in `FramedRead`, on the same
//! runtime, with the same read buffer, fed the same bytes by the same
//! sender (the two codecs frame alike, byte for byte). Paired, the order
//! alternating from pair to pair, as every row of the bench.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_util::StreamExt;
use tokio_util::codec::{Decoder, FramedRead, LengthDelimitedCodec};

use super::{OnTokio, Plan, READ_BUFFER, Spread, join, payload};
use crate::codec::Codec;
use crate::codecs::U32Length;

/// The message size compared.
const SIZE: usize = 64;

/// `plan.pairs` pairs of runs, each `plan.volume` bytes of 64 B messages.
pub(super) fn framed_read(plan: Plan) -> io::Result<OnTokio> {
    let runtime = common::tasks::runtime()
        .map_err(|f| io::Error::other(f.to_string()))?;
    let count = (plan.volume / SIZE).max(1);
    let message = payload(false, SIZE);
    let mut wire = Vec::with_capacity(count * (SIZE + 4));
    let mut codec = U32Length::new(1 << 16);
    for _ in 0..count {
        Codec::encode(&mut codec, &message, &mut wire)?;
    }
    let wire = Arc::new(wire);
    let (mut ours, mut theirs, mut ratios) =
        (Vec::new(), Vec::new(), Vec::new());
    for pair in 0..plan.pairs {
        let one = |mine: bool| run(&runtime, &wire, count, mine);
        let (mine, other) = if pair.is_multiple_of(2) {
            let mine = one(true)?;
            (mine, one(false)?)
        } else {
            let other = one(false)?;
            (one(true)?, other)
        };
        let (mine, other) = (mine.as_secs_f64(), other.as_secs_f64());
        ours.push(count as f64 / mine.max(1e-9));
        theirs.push(count as f64 / other.max(1e-9));
        ratios.push(other / mine.max(1e-9));
    }
    Ok(OnTokio {
        size: SIZE,
        ours_msgs_per_s: Spread::of(&ours).median,
        theirs_msgs_per_s: Spread::of(&theirs).median,
        ratio: Spread::of(&ratios),
        pairs: plan.pairs,
    })
}

/// One run over a fresh connection: how long until `FramedRead` with our
/// decoder (`mine`) or theirs had every message.
fn run(
    runtime: &tokio::runtime::Runtime,
    wire: &Arc<Vec<u8>>,
    count: usize,
    mine: bool,
) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let bytes = Arc::clone(wire);
    let started = Instant::now();
    let sender = super::other_end(move || -> io::Result<()> {
        // Dropped after the last byte: the FIN ends the receiver's stream.
        TcpStream::connect(addr)?.write_all(&bytes)
    });
    let (stream, _) = listener.accept()?;
    stream.set_nonblocking(true)?;
    let received = runtime.block_on(async move {
        let stream = tokio::net::TcpStream::from_std(stream)?;
        if mine {
            let codec = U32Length::new(1 << 16);
            frames(FramedRead::with_capacity(stream, codec, READ_BUFFER)).await
        } else {
            let codec = LengthDelimitedCodec::new();
            frames(FramedRead::with_capacity(stream, codec, READ_BUFFER)).await
        }
    })?;
    join(sender)?;
    let took = started.elapsed();
    if received != count {
        return Err(io::Error::other(format!(
            "sent {count} messages, {received} arrived"
        )));
    }
    Ok(took)
}

/// Count the frames to the end of the stream.
async fn frames<D>(
    mut input: FramedRead<tokio::net::TcpStream, D>,
) -> io::Result<usize>
where
    D: Decoder<Item = BytesMut, Error = io::Error>,
{
    let mut n = 0;
    while let Some(frame) = input.next().await {
        std::hint::black_box(frame?);
        n += 1;
    }
    Ok(n)
}
