//! What decoding and encoding cost in allocations, measured with a global
//! allocator that records, for the thread under test only, how many
//! allocations it makes and the largest.
//!
//! - A declared length beyond the limit is refused before anything that
//!   size is allocated.
//! - In steady state (buffers warmed up by the first frames), no codec
//!   allocates per 64 B frame: not to encode into a reused buffer, not to
//!   send through a FrameWriter, not to decode from a FrameReader.
// A GlobalAlloc is unsafe to implement; this one only forwards to the
// system allocator and records sizes.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io;

use examples_framing::codec::{FrameReader, FrameWriter, decode_all};
use examples_framing::codecs::Strategy;

struct Recording;

thread_local! {
    /// Whether this thread's allocations are being counted, how many, and
    /// the largest.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    // try_with: never panic inside the allocator, even at thread exit.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            COUNT.with(|c| c.set(c.get() + 1));
            LARGEST.with(|l| l.set(l.get().max(size)));
        }
    });
}

unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// Run `f` and return what it allocated on this thread: (count, largest).
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    COUNT.with(|c| c.set(0));
    LARGEST.with(|l| l.set(0));
    COUNTING.with(|on| on.set(true));
    let out = f();
    COUNTING.with(|on| on.set(false));
    (out, COUNT.with(Cell::get), LARGEST.with(Cell::get))
}

#[test]
fn hostile_lengths_cost_no_large_allocation() {
    // The decoder may keep up to its limit (1 MiB here); a 4 GiB header, or a
    // netstring that claims a billion bytes and sends ten, must not make it
    // reserve more than its first small buffer.
    let hostile: [(Strategy, Vec<u8>); 3] = [
        (Strategy::U32Length, u32::MAX.to_be_bytes().to_vec()),
        (Strategy::Netstring, b"999999999999:0123456789".to_vec()),
        (Strategy::U32Length, {
            let mut frame = (1u32 << 20).to_be_bytes().to_vec();
            frame.extend_from_slice(b"only ten b");
            frame
        }),
    ];
    for (strategy, bytes) in hostile {
        let mut codec = strategy.codec(1 << 20);
        let (got, _, largest) = allocations(|| decode_all(&mut codec, &bytes));
        let e = got.expect_err("refused");
        assert!(
            matches!(
                e.kind(),
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
            ),
            "{e}"
        );
        assert!(
            largest <= 64 * 1024,
            "{}: an allocation of {largest} bytes",
            strategy.name()
        );
    }
}

#[test]
fn no_codec_allocates_per_frame_in_steady_state() {
    const FRAMES: usize = 10_000;
    for strategy in Strategy::ALL {
        let name = strategy.name();
        let mut codec = strategy.codec(1 << 20);
        let message: Vec<u8> = (0..64u8).map(|i| b'a' + i % 26).collect();
        // Warm up: the first frames size the buffers.
        let mut frame = Vec::new();
        codec.encode(&message, &mut frame).expect("encode");
        let mut output = FrameWriter::new(io::sink());
        for _ in 0..1000 {
            output.queue(&mut codec, &message).expect("queue");
        }
        let mut stream = Vec::with_capacity(FRAMES * frame.len() * 2);
        for _ in 0..FRAMES {
            codec.encode(&message, &mut stream).expect("encode");
        }
        let mut input = FrameReader::new(&stream[..]);
        let first = input.next(&mut codec).expect("decode").map(<[u8]>::len);
        assert_eq!(first, Some(64), "{name}");

        let (encoded, count, _) = allocations(|| {
            for _ in 0..FRAMES {
                frame.clear();
                codec.encode(&message, &mut frame)?;
                output.queue(&mut codec, &message)?;
            }
            output.flush()
        });
        encoded.expect("encode");
        assert_eq!(count, 0, "{name}: {count} allocations in {FRAMES} encodes");

        let (decoded, count, _) = allocations(|| {
            let mut frames = 1;
            while let Some(payload) = input.next(&mut codec)? {
                assert_eq!(payload, message);
                frames += 1;
            }
            Ok::<_, io::Error>(frames)
        });
        assert_eq!(decoded.expect("decode"), FRAMES, "{name}");
        assert_eq!(count, 0, "{name}: {count} allocations in {FRAMES} decodes");
        println!(
            "{name}: 0 allocations in {FRAMES} encodes, sends and decodes"
        );
    }
}
