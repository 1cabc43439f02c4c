//! Loopback servers for the probe tests. Everything binds to 127.0.0.1 on a port the system
//! picks; nothing in these tests leaves the machine.

#![allow(dead_code)]

pub mod dns;
pub mod tls;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// A port on 127.0.0.1 where nothing listens (connections are refused).
pub fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// A listener that accepts connections and never says anything (a service that black-holes
/// traffic after the TCP handshake).
pub fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream); // keep them open, say nothing
        }
    });
    address
}

/// A minimal HTTP server answering every request with `status`.
pub fn http_server(status: u16) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut stream = stream;
                let _ = read_head(&mut stream);
                let _ = write!(stream, "HTTP/1.1 {status} Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            });
        }
    });
    address
}

/// Reads an HTTP request or response head.
pub fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// What a test proxy does with a request.
#[derive(Clone, Debug)]
pub enum ProxyRule {
    /// `CONNECT` to this host: tunnel to the given loopback address.
    Tunnel(String, SocketAddr),
    /// `CONNECT` to this host: answer with this status.
    Refuse(String, u16),
}

/// A forward proxy on 127.0.0.1: `CONNECT` per the rules (others: 403); plain requests with an
/// absolute URL are answered 200 by the proxy itself. `seen` records the request lines.
pub struct Proxy {
    pub address: SocketAddr,
    pub seen: Arc<std::sync::Mutex<Vec<String>>>,
}

pub fn proxy(rules: Vec<ProxyRule>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let rules = rules.clone();
            let log = Arc::clone(&log);
            thread::spawn(move || serve_proxy(stream, &rules, &log));
        }
    });
    Proxy { address, seen }
}

fn serve_proxy(mut client: TcpStream, rules: &[ProxyRule], log: &std::sync::Mutex<Vec<String>>) {
    let Ok(head) = read_head(&mut client) else { return };
    let line = head.lines().next().unwrap_or_default().to_owned();
    log.lock().unwrap().push(line.clone());
    let mut words = line.split_whitespace();
    let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    if method != "CONNECT" {
        let _ = write!(client, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let host = target.rsplit_once(':').map_or(target, |(h, _)| h);
    for rule in rules {
        match rule {
            ProxyRule::Refuse(h, status) if h == host => {
                let _ = write!(client, "HTTP/1.1 {status} Refused\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            ProxyRule::Tunnel(h, to) if h == host => {
                let Ok(upstream) = TcpStream::connect(to) else {
                    let _ = write!(client, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = write!(client, "HTTP/1.1 200 Connection established\r\n\r\n");
                pipe(client, upstream);
                return;
            }
            _ => {}
        }
    }
    let _ = write!(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
}

/// Copies bytes both ways until either side closes.
pub fn pipe(a: TcpStream, b: TcpStream) {
    let done = Arc::new(AtomicBool::new(false));
    let (mut a_read, mut b_write) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let flag = Arc::clone(&done);
    let forward = thread::spawn(move || {
        let _ = std::io::copy(&mut a_read, &mut b_write);
        let _ = b_write.shutdown(Shutdown::Write);
        flag.store(true, Ordering::SeqCst);
    });
    let (mut b_read, mut a_write) = (b, a);
    let _ = b_read.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = std::io::copy(&mut b_read, &mut a_write);
    let _ = a_write.shutdown(Shutdown::Write);
    let _ = forward.join();
}
