//! TDS packet framing (azure-semantics §15.1), I/O-free: every message travels as packets with an
//! 8-byte header whose status bit `0x01` marks the last one (EOM). [`Assembler`] takes bytes as
//! they arrive and yields whole messages; [`encode_message`] splits a message at the negotiated
//! packet size.

/// Packet types (the header's first byte).
pub mod kind {
    pub const SQL_BATCH: u8 = 0x01;
    pub const RPC: u8 = 0x03;
    pub const TABULAR: u8 = 0x04;
    pub const ATTENTION: u8 = 0x06;
    pub const TRANSACTION_MANAGER: u8 = 0x0E;
    pub const LOGIN7: u8 = 0x10;
    pub const PRELOGIN: u8 = 0x12;
}

pub const HEADER_LEN: usize = 8;
/// Status bit: last packet of a message.
pub const END_OF_MESSAGE: u8 = 0x01;
/// The packet size before LOGIN7 negotiates one, and what a LOGIN7 packet size of 0 ("the server
/// decides") means: msodbcsql sends 0.
pub const DEFAULT_PACKET_SIZE: usize = 4096;
/// The range TDS allows for a negotiated packet size.
pub const MIN_PACKET_SIZE: usize = 512;
pub const MAX_PACKET_SIZE: usize = 32767;
/// A message larger than this is refused rather than buffered (a LOGIN7 with a very large token
/// is about 20 KiB; batches the twin answers are tiny).
pub const MAX_MESSAGE_LEN: usize = 1 << 20;

/// Why bytes are not TDS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("TDS packet length {0} is shorter than its 8-byte header")]
    ShortLength(usize),
    #[error("a TDS message continues with packet type 0x{found:02x} after 0x{first:02x}")]
    MixedTypes { first: u8, found: u8 },
    #[error("a TDS message exceeds {MAX_MESSAGE_LEN} bytes")]
    TooLarge,
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
}

impl FrameError {
    pub fn malformed(what: &'static str, detail: impl Into<String>) -> FrameError {
        FrameError::Malformed { what, detail: detail.into() }
    }
}

/// One whole message: the type of its packets and their payloads joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub kind: u8,
    pub payload: Vec<u8>,
}

/// The length of the first packet in `bytes` (from its header), once the header is there.
pub fn packet_len(bytes: &[u8]) -> Result<Option<usize>, FrameError> {
    if bytes.len() < 4 {
        return Ok(None);
    }
    let len = u16::from_be_bytes([bytes[2], bytes[3]]) as usize;
    if len < HEADER_LEN {
        return Err(FrameError::ShortLength(len));
    }
    Ok(Some(len))
}

/// Reassembles packets into messages. Push bytes in any chunks; take messages out.
#[derive(Debug, Default)]
pub struct Assembler {
    buffered: Vec<u8>,
    partial: Option<Message>,
}

impl Assembler {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffered.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a returned message.
    pub fn buffered(&self) -> &[u8] {
        &self.buffered
    }

    /// Takes the bytes not yet consumed (when the stream switches layer, e.g. to raw TLS).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buffered)
    }

    /// The next whole message, if its last packet has arrived.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        loop {
            let Some(len) = packet_len(&self.buffered)? else { return Ok(None) };
            if self.buffered.len() < len {
                return Ok(None);
            }
            let packet: Vec<u8> = self.buffered.drain(..len).collect();
            let (kind, status) = (packet[0], packet[1]);
            let message = self.partial.get_or_insert_with(|| Message { kind, payload: Vec::new() });
            if message.kind != kind {
                return Err(FrameError::MixedTypes { first: message.kind, found: kind });
            }
            if message.payload.len() + len > MAX_MESSAGE_LEN {
                return Err(FrameError::TooLarge);
            }
            message.payload.extend_from_slice(&packet[HEADER_LEN..]);
            if status & END_OF_MESSAGE != 0 {
                return Ok(self.partial.take());
            }
        }
    }
}

/// The packet size a LOGIN7 request asks for, as the server settles it: 0 means the server's
/// default; anything else is clamped to TDS's range.
pub fn negotiated_packet_size(requested: u32) -> usize {
    match requested as usize {
        0 => DEFAULT_PACKET_SIZE,
        n => n.clamp(MIN_PACKET_SIZE, MAX_PACKET_SIZE),
    }
}

