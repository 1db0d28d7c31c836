//! Bounded connections for the twin's HTTP listeners (ARM and the identity endpoint).
//!
//! A listener holds at most [`ConnectionLimits::max_connections`] connections at once: one more is
//! accepted and closed at once, so that neither the process's descriptors nor its tasks can be
//! exhausted by clients that connect and say nothing. A connection that sends nothing within
//! [`ConnectionLimits::header_read_timeout`] of connecting is closed; after that, one on which
//! nothing is read or written for [`ConnectionLimits::idle_timeout`] is closed (between keep-alive
//! requests, or mid-request), which frees its place for the next client; hyper's header-read
//! timeout bounds how long a client may take to send a request's head byte by byte, and the TLS
//! acceptor's handshake timeout the handshake.

use axum_server::accept::Accept;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// How many connections a listener holds and how long an idle one may stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once per listener; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// A connection with no bytes read or written for this long is closed.
    pub idle_timeout: Duration,
    /// The longest a client may take to send a request's head (hyper's header-read timeout).
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// 512 connections per listener (the twin serves one developer's tools on loopback, far below
    /// the usual 1,024-descriptor soft limit per listener pair), 60 s idle, 10 s for a head.
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: 512,
            idle_timeout: Duration::from_secs(60),
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// An acceptor that admits at most `max_connections` streams and wraps each in [`Bounded`],
/// then hands it to `inner` (the TLS acceptor, or none for plain http).
#[derive(Clone)]
pub struct LimitedAcceptor<A> {
    inner: A,
    permits: Arc<Semaphore>,
    idle_timeout: Duration,
    silent_timeout: Duration,
}

impl<A> LimitedAcceptor<A> {
    pub fn new(inner: A, limits: &ConnectionLimits) -> LimitedAcceptor<A> {
        LimitedAcceptor {
            inner,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            idle_timeout: limits.idle_timeout,
            silent_timeout: limits.header_read_timeout.min(limits.idle_timeout),
        }
    }
}

type BoxedAccept<T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send>>;

impl<A, S> Accept<TcpStream, S> for LimitedAcceptor<A>
where
    A: Accept<Bounded, S> + Clone + Send + Sync + 'static,
    A::Future: Send,
    A::Stream: Send,
    A::Service: Send,
    S: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = BoxedAccept<(A::Stream, A::Service)>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            // Dropping the stream closes it: the client learns at once instead of hanging.
            drop(stream);
            return Box::pin(std::future::ready(Err(io::Error::other("the connection limit is reached"))));
        };
        let bounded = Bounded::new(stream, permit, self.silent_timeout, self.idle_timeout);
        let inner = self.inner.clone();
        Box::pin(async move { inner.accept(bounded, service).await })
    }
}

/// A TCP stream that holds its listener's permit and fails once idle for too long.
pub struct Bounded {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    idle_timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl Bounded {
    /// Until its first byte arrives a connection may stay `silent_timeout`; then `idle_timeout`
    /// after each read or write.
    fn new(
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        silent_timeout: Duration,
        idle_timeout: Duration,
    ) -> Bounded {
        Bounded { stream, _permit: permit, idle_timeout, deadline: Box::pin(tokio::time::sleep(silent_timeout)) }
    }

    fn touched(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle_timeout);
    }

    /// Called when the stream has nothing to give: an error once the idle deadline has passed
    /// (the waker is registered with the deadline, so a silent client is noticed).
    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "the connection was idle too long")),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Bounded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.touched();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.check_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_write(cx, data) {
            Poll::Ready(result) => {
                this.touched();
                Poll::Ready(result)
            }
            Poll::Pending => this.check_idle(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Ready(result) => {
                this.touched();
                Poll::Ready(result)
            }
            Poll::Pending => this.check_idle(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
