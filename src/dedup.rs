//! Remembering which events were seen, to drop Orum's duplicate deliveries.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

/// The most recent `capacity` event ids, shared between request handlers.
///
/// Orum may deliver an event more than once (it retries until it gets a 2xx); handle each
/// `event_id` once.
///
/// ```
/// use orum_webhooks::RecentEventIds;
/// let seen = RecentEventIds::new(2);
/// assert!(seen.first_time("a"));
/// assert!(!seen.first_time("a"));
/// ```
#[derive(Debug)]
pub struct RecentEventIds {
    capacity: usize,
    inner: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl RecentEventIds {
    /// Remembers up to `capacity` ids (at least 1), forgetting the oldest first.
    pub fn new(capacity: usize) -> Self {
        RecentEventIds {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    /// Whether `event_id` is among the remembered ids (without recording it).
    pub fn contains(&self, event_id: &str) -> bool {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.contains(event_id)
    }

    /// Records `event_id`; `true` if it was not among the remembered ids.
    pub fn first_time(&self, event_id: &str) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if set.contains(event_id) {
            return false;
        }
        if order.len() == self.capacity
            && let Some(oldest) = order.pop_front()
        {
            set.remove(&oldest);
        }
        set.insert(event_id.to_owned());
        order.push_back(event_id.to_owned());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_beyond_capacity() {
        let seen = RecentEventIds::new(2);
        assert!(seen.first_time("a") && seen.first_time("b"));
        assert!(!seen.first_time("b"));
        assert!(seen.first_time("c"));
        assert!(seen.first_time("a"), "a was forgotten when c came");
        assert!(!seen.first_time("c"));
    }
}
