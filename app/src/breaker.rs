//! A circuit breaker per remote service (a model endpoint, Twilio): after a run of failures
//! the service is skipped for a while, then one request is let through to test it. Each
//! process keeps its own: it only spares that process calls bound to fail.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures in a row that open the circuit.
const THRESHOLD: u32 = 3;

#[derive(Debug)]
pub struct Breaker {
    cool_down: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    pub fn new(cool_down: Duration) -> Self {
        Self {
            cool_down,
            state: Mutex::new(State::default()),
        }
    }

    /// Whether a request may go to the endpoint now. Once the cool-down has passed, one
    /// request is let through (the circuit closes again if it succeeds).
    pub fn allows(&self, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.open_until {
            Some(until) if now < until => false,
            Some(_) => {
                // Half-open: this request is the trial; others wait for its result.
                state.open_until = Some(now + self.cool_down);
                true
            }
            None => true,
        }
    }

    pub fn succeeded(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *state = State::default();
    }

    pub fn failed(&self, now: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.failures += 1;
        if state.failures >= THRESHOLD {
            state.open_until = Some(now + self.cool_down);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_and_tests_again_later() {
        let b = Breaker::new(Duration::from_secs(30));
        let t = Instant::now();
        for _ in 0..THRESHOLD - 1 {
            b.failed(t);
        }
        assert!(b.allows(t), "still closed below the threshold");
        b.failed(t);
        assert!(!b.allows(t + Duration::from_secs(29)));
        assert!(
            b.allows(t + Duration::from_secs(31)),
            "one trial after the cool-down"
        );
        assert!(
            !b.allows(t + Duration::from_secs(32)),
            "only one trial at a time"
        );
        b.succeeded();
        assert!(b.allows(t + Duration::from_secs(33)));
    }
}
