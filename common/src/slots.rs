//! A limit on how many connections a server serves at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Up to `max` slots, one per connection being served.
///
/// ```
/// let slots = common::Slots::new(2);
/// let a = slots.take().unwrap();
/// let _b = slots.take().unwrap();
/// assert!(slots.take().is_none());
/// drop(a);
/// assert_eq!(slots.in_use(), 1);
/// assert!(slots.take().is_some());
/// ```
#[derive(Clone, Debug)]
pub struct Slots {
    in_use: Arc<AtomicUsize>,
    max: usize,
}

/// One slot, given back when dropped.
#[derive(Debug)]
pub struct Slot(Arc<AtomicUsize>);

impl Slots {
    /// Room for `max` at once.
    pub fn new(max: usize) -> Self {
        Slots {
            in_use: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    /// A slot, if one is free.
    pub fn take(&self) -> Option<Slot> {
        let mut current = self.in_use.load(Ordering::SeqCst);
        loop {
            if current >= self.max {
                return None;
            }
            match self.in_use.compare_exchange(
                current,
                current + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return Some(Slot(Arc::clone(&self.in_use))),
                Err(now) => current = now,
            }
        }
    }

    /// How many slots are taken.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::SeqCst)
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