/// `payload` as packets of at most `packet_size` bytes (header included), EOM on the last,
/// packet ids counting from 1.
pub fn encode_message(kind: u8, payload: &[u8], packet_size: usize) -> Vec<u8> {
    let room = packet_size.clamp(MIN_PACKET_SIZE, MAX_PACKET_SIZE) - HEADER_LEN;
    let chunks: Vec<&[u8]> = if payload.is_empty() { vec![&[][..]] } else { payload.chunks(room).collect() };
    let mut out = Vec::with_capacity(payload.len() + chunks.len() * HEADER_LEN);
    for (index, chunk) in chunks.iter().enumerate() {
        let last = index + 1 == chunks.len();
        let len = (chunk.len() + HEADER_LEN) as u16;
        out.push(kind);
        out.push(if last { END_OF_MESSAGE } else { 0 });
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&[0, 0]); // SPID: 0 until a session id is assigned
        out.push(((index + 1) % 256) as u8);
        out.push(0); // window
        out.extend_from_slice(chunk);
    }
    out
}

/// What the next bytes on the wire are while TLS is being set up inside TDS: clients differ on
/// when they stop wrapping handshake records in PRELOGIN packets (msodbcsql sends its TLS 1.3
/// second flight raw, the Rust driver and pytds wrap it), so every read is sniffed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// A TDS packet (PRELOGIN `0x12` carrying handshake records).
    Tds,
    /// A raw TLS record (content types 0x14–0x17).
    Tls,
    Unknown(u8),
}

pub fn sniff(first: u8) -> Layer {
    match first {
        kind::PRELOGIN => Layer::Tds,
        0x14..=0x17 => Layer::Tls,
        other => Layer::Unknown(other),
    }
}

/// Little-endian and UTF-16 readers shared by the decoders.
pub(crate) mod read {
    use super::FrameError;

    pub fn u16le(bytes: &[u8], at: usize, what: &'static str) -> Result<u16, FrameError> {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or_else(|| FrameError::malformed(what, format!("truncated at byte {at}")))
    }

    pub fn u32le(bytes: &[u8], at: usize, what: &'static str) -> Result<u32, FrameError> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| FrameError::malformed(what, format!("truncated at byte {at}")))
    }

    pub fn slice<'a>(bytes: &'a [u8], at: usize, len: usize, what: &'static str) -> Result<&'a [u8], FrameError> {
        bytes
            .get(at..at + len)
            .ok_or_else(|| FrameError::malformed(what, format!("{len} bytes at {at} run past the end")))
    }

    pub fn utf16(bytes: &[u8]) -> String {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    }
}

/// UTF-16LE bytes of `text`.
pub fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_split_over_packets_reassembles_from_any_chunking() {
        let payload: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let wire = encode_message(kind::LOGIN7, &payload, 4096);
        assert_eq!(wire.len(), payload.len() + 3 * HEADER_LEN, "three packets at 4096");
        assert_eq!(&wire[..2], &[kind::LOGIN7, 0], "first packet is not the last");
        for step in [1, 7, 4096, wire.len()] {
            let mut assembler = Assembler::default();
            let mut got = None;
            for chunk in wire.chunks(step) {
                assembler.push(chunk);
                if let Some(message) = assembler.next_message().unwrap() {
                    got = Some(message);
                }
            }
            assert_eq!(got, Some(Message { kind: kind::LOGIN7, payload: payload.clone() }), "chunks of {step}");
        }
    }

    #[test]
    fn packet_size_zero_means_the_default_and_splitting_never_loops() {
        assert_eq!(negotiated_packet_size(0), 4096);
        assert_eq!(negotiated_packet_size(8000), 8000);
        assert_eq!(negotiated_packet_size(100), 512);
        assert_eq!(encode_message(kind::TABULAR, &[1; 600], 0).len(), 600 + 2 * HEADER_LEN);
        assert_eq!(encode_message(kind::TABULAR, &[], 4096), vec![4, 1, 0, 8, 0, 0, 1, 0]);
    }

    #[test]
    fn a_length_shorter_than_the_header_is_an_error() {
        let mut assembler = Assembler::default();
        assembler.push(&[0x12, 1, 0, 4, 0, 0, 0, 0]);
        assert_eq!(assembler.next_message(), Err(FrameError::ShortLength(4)));
    }
}
