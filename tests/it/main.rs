//! Every integration test, in one test binary so the crate is linked once, with one support
//! tree (`support`) that all of them share. Each module is one area of the bot, checked from
//! outside: through the binary, the real server on loopback, the shell adapter, or the public
//! library API. Fixtures are in `tests/fixtures/`; snapshots in `tests/it/snapshots/`.
//!
//!     cargo test --test it                 # all of them
//!     cargo test --test it checkins_e2e::  # one module

mod support;

mod ask_personal;
mod ask_phrasings;
mod away_e2e;
mod away_slack;
mod change_notices;
mod checkins_e2e;
mod claim_skip_locked;
mod cli;
mod config;
mod config_database;
mod crash_metadata;
mod deploy;
mod deploy_replicas;
mod evidence;
mod evidence_slack;
mod fake_slack_smoke;
mod framework_foreign;
mod framework_readers;
mod framework_validation;
mod growth_slack;
mod hardening;
mod home_growth;
mod job_claims;
mod lease_takeover;
mod logging;
mod migrate_db;
mod migrations;
mod model;
mod operations;
mod org_sync;
mod org_transfer;
mod people_view;
mod people_view_slack;
mod planning_turn;
mod prep_e2e;
mod prep_slack_limits;
mod readiness;
mod records;
mod replica_kill;
mod replica_recovery;
mod scheduler_hardening;
mod serve_process;
mod shared_pause;
mod slack_http;
mod slack_limits;
mod slack_retries;
mod slack_socket;
mod slow_clients;
mod store_growth;
mod store_queries;
mod store_read_only;
mod store_stats;
mod store_time_zones;
