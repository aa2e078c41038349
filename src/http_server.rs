//! The HTTP server under `serve`: it accepts connections itself, instead of `axum::serve`, so
//! that a slow or idle client cannot hold a connection (and a file descriptor) for long.
//!
//! - **Headers** must arrive in full within [`Limits::header_timeout`] of the connection being
//!   ready for a request: just after it opened, or just after the previous response. That one
//!   clock is also the **idle keep-alive timeout** (hyper starts it as soon as the connection
//!   waits for the next request), so an idle connection and one trickling its headers are both
//!   closed after it.
//! - **Bodies** must arrive in full within [`Limits::body_timeout`] of the headers, and be at
//!   most [`MAX_BODY_BYTES`]. Otherwise the answer is 408 (or 413) and the connection closes.
//!   The body is read here, before any route runs, so no signature is checked on a body that
//!   has not arrived.
//! - **At most [`Limits::max_connections`] connections** are open at once, fewer when the
//!   process may not open that many files: the limit on open files (`RLIMIT_NOFILE`) less
//!   [`RESERVED_DESCRIPTORS`] for the database, the Slack client and the log. When a new
//!   connection arrives at the cap, the connection that has been **waiting on its client**
//!   longest (idle, sending its headers or its body, or reading its answer) is closed to make
//!   room, once it has waited at least [`EVICTION_GRACE`]; a connection whose request is
//!   being handled is never closed. So a flood of slow clients cannot lock out `/healthz` or
//!   Slack: new connections keep getting in, and each slow one is closed at the latest by its
//!   timeout. While no connection can be closed (all busy, or all just opened), new ones wait
//!   in the listen queue ([`LISTEN_BACKLOG`]). Running out of descriptors anyway (`accept`
//!   failing) closes the longest-waiting connection at once.
//!
//! Only HTTP/1.1 is served: Slack and Prometheus speak it, and HTTP/2 would bring its own
//! slow-client questions. Shutdown is graceful: stop accepting, let each connection finish
//! the request in progress (bounded by the timeouts), then return.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::metrics::Metrics;

/// The default for [`Limits::header_timeout`].
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The default for [`Limits::body_timeout`].
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// The default for [`Limits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The largest request body read (Slack's are a few kilobytes; axum's default limit).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// File descriptors kept for everything but client connections: the database (a few per
/// pooled connection), the Slack client's connections, the listener, the runtime, the file
/// watcher and the log. A serving process holds 18 at rest (`/proc/PID/fd`); the database
/// pool and the Slack client's connections add some under load.
pub const RESERVED_DESCRIPTORS: usize = 48;
/// The fewest connections allowed, however low the descriptor limit.
const MIN_CONNECTIONS: usize = 4;
/// How long a connection must have waited on its client before it may be closed to make
/// room. A connection accepted in a burst has sent its request, but its task may not have
/// read it yet; without this, a burst of new connections would close each other (and a
/// `/healthz` among them) before any was read. Until some connection has waited this long,
/// new ones wait in the listen queue.
pub const EVICTION_GRACE: Duration = Duration::from_millis(250);

/// How long clients may take, and how many may be connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request's headers must arrive within this of the connection being ready for them;
    /// also how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// A request's body must arrive within this of its headers.
    pub body_timeout: Duration,
    /// The most connections open at once (lowered to fit the descriptor limit).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    /// The connection cap in effect: `max_connections`, or fewer when the process may not
    /// open that many files.
    pub fn connection_cap(&self) -> usize {
        let room = descriptor_limit().map_or(usize::MAX, |limit| {
            limit.saturating_sub(RESERVED_DESCRIPTORS)
        });
        self.max_connections.min(room).max(MIN_CONNECTIONS)
    }
}

