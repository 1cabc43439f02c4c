//! DNS resolution that records every CNAME hop (`network.dns[]`).
//!
//! The probe asks one recursive resolver directly (UDP, TCP when the answer is truncated) so it
//! sees the whole chain the way the host does: `a → CNAME b → CNAME c → A 1.2.3.4`. Resolvers
//! usually return the whole chain in one answer; when one stops at a CNAME the probe asks again
//! for the target. A chain that ends in NXDOMAIN, SERVFAIL, no data or no answer is
//! `complete: false` with `failed_at` naming the hop that could not be resolved.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

use crate::facts::Nullable;
use crate::facts::known;
use crate::facts::network::{DnsRecord, DnsResolution};

/// Most CNAME hops followed before giving up (a loop, or a chain no client would follow).
pub const MAX_HOPS: usize = 16;

/// The `rcode` recorded when the resolver did not answer in time.
pub const RCODE_TIMEOUT: &str = "TIMEOUT";

/// A DNS client bound to one resolver.
#[derive(Debug, Clone)]
pub struct Resolver {
    server: SocketAddr,
    timeout: Duration,
}

/// Why one query got no usable response.
#[derive(Debug)]
enum QueryError {
    Timeout,
    Other(String),
}

impl Resolver {
    /// A client of the resolver at `server`, waiting at most `timeout` for each answer.
    #[must_use]
    pub fn new(server: SocketAddr, timeout: Duration) -> Self {
        Self { server, timeout }
    }

    /// The first `nameserver` of `/etc/resolv.conf`-style text, on port 53.
    #[must_use]
    pub fn system_server(resolv_conf: &str) -> Option<SocketAddr> {
        resolv_conf.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|address| address.split('%').next()?.parse::<IpAddr>().ok())
                .map(|ip| SocketAddr::new(ip, 53))
        })
    }

    /// Resolves `name` to addresses, recording every hop.
    #[must_use]
    pub fn resolve(&self, name: &str) -> DnsResolution {
        let mut chain: Vec<DnsRecord> = Vec::new();
        let mut addresses: Vec<String> = Vec::new();
        let finish = |chain, addresses, complete: bool, failed_at: Option<String>, rcode: &str| DnsResolution {
            name: known(name.to_owned()),
            chain: Some(chain),
            addresses: Some(addresses),
            complete: known(complete),
            failed_at: Some(Nullable(failed_at)),
            rcode: known(rcode.to_owned()),
        };
        let Ok(mut current) = Name::from_str_relaxed(name) else {
            return finish(chain, Nullable::value(addresses), false, Some(name.to_owned()), "FORMERR");
        };
        let mut seen = vec![lower(&current)];
        for record_type in [RecordType::A, RecordType::AAAA] {
            loop {
                let response = match self.query(&current, record_type) {
                    Ok(response) => response,
                    Err(QueryError::Timeout) => {
                        return finish(
                            chain,
                            Nullable::value(addresses),
                            false,
                            Some(display(&current)),
                            RCODE_TIMEOUT,
                        );
                    }
                    Err(QueryError::Other(message)) => {
                        return finish(chain, Nullable::value(addresses), false, Some(display(&current)), &message);
                    }
                };
                let before = lower(&current);
                // Follow the chain inside this answer.
                let mut progressed = true;
                while progressed {
                    progressed = false;
                    for record in &response.answers {
                        if lower(&record.name) != lower(&current) {
                            continue;
                        }
                        if let RData::CNAME(target) = &record.data {
                            chain.push(hop(&current, "CNAME", display(&target.0)));
                            current = target.0.clone();
                            if seen.contains(&lower(&current)) || chain.len() > MAX_HOPS {
                                return finish(
                                    chain,
                                    Nullable::value(addresses),
                                    false,
                                    Some(display(&current)),
                                    "CNAME loop",
                                );
                            }
                            seen.push(lower(&current));
                            progressed = true;
                            break;
                        }
                    }
                }
                for record in &response.answers {
                    if lower(&record.name) != lower(&current) {
                        continue;
                    }
                    let address = match &record.data {
                        RData::A(a) => Some(("A", a.0.to_string())),
                        RData::AAAA(aaaa) => Some(("AAAA", aaaa.0.to_string())),
                        _ => None,
                    };
                    if let Some((kind, address)) = address {
                        chain.push(hop(&current, kind, address.clone()));
                        addresses.push(address);
                    }
                }
                let rcode = response.metadata.response_code;
                if rcode != ResponseCode::NoError {
                    return finish(
                        chain,
                        Nullable::value(addresses),
                        false,
                        Some(display(&current)),
                        &rcode_name(rcode),
                    );
                }
                if !addresses.is_empty() {
                    return finish(chain, Nullable::value(addresses), true, None, "NOERROR");
                }
                if lower(&current) == before {
                    break; // No data of this type and no further hop: try AAAA, or give up.
                }
                // The resolver stopped at a CNAME: ask for the target.
            }
        }
        finish(chain, Nullable::value(addresses), false, Some(display(&current)), "NOERROR")
    }

    fn query(&self, name: &Name, record_type: RecordType) -> Result<Message, QueryError> {
        let id = query_id(name, record_type);
        let mut request = Message::new(id, MessageType::Query, OpCode::Query);
        request.metadata.recursion_desired = true;
        request.add_query(Query::query(name.clone(), record_type));
        let bytes = request.to_vec().map_err(|e| QueryError::Other(format!("cannot encode the query: {e}")))?;
        let response = self.over_udp(&bytes, id)?;
        if response.metadata.truncation { self.over_tcp(&bytes, id) } else { Ok(response) }
    }

    fn over_udp(&self, bytes: &[u8], id: u16) -> Result<Message, QueryError> {
        let local: SocketAddr = if self.server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
        let socket = UdpSocket::bind(local).map_err(|e| QueryError::Other(e.to_string()))?;
        socket.connect(self.server).map_err(|e| QueryError::Other(e.to_string()))?;
        socket.send(bytes).map_err(|e| QueryError::Other(e.to_string()))?;
        let deadline = Instant::now() + self.timeout;
        let mut buffer = vec![0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(QueryError::Timeout);
            }
            socket.set_read_timeout(Some(left)).map_err(|e| QueryError::Other(e.to_string()))?;
            match socket.recv(&mut buffer) {
                Ok(n) => match Message::from_vec(&buffer[..n]) {
                    Ok(message) if message.metadata.id == id => return Ok(message),
                    _ => {} // Not our answer (or garbage): keep waiting.
                },
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return Err(QueryError::Timeout);
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return Err(QueryError::Other(format!("resolver {} refused the query (port closed)", self.server)));
                }
                Err(e) => return Err(QueryError::Other(e.to_string())),
            }
        }
    }

    fn over_tcp(&self, bytes: &[u8], id: u16) -> Result<Message, QueryError> {
        let io = |e: std::io::Error| {
            if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
                QueryError::Timeout
            } else {
                QueryError::Other(e.to_string())
            }
        };
        let mut stream = TcpStream::connect_timeout(&self.server, self.timeout).map_err(io)?;
        stream.set_read_timeout(Some(self.timeout)).map_err(io)?;
        stream.set_write_timeout(Some(self.timeout)).map_err(io)?;
        let length = u16::try_from(bytes.len()).map_err(|_| QueryError::Other("query too long".into()))?;
        stream.write_all(&length.to_be_bytes()).and_then(|()| stream.write_all(bytes)).map_err(io)?;
        let mut prefix = [0u8; 2];
        stream.read_exact(&mut prefix).map_err(io)?;
        let mut buffer = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
        stream.read_exact(&mut buffer).map_err(io)?;
        let message = Message::from_vec(&buffer).map_err(|e| QueryError::Other(e.to_string()))?;
        if message.metadata.id == id { Ok(message) } else { Err(QueryError::Other("mismatched DNS answer id".into())) }
    }
}

