//! Prometheus metrics, served at `GET /metrics` (OpenMetrics text format).
//!
//! One [`Metrics`] value is shared by the handlers, the scheduler and the Slack adapter; each
//! records what it does. Metric names start with `career_bot_`.

use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IntentLabel {
    intent: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeferredLabel {
    kind: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabel {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn request_histogram() -> Histogram {
    // 25 µs … ~0.8 s: our own handling of one HTTP request
    Histogram::new(exponential_buckets(0.000_025, 2.0, 16))
}

/// The bot's metrics.
pub struct Metrics {
    registry: Registry,
    questions: Family<IntentLabel, Counter>,
    unknown_questions: Counter,
    reminders_planned: Family<KindLabel, Counter>,
    reminders_sent: Family<KindLabel, Counter>,
    reminders_failed: Family<KindLabel, Counter>,
    messages_superseded: Family<KindLabel, Counter>,
    messages_taken_over: Family<KindLabel, Counter>,
    messages_deferred: Family<DeferredLabel, Counter>,
    slack_api_duration: Family<MethodLabel, Histogram, fn() -> Histogram>,
    slack_api_errors: Family<MethodLabel, Counter>,
    http_requests: Family<RouteLabel, Histogram, fn() -> Histogram>,
    checkins_recorded: Counter,
    framework_reloads: Family<OutcomeLabel, Counter>,
    http_connections_closed: Family<ReasonLabel, Counter>,
    scheduler_running: Gauge,
    scheduler_restarts: Counter,
    sent_mark_failures: Counter,
    outbox_recovered: Family<OutcomeLabel, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("career_bot");
        let questions = Family::<IntentLabel, Counter>::default();
        registry.register(
            "questions",
            "Questions answered, by intent",
            questions.clone(),
        );
        let unknown_questions = Counter::default();
        registry.register(
            "unknown_questions",
            "Questions that could not be answered",
            unknown_questions.clone(),
        );
        let reminders_planned = Family::<KindLabel, Counter>::default();
        registry.register(
            "reminders_planned",
            "Messages planned into the outbox, by kind",
            reminders_planned.clone(),
        );
        let reminders_sent = Family::<KindLabel, Counter>::default();
        registry.register(
            "reminders_sent",
            "Messages delivered, by kind",
            reminders_sent.clone(),
        );
        let reminders_failed = Family::<KindLabel, Counter>::default();
        registry.register(
            "reminders_failed",
            "Messages given up after failing, by kind",
            reminders_failed.clone(),
        );
        let messages_superseded = Family::<KindLabel, Counter>::default();
        registry.register(
            "messages_superseded",
            "Messages not sent because their purpose was gone when their turn came, by kind",
            messages_superseded.clone(),
        );
        let messages_taken_over = Family::<KindLabel, Counter>::default();
        registry.register(
            "messages_taken_over",
            "Messages this replica left out because its lease ran out during a slow pass and \
             another replica took them over (that one sends them), by kind",
            messages_taken_over.clone(),
        );
        let messages_deferred = Family::<DeferredLabel, Counter>::default();
        registry.register(
            "messages_deferred",
            "Times a message was held back at its turn, by kind and reason (away, report_away, \
             dnd, holiday, non_working_day); it stays in the outbox and goes out later",
            messages_deferred.clone(),
        );
        let slack_api_duration =
            Family::<MethodLabel, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "slack_api_duration_seconds",
            "Slack Web API call latency, by method",
            slack_api_duration.clone(),
        );
        let slack_api_errors = Family::<MethodLabel, Counter>::default();
        registry.register(
            "slack_api_errors",
            "Slack Web API calls that failed, by method",
            slack_api_errors.clone(),
        );
        let http_requests =
            Family::<RouteLabel, Histogram, fn() -> Histogram>::new_with_constructor(
                request_histogram,
            );
        registry.register(
            "http_request_duration_seconds",
            "Time to handle an HTTP request (verify, parse, answer), by route",
            http_requests.clone(),
        );
        let checkins_recorded = Counter::default();
        registry.register(
            "checkins_recorded",
            "Career conversations recorded",
            checkins_recorded.clone(),
        );
        let framework_reloads = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "framework_reloads",
            "Framework reloads, by outcome (ok or error)",
            framework_reloads.clone(),
        );
        let http_connections_closed = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "http_connections_closed",
            "HTTP connections the server closed on a slow or idle client, by reason \
             (header_timeout, which includes idle keep-alive, body_timeout, or evicted to make \
             room at the connection cap)",
            http_connections_closed.clone(),
        );
        let scheduler_running = Gauge::default();
        registry.register(
            "scheduler_running",
            "1 while the scheduler task runs; 0 means nothing is delivered (the log says why)",
            scheduler_running.clone(),
        );
        let scheduler_restarts = Counter::default();
        registry.register(
            "scheduler_restarts",
            "Times the scheduler task ended unexpectedly and was started again",
            scheduler_restarts.clone(),
        );
        let sent_mark_failures = Counter::default();
        registry.register(
            "sent_mark_failures",
            "Commits of \"sent\" marks that failed (database busy) and were retried",
            sent_mark_failures.clone(),
        );
        let outbox_recovered = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "outbox_recovered",
            "Messages whose outcome was unknown (their process died while sending them), by \
             what recovery did: found (already in the DM's history, marked sent) or resent \
             (not found, or the history could not be read: sent again)",
            outbox_recovered.clone(),
        );
        Self {
            registry,
            questions,
            unknown_questions,
            reminders_planned,
            reminders_sent,
            reminders_failed,
            messages_superseded,
            messages_taken_over,
            messages_deferred,
            slack_api_duration,
            slack_api_errors,
            http_requests,
            checkins_recorded,
            framework_reloads,
            http_connections_closed,
            scheduler_running,
            scheduler_restarts,
            sent_mark_failures,
            outbox_recovered,
        }
    }

    /// A question was answered with `intent` (`unknown` also counts as unknown).
    pub fn question(&self, intent: &str) {
        self.questions
            .get_or_create(&IntentLabel {
                intent: intent.to_owned(),
            })
            .inc();
        if intent == "unknown" {
            self.unknown_questions.inc();
        }
    }

    /// `count` messages of `kind` were planned.
    pub fn planned(&self, kind: &str, count: u64) {
        self.reminders_planned
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc_by(count);
    }

    /// A message of `kind` was delivered.
    pub fn sent(&self, kind: &str) {
        self.reminders_sent
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// A message of `kind` was not sent because its purpose was gone.
    pub fn superseded(&self, kind: &str) {
        self.messages_superseded
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// A message of `kind` was left out: another replica took it over (see
    /// `scheduler::lease`).
    pub fn taken_over(&self, kind: &str) {
        self.messages_taken_over
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// A message of `kind` was held back for `reason` (a [`crate::checkins::deferral::HoldReason`]
    /// label).
    pub fn deferred(&self, kind: &str, reason: &str) {
        self.messages_deferred
            .get_or_create(&DeferredLabel {
                kind: kind.to_owned(),
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// A message of `kind` was given up.
    pub fn failed(&self, kind: &str) {
        self.reminders_failed
            .get_or_create(&KindLabel {
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// A Slack API call to `method` that started at `started` finished.
    pub fn slack_call(&self, method: &str, started: Instant, ok: bool) {
        let label = MethodLabel {
            method: method.to_owned(),
        };
        self.slack_api_duration
            .get_or_create(&label)
            .observe(started.elapsed().as_secs_f64());
        if !ok {
            self.slack_api_errors.get_or_create(&label).inc();
        }
    }

    /// An HTTP request to `route` took `seconds` to handle.
    pub fn http_request(&self, route: &str, seconds: f64) {
        self.http_requests
            .get_or_create(&RouteLabel {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// A check-in was recorded.
    pub fn checkin_recorded(&self) {
        self.checkins_recorded.inc();
    }

    /// Frameworks were reloaded (`ok`) or a reload was rejected (`error`).
    pub fn framework_reload(&self, ok: bool) {
        self.framework_reloads
            .get_or_create(&OutcomeLabel {
                outcome: if ok { "ok" } else { "error" }.to_owned(),
            })
            .inc();
    }

    /// The HTTP server closed a connection for `reason` (see `http_server`).
    pub fn http_connection_closed(&self, reason: &str) {
        self.http_connections_closed
            .get_or_create(&ReasonLabel {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// The scheduler task started (`true`) or ended (`false`).
    pub fn scheduler_running(&self, running: bool) {
        self.scheduler_running.set(i64::from(running));
    }

    /// The scheduler task ended unexpectedly and is started again.
    pub fn scheduler_restarted(&self) {
        self.scheduler_restarts.inc();
    }

    /// A commit of "sent" marks failed and will be retried.
    pub fn sent_mark_failed(&self) {
        self.sent_mark_failures.inc();
    }

    /// A message whose outcome was unknown was `found` in its DM or is `resent`.
    pub fn outbox_recovered(&self, outcome: &str) {
        self.outbox_recovered
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// The metrics in OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_exported_with_labels() {
        let metrics = Metrics::new();
        metrics.question("level");
        metrics.question("unknown");
        metrics.planned("reminder", 3);
        metrics.sent("reminder");
        metrics.failed("digest");
        metrics.checkin_recorded();
        metrics.outbox_recovered("found");
        metrics.slack_call("chat.postMessage", Instant::now(), false);
        let text = metrics.encode();
        for expected in [
            "career_bot_questions_total{intent=\"level\"} 1",
            "career_bot_unknown_questions_total 1",
            "career_bot_reminders_planned_total{kind=\"reminder\"} 3",
            "career_bot_reminders_sent_total{kind=\"reminder\"} 1",
            "career_bot_reminders_failed_total{kind=\"digest\"} 1",
            "career_bot_checkins_recorded_total 1",
            "career_bot_outbox_recovered_total{outcome=\"found\"} 1",
            "career_bot_slack_api_errors_total{method=\"chat.postMessage\"} 1",
            "career_bot_slack_api_duration_seconds_count{method=\"chat.postMessage\"} 1",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }
}