/// The soft limit on open files, if there is one.
fn descriptor_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current?;
        Some(usize::try_from(limit).unwrap_or(usize::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// How many connections the kernel may queue before they are accepted (capped by
/// `net.core.somaxconn`). The standard library's 128 overflows under a burst of connections:
/// clients whose handshake is dropped retry only after a second.
pub const LISTEN_BACKLOG: u32 = 1024;

/// A listener on `address` with a [`LISTEN_BACKLOG`]-long queue.
pub fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then finishes the
/// requests in progress and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let cap = limits.connection_cap();
    tracing::debug!(
        cap,
        header_timeout = ?limits.header_timeout,
        body_timeout = ?limits.body_timeout,
        "HTTP connection limits"
    );
    let registry = Arc::new(Registry::default());
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            stream = accept(&listener, &registry, cap, &metrics) => {
                if registry.open() >= cap && registry.close_longest_waiting(EVICTION_GRACE) {
                    metrics.http_connection_closed("evicted");
                }
                let (entry, evicted) = registry.register();
                let connection = Connection {
                    router: router.clone(),
                    limits,
                    metrics: Arc::clone(&metrics),
                    registry: Arc::clone(&registry),
                };
                connections.spawn(connection.serve(stream, entry, evicted, closing_rx.clone()));
            }
        }
    }
    drop(listener);
    let _ = closing_tx.send(true);
    while connections.join_next().await.is_some() {}
}

/// The next connection, once there is room for it or room can be made.
async fn accept(
    listener: &TcpListener,
    registry: &Registry,
    cap: usize,
    metrics: &Metrics,
) -> TcpStream {
    loop {
        registry.wait_for_room(cap).await;
        match listener.accept().await {
            Ok((stream, _)) => return stream,
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                // Out of descriptors (or memory): free one and retry shortly.
                let closed = registry.close_longest_waiting(Duration::ZERO);
                if closed {
                    metrics.http_connection_closed("evicted");
                }
                tracing::warn!(%error, closed_a_waiting_connection = closed, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(if closed { 10 } else { 100 })).await;
            }
        }
    }
}

/// An error about one connection (gone before it was accepted), not about the listener.
fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::Interrupted
    )
}

/// What one connection needs.
struct Connection {
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    registry: Arc<Registry>,
}

impl Connection {
    async fn serve(
        self,
        stream: TcpStream,
        entry: Entry,
        evicted: oneshot::Receiver<()>,
        mut closing: watch::Receiver<bool>,
    ) {
        let id = entry.id;
        let registry = Arc::clone(&self.registry);
        let (router, limits, metrics) = (self.router, self.limits, Arc::clone(&self.metrics));
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let router = router.clone();
            let registry = Arc::clone(&registry);
            let metrics = Arc::clone(&metrics);
            async move {
                let response = match read_body(request, limits.body_timeout).await {
                    Ok(request) => {
                        registry.set_waiting(id, false);
                        let Ok(response) = router.oneshot(request).await;
                        registry.set_waiting(id, true);
                        response
                    }
                    Err(refusal) => {
                        if refusal.status() == StatusCode::REQUEST_TIMEOUT {
                            metrics.http_connection_closed("body_timeout");
                        }
                        refusal
                    }
                };
                Ok::<_, Infallible>(response)
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout)
            .keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(connection);
        tokio::pin!(evicted);
        let mut graceful = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        if error.is_timeout() {
                            self.metrics.http_connection_closed("header_timeout");
                        }
                        tracing::debug!(%error, "HTTP connection ended");
                    }
                    break;
                }
                // Closed to make room: dropping the connection closes the socket.
                _ = &mut evicted => break,
                _ = closing.wait_for(|closing| *closing), if !graceful => {
                    graceful = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
        drop(entry);
    }
}

/// The request with its body read in full, or the response refusing it.
async fn read_body(
    request: Request<Incoming>,
    timeout: Duration,
) -> Result<Request<Body>, Response<Body>> {
    let (parts, body) = request.into_parts();
    let read = Limited::new(body, MAX_BODY_BYTES).collect();
    match tokio::time::timeout(timeout, read).await {
        Ok(Ok(collected)) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => Err(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large\n",
        )),
        Ok(Err(_)) => Err(refusal(
            StatusCode::BAD_REQUEST,
            "the request body could not be read\n",
        )),
        Err(_) => Err(refusal(
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time\n",
        )),
    }
}