/// A query id that differs between queries without a random number generator.
fn query_id(name: &Name, record_type: RecordType) -> u16 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut hash = nanos ^ u32::from(u16::from(record_type));
    for byte in name.to_ascii().bytes() {
        hash = hash.rotate_left(5) ^ u32::from(byte);
    }
    (hash ^ (hash >> 16)) as u16
}

fn lower(name: &Name) -> String {
    display(name).to_ascii_lowercase()
}

/// A name without the root dot, as people write it.
fn display(name: &Name) -> String {
    let text = name.to_ascii();
    text.strip_suffix('.').map_or(text.clone(), str::to_owned)
}

fn hop(owner: &Name, kind: &str, value: String) -> DnsRecord {
    DnsRecord { name: known(display(owner)), r#type: known(kind.to_owned()), value: known(value) }
}

/// The mnemonic of a response code (`NXDOMAIN`, `SERVFAIL`…).
fn rcode_name(code: ResponseCode) -> String {
    match u16::from(code) {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_gives_the_first_nameserver() {
        let text = "# generated\nsearch contoso.com\nnameserver 10.0.0.53\nnameserver 10.0.0.54\n";
        assert_eq!(Resolver::system_server(text), Some("10.0.0.53:53".parse().unwrap()));
        assert_eq!(Resolver::system_server("nameserver fe80::1%eth0\n"), Some("[fe80::1]:53".parse().unwrap()));
        assert_eq!(Resolver::system_server("search x\n"), None);
    }
}
