//! TDS over a TCP stream, with TLS where TDS puts it (azure-semantics §15.3; FINDINGS §4): the
//! handshake's records wrapped in PRELOGIN packets, every record raw on TCP after it; or, in
//! TDS 8.0 strict mode, TLS first. Used by the server (a rustls `ServerConnection`) and the
//! probe (a `ClientConnection`) alike; rustls does the TLS without I/O, this moves the bytes.

use super::packet::{self, kind, sniff, Assembler, FrameError, Layer, Message, DEFAULT_PACKET_SIZE, HEADER_LEN};
use std::io::{self, Read, Write};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A TLS record's header: content type, version, length (big-endian).
const TLS_RECORD_HEADER: usize = 5;

pub struct TdsStream {
    tcp: TcpStream,
    /// TCP bytes read but not yet handed on (to TLS, or to `messages` in the clear).
    raw: Vec<u8>,
    tls: Option<rustls::Connection>,
    /// TDS bytes (decrypted once TLS is up) reassembled into messages.
    messages: Assembler,
    /// The size outgoing messages are split at.
    pub packet_size: usize,
}

fn framing(error: FrameError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

fn tls_error(error: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

impl TdsStream {
    pub fn new(tcp: TcpStream) -> TdsStream {
        TdsStream { tcp, raw: Vec::new(), tls: None, messages: Assembler::default(), packet_size: DEFAULT_PACKET_SIZE }
    }

    pub fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    pub fn tls(&self) -> Option<&rustls::Connection> {
        self.tls.as_ref()
    }

    async fn read_tcp(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 16 * 1024];
        let n = self.tcp.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the peer closed the connection"));
        }
        self.raw.extend_from_slice(&buf[..n]);
        Ok(())
    }

    /// The first byte the peer sends, without consuming it (`0x16` = TLS first, TDS 8.0 strict).
    pub async fn peek_first_byte(&mut self) -> io::Result<u8> {
        while self.raw.is_empty() {
            self.read_tcp().await?;
        }
        Ok(self.raw[0])
    }

    /// Hands raw bytes on: to TLS (then its plaintext to `messages`), or straight to `messages`.
    async fn absorb_raw(&mut self) -> io::Result<()> {
        let raw = std::mem::take(&mut self.raw);
        let Some(tls) = self.tls.as_mut() else {
            self.messages.push(&raw);
            return Ok(());
        };
        let mut input = &raw[..];
        let mut failure = None;
        while !input.is_empty() && failure.is_none() {
            tls.read_tls(&mut input)?;
            if let Err(e) = tls.process_new_packets() {
                failure = Some(tls_error(e));
            }
            let mut plain = [0u8; 16 * 1024];
            loop {
                match tls.reader().read(&mut plain) {
                    Ok(0) => break,
                    Ok(n) => self.messages.push(&plain[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        self.flush_tls().await?; // alerts, and in strict mode the handshake
        failure.map_or(Ok(()), Err)
    }

    async fn flush_tls(&mut self) -> io::Result<()> {
        let Some(tls) = self.tls.as_mut() else { return Ok(()) };
        let mut out = Vec::new();
        while tls.wants_write() {
            tls.write_tls(&mut out)?;
        }
        if !out.is_empty() {
            self.tcp.write_all(&out).await?;
        }
        Ok(())
    }

    /// The next whole TDS message.
    pub async fn read_message(&mut self) -> io::Result<Message> {
        loop {
            if let Some(message) = self.messages.next_message().map_err(framing)? {
                return Ok(message);
            }
            if self.raw.is_empty() {
                self.read_tcp().await?;
            }
            self.absorb_raw().await?;
        }
    }

    /// Sends a message split at the packet size (inside TLS once it is up).
    pub async fn write_message(&mut self, kind: u8, payload: &[u8]) -> io::Result<()> {
        let bytes = packet::encode_message(kind, payload, self.packet_size);
        match self.tls.as_mut() {
            Some(tls) => {
                tls.writer().write_all(&bytes)?;
                self.flush_tls().await
            }
            None => self.tcp.write_all(&bytes).await,
        }
    }

    /// TDS 8.0 strict: TLS from the first byte; the handshake runs as messages are read.
    pub fn start_tls_first(&mut self, tls: rustls::Connection) {
        self.tls = Some(tls);
    }

    /// TLS inside TDS (TDS 7.x): the handshake's records travel in PRELOGIN packets; the peer's
    /// may also come raw (msodbcsql's TLS 1.3 second flight), so every read is sniffed. Once the
    /// handshake is done every byte is a raw TLS record.
    pub async fn start_tls_in_tds(&mut self, mut tls: rustls::Connection) -> io::Result<()> {
        let mut leftover = self.messages.take_buffered();
        leftover.append(&mut self.raw);
        self.raw = leftover;
        loop {
            if tls.wants_write() {
                let mut records = Vec::new();
                while tls.wants_write() {
                    tls.write_tls(&mut records)?;
                }
                let wrapped = packet::encode_message(kind::PRELOGIN, &records, DEFAULT_PACKET_SIZE);
                self.tcp.write_all(&wrapped).await?;
            }
            if !tls.is_handshaking() {
                break;
            }
            let unit = self.next_handshake_unit().await?;
            tls.read_tls(&mut &unit[..])?;
            if let Err(e) = tls.process_new_packets() {
                // Send the alert the way the handshake travels, then give up.
                let mut records = Vec::new();
                while tls.wants_write() {
                    tls.write_tls(&mut records)?;
                }
                let _ =
                    self.tcp.write_all(&packet::encode_message(kind::PRELOGIN, &records, DEFAULT_PACKET_SIZE)).await;
                return Err(tls_error(e));
            }
        }
        self.tls = Some(tls);
        if !self.raw.is_empty() {
            // The first application records may share a segment with the client's Finished.
            self.absorb_raw().await?;
        }
        Ok(())
    }

    /// The TLS bytes of the next PRELOGIN packet, or the next raw TLS record.
    async fn next_handshake_unit(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(first) = self.raw.first() {
                let (skip, total) = match sniff(*first) {
                    Layer::Tds => (HEADER_LEN, packet::packet_len(&self.raw).map_err(framing)?),
                    Layer::Tls => (
                        0,
                        (self.raw.len() >= TLS_RECORD_HEADER)
                            .then(|| TLS_RECORD_HEADER + u16::from_be_bytes([self.raw[3], self.raw[4]]) as usize),
                    ),
                    Layer::Unknown(byte) => {
                        let detail = format!("byte 0x{byte:02x} during the TLS handshake is neither TDS nor TLS");
                        return Err(framing(FrameError::malformed("TLS inside TDS", detail)));
                    }
                };
                if let Some(total) = total.filter(|t| self.raw.len() >= *t) {
                    let unit: Vec<u8> = self.raw.drain(..total).collect();
                    return Ok(unit[skip..].to_vec());
                }
            }
            self.read_tcp().await?;
        }
    }

    /// Reads and drops whatever the peer sends until it closes (a connection Azure never answers).
    pub async fn hold_until_closed(mut self) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        while self.tcp.read(&mut buf).await? > 0 {}
        Ok(())
    }

    /// Closes with a TCP RST (SO_LINGER 0), as a service that resets the connection does.
    pub fn reset(self) -> io::Result<()> {
        self.tcp.set_zero_linger()?;
        drop(self.tcp);
        Ok(())
    }

    /// Closes after sending everything (a TLS close_notify first, when TLS is up).
    pub async fn close(mut self) -> io::Result<()> {
        if let Some(tls) = self.tls.as_mut() {
            tls.send_close_notify();
        }
        self.flush_tls().await?;
        self.tcp.shutdown().await
    }
}
