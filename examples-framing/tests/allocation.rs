//! A declared length beyond the limit is refused before anything that size
//! is allocated: measured with an allocator that records the largest
//! allocation made while the decoder runs.
// A GlobalAlloc is unsafe to implement; this one only forwards to the
// system allocator and records sizes.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

use examples_framing::codec::read_frame;
use examples_framing::codecs::Strategy;

struct Recording;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::SeqCst);
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
        LARGEST.fetch_max(new_size, Ordering::SeqCst);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

#[test]
fn hostile_lengths_cost_no_large_allocation() {
    // The decoder may keep up to its limit (1 MiB here); a 4 GiB header, or a
    // netstring that claims a billion bytes and sends ten, must not make it
    // reserve more than a small buffer.
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
        let codec = strategy.codec(1 << 20);
        LARGEST.store(0, Ordering::SeqCst);
        let mut input = bytes.as_slice();
        let e = read_frame(codec.as_ref(), &mut input).expect_err("refused");
        let largest = LARGEST.load(Ordering::SeqCst);
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
