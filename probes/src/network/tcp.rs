//! Reachability checks (`network.probes[]`): TCP connect, HTTP `HEAD`, and the same through an
//! HTTP proxy (`CONNECT host:port` for TLS ports), the way the sync products go out.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// An HTTP proxy (`http://host:port`). Proxy authentication is not supported: a proxy that
/// wants it answers 407, which is recorded (and is a finding in itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpProxy {
    /// Proxy host.
    pub host: String,
    /// Proxy port.
    pub port: u16,
}

impl HttpProxy {
    /// Parses `http://host:port`, `host:port` or `http://host` (port 80).
    ///
    /// # Errors
    ///
    /// A message when the text is not a proxy address this probe can use.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text.trim();
        let rest = match rest.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => return Err(format!("proxy `{text}`: scheme {scheme} is not supported (use http://)")),
            None => rest,
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') {
            return Err(format!("proxy `{text}`: credentials in the proxy address are not supported"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
                (host, port.parse::<u16>().map_err(|_| format!("proxy `{text}`: bad port"))?)
            }
            _ => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(format!("proxy `{text}`: no host"));
        }
        Ok(Self { host: host.to_owned(), port })
    }

    /// `http://host:port`.
    #[must_use]
    pub fn url(&self) -> String {
        if self.host.contains(':') {
            format!("http://[{}]:{}", self.host, self.port)
        } else {
            format!("http://{}:{}", self.host, self.port)
        }
    }
}

/// What one check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The endpoint is reachable.
    pub ok: bool,
    /// HTTP status (of the `HEAD`, or of the proxy's answer to `CONNECT`).
    pub http_status: Option<u16>,
    /// What went wrong.
    pub error: Option<String>,
    /// Time to the verdict, in milliseconds.
    pub latency_ms: u64,
}

/// Opens a TCP connection to `host:port`, trying each address until one answers.
///
/// # Errors
///
/// A readable reason: name not resolved, refused, timed out.
pub fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, String> {
    let addresses: Vec<SocketAddr> =
        (host, port).to_socket_addrs().map_err(|e| format!("cannot resolve {host}: {e}"))?.collect();
    if addresses.is_empty() {
        return Err(format!("cannot resolve {host}: no address"));
    }
    let mut last = String::new();
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => {
                let _ = stream.set_read_timeout(Some(timeout));
                let _ = stream.set_write_timeout(Some(timeout));
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = describe_io(&e, &address),
        }
    }
    Err(last)
}

fn describe_io(error: &std::io::Error, address: &SocketAddr) -> String {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => format!("connection refused by {address}"),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => format!("connection to {address} timed out"),
        _ => format!("cannot connect to {address}: {error}"),
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A plain TCP connect to `host:port`.
#[must_use]
pub fn tcp_check(host: &str, port: u16, timeout: Duration) -> Reach {
    let started = Instant::now();
    match connect(host, port, timeout) {
        Ok(_) => Reach { ok: true, http_status: None, error: None, latency_ms: millis(started) },
        Err(error) => Reach { ok: false, http_status: None, error: Some(error), latency_ms: millis(started) },
    }
}

/// Opens a tunnel to `host:port` through `proxy` (`CONNECT`); returns the stream and the proxy's
/// status. The stream is usable only when the status is 200.
///
/// # Errors
///
/// The proxy could not be reached or answered something that is not HTTP.
pub fn tunnel(proxy: &HttpProxy, host: &str, port: u16, timeout: Duration) -> Result<(TcpStream, u16), String> {
    let mut stream = connect(&proxy.host, proxy.port, timeout).map_err(|e| format!("proxy {}: {e}", proxy.url()))?;
    let target = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: syncdoctor\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("proxy {}: {e}", proxy.url()))?;
    let head = read_head(&mut stream).map_err(|e| format!("proxy {}: {e}", proxy.url()))?;
    let status = status_of(&head).ok_or_else(|| format!("proxy {}: not an HTTP answer", proxy.url()))?;
    Ok((stream, status))
}

/// Reads an HTTP response head (up to the blank line), at most 16 KiB.
fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte)? {
            0 => break,
            _ => head.push(byte[0]),
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn status_of(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut words = line.split_whitespace();
    let version = words.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    words.next()?.parse().ok()
}

/// A TCP (or TLS-port) reachability check through a proxy: the `CONNECT` must be answered 200.
#[must_use]
pub fn connect_check(proxy: &HttpProxy, host: &str, port: u16, timeout: Duration) -> Reach {
    let started = Instant::now();
    match tunnel(proxy, host, port, timeout) {
        Ok((_, 200)) => Reach { ok: true, http_status: Some(200), error: None, latency_ms: millis(started) },
        Ok((_, status)) => Reach {
            ok: false,
            http_status: Some(status),
            error: Some(format!("proxy answered {status} to CONNECT {host}:{port}")),
            latency_ms: millis(started),
        },
        Err(error) => Reach { ok: false, http_status: None, error: Some(error), latency_ms: millis(started) },
    }
}

/// An HTTP `HEAD /` to `host:port` (directly, or through the proxy with an absolute URL).
///
/// Any HTTP answer from the server counts as reachable; through a proxy, 403, 407, 502 and 504
/// are the proxy refusing or failing, so they count as unreachable.
#[must_use]
pub fn http_check(proxy: Option<&HttpProxy>, host: &str, port: u16, timeout: Duration) -> Reach {
    let started = Instant::now();
    let authority = if port == 80 { host.to_owned() } else { format!("{host}:{port}") };
    let (stream, target) = match proxy {
        Some(proxy) => (
            connect(&proxy.host, proxy.port, timeout).map_err(|e| format!("proxy {}: {e}", proxy.url())),
            format!("http://{authority}/"),
        ),
        None => (connect(host, port, timeout), "/".to_owned()),
    };
    let mut stream = match stream {
        Ok(stream) => stream,
        Err(error) => return Reach { ok: false, http_status: None, error: Some(error), latency_ms: millis(started) },
    };
    let request =
        format!("HEAD {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: syncdoctor\r\nConnection: close\r\n\r\n");
    let head = stream.write_all(request.as_bytes()).and_then(|()| read_head(&mut stream));
    match head.map(|head| status_of(&head)) {
        Ok(Some(status)) => {
            let refused = proxy.is_some() && matches!(status, 403 | 407 | 502 | 504);
            let error = refused.then(|| format!("proxy answered {status}"));
            Reach { ok: !refused, http_status: Some(status), error, latency_ms: millis(started) }
        }
        Ok(None) => Reach {
            ok: false,
            http_status: None,
            error: Some("connected, but the answer was not HTTP".into()),
            latency_ms: millis(started),
        },
        Err(e) => Reach {
            ok: false,
            http_status: None,
            error: Some(format!("no HTTP answer: {e}")),
            latency_ms: millis(started),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse() {
        assert_eq!(
            HttpProxy::parse("http://proxy.contoso.com:8080").unwrap(),
            HttpProxy { host: "proxy.contoso.com".into(), port: 8080 }
        );
        assert_eq!(HttpProxy::parse("127.0.0.1:3128").unwrap().url(), "http://127.0.0.1:3128");
        assert_eq!(HttpProxy::parse("http://proxy/").unwrap().port, 80);
        assert!(HttpProxy::parse("socks5://x:1").is_err());
        assert!(HttpProxy::parse("http://user:pw@x:1").is_err());
    }

    #[test]
    fn statuses_parse() {
        assert_eq!(status_of("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"), Some(407));
        assert_eq!(status_of("SSH-2.0-OpenSSH\r\n"), None);
    }
}
