//! The wake-up signal from whoever queues a message (a handler, a framework reload) to the
//! scheduler that delivers it, so a queued message goes out at once instead of at the next
//! tick.
//!
//! The wiring owns it: `serve` (or a test) creates one [`Wake`], gives a clone to the bot as
//! its outbound port and another to [`crate::scheduler::run`]. A bot nobody listens to (the
//! shell, the admin commands) rings a `Wake` no scheduler waits on, which does nothing.

use std::sync::Arc;

use tokio::sync::Notify;

/// A cheap, cloneable handle on one wake-up signal.
#[derive(Debug, Clone, Default)]
pub struct Wake {
    signal: Arc<Notify>,
}

impl Wake {
    /// A new signal, not yet rung.
    pub fn new() -> Self {
        Self::default()
    }

    /// Says a message was queued. Rings once while nobody waits are remembered as one ring,
    /// so the next wait returns at once.
    pub fn ring(&self) {
        self.signal.notify_one();
    }

    /// Waits for the next ring (or returns at once for one rung while nobody waited).
    pub async fn rung(&self) {
        self.signal.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_ring_before_the_wait_is_kept_for_it() {
        let wake = Wake::new();
        wake.clone().ring();
        tokio::time::timeout(Duration::from_secs(1), wake.rung())
            .await
            .expect("the earlier ring wakes the waiter");
    }

    #[tokio::test]
    async fn without_a_ring_the_wait_goes_on() {
        let wake = Wake::new();
        assert!(
            tokio::time::timeout(Duration::from_millis(20), wake.rung())
                .await
                .is_err()
        );
    }
}