/// A short text answer after which the connection closes.
fn refusal(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The open connections, and which of them are waiting on their client.
#[derive(Default)]
struct Registry {
    state: Mutex<State>,
    /// Rung when a connection closes or starts waiting on its client: room may be made.
    changed: Notify,
}

#[derive(Default)]
struct State {
    next_id: u64,
    open: HashMap<u64, Open>,
}

struct Open {
    /// Since when the connection has been waiting on its client; `None` while a request of
    /// it is being handled.
    waiting_since: Option<Instant>,
    /// Closes the connection when sent or dropped.
    close: oneshot::Sender<()>,
}

/// A registered connection; dropping it unregisters it.
struct Entry {
    id: u64,
    registry: Arc<Registry>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.registry.lock().open.remove(&self.id);
        self.registry.changed.notify_one();
    }
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Registers a new connection, waiting on its client; the receiver resolves when it is
    /// closed to make room.
    fn register(self: &Arc<Self>) -> (Entry, oneshot::Receiver<()>) {
        let (close, closed) = oneshot::channel();
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.open.insert(
            id,
            Open {
                waiting_since: Some(Instant::now()),
                close,
            },
        );
        let entry = Entry {
            id,
            registry: Arc::clone(self),
        };
        (entry, closed)
    }

    /// Marks a connection as waiting on its client (or not, while its request is handled).
    fn set_waiting(&self, id: u64, waiting: bool) {
        if let Some(open) = self.lock().open.get_mut(&id) {
            open.waiting_since = waiting.then(Instant::now);
        }
        if waiting {
            self.changed.notify_one();
        }
    }

    /// Connections open and not yet told to close.
    fn open(&self) -> usize {
        self.lock().open.len()
    }

    /// Closes the connection that has waited on its client longest, if it has waited at
    /// least `min_wait`; false if none has.
    fn close_longest_waiting(&self, min_wait: Duration) -> bool {
        let mut state = self.lock();
        let longest = state
            .open
            .iter()
            .filter_map(|(id, open)| open.waiting_since.map(|since| (since, *id)))
            .min()
            .filter(|(since, _)| since.elapsed() >= min_wait)
            .map(|(_, id)| id);
        match longest.and_then(|id| state.open.remove(&id)) {
            Some(open) => {
                let _ = open.close.send(());
                true
            }
            None => false,
        }
    }

    /// Resolves when a new connection can be taken: under the cap, or some connection has
    /// waited on its client for [`EVICTION_GRACE`] and can be closed to make room.
    async fn wait_for_room(&self, cap: usize) {
        loop {
            let changed = self.changed.notified();
            let wait = {
                let state = self.lock();
                if state.open.len() < cap {
                    return;
                }
                let longest = state
                    .open
                    .values()
                    .filter_map(|open| open.waiting_since)
                    .min();
                match longest {
                    Some(since) if since.elapsed() >= EVICTION_GRACE => return,
                    Some(since) => Some(since + EVICTION_GRACE),
                    None => None,
                }
            };
            match wait {
                Some(until) => {
                    tokio::select! {
                        _ = changed => {}
                        _ = tokio::time::sleep_until(until.into()) => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_that_waited_longest_on_its_client_is_closed_first() {
        let registry = Arc::new(Registry::default());
        let (first, mut first_closed) = registry.register();
        let (second, mut second_closed) = registry.register();
        let (_third, mut third_closed) = registry.register();
        // Just opened: none has waited long enough to be closed to make room.
        assert!(!registry.close_longest_waiting(Duration::from_secs(3600)));
        // The first is handling a request: it is never closed to make room.
        registry.set_waiting(first.id, false);
        assert!(registry.close_longest_waiting(Duration::ZERO));
        assert!(
            second_closed.try_recv().is_ok(),
            "the second waited longest"
        );
        assert!(first_closed.try_recv().is_err());
        assert!(third_closed.try_recv().is_err());
        assert_eq!(registry.open(), 2);
        drop(second);
        assert_eq!(registry.open(), 2, "closing it already unregistered it");
        assert!(registry.close_longest_waiting(Duration::ZERO));
        assert!(third_closed.try_recv().is_ok());
        assert!(
            !registry.close_longest_waiting(Duration::ZERO),
            "only a busy one is left"
        );
        drop(first);
        assert_eq!(registry.open(), 0);
    }

    #[test]
    fn the_cap_never_goes_below_a_few_connections() {
        let limits = Limits {
            max_connections: 1,
            ..Limits::default()
        };
        assert_eq!(limits.connection_cap(), MIN_CONNECTIONS);
        assert!(Limits::default().connection_cap() <= DEFAULT_MAX_CONNECTIONS);
    }
}
