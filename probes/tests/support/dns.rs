//! A tiny DNS server on 127.0.0.1 (UDP) answering from a fixed table, like a recursive
//! resolver would: it follows CNAMEs it knows and puts the whole chain in the answer.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// What the server knows about a name.
#[derive(Clone, Debug)]
pub enum Entry {
    /// A CNAME to another name.
    Cname(&'static str),
    /// A CNAME the server does not chase (the client must ask again).
    LazyCname(&'static str),
    /// An IPv4 address.
    A(Ipv4Addr),
    /// Answer with this response code.
    Fail(ResponseCode),
    /// Never answer.
    Silent,
}

/// Starts the server; names are written without the final dot.
pub fn dns_server(table: Vec<(&'static str, Entry)>) -> SocketAddr {
    let table: HashMap<String, Entry> = table.into_iter().map(|(n, e)| (format!("{n}."), e)).collect();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = [0u8; 1500];
        while let Ok((n, from)) = socket.recv_from(&mut buffer) {
            let Ok(request) = Message::from_vec(&buffer[..n]) else { continue };
            if let Some(response) = answer(&table, &request) {
                let _ = socket.send_to(&response.to_vec().unwrap(), from);
            }
        }
    });
    address
}

fn answer(table: &HashMap<String, Entry>, request: &Message) -> Option<Message> {
    let query = request.queries.first()?.clone();
    let mut response = Message::new(request.metadata.id, MessageType::Response, OpCode::Query);
    response.metadata.recursion_desired = true;
    response.metadata.recursion_available = true;
    response.add_query(query.clone());
    let mut name = query.name().clone();
    for _ in 0..16 {
        let key = name.to_ascii().to_ascii_lowercase();
        match table.get(&key) {
            None => {
                response.metadata.response_code = ResponseCode::NXDomain;
                return Some(response);
            }
            Some(Entry::Silent) => return None,
            Some(Entry::Fail(code)) => {
                response.metadata.response_code = *code;
                return Some(response);
            }
            Some(Entry::A(ip)) => {
                if query.query_type() == RecordType::A {
                    response.add_answer(Record::from_rdata(name.clone(), 60, RData::A(A(*ip))));
                }
                return Some(response);
            }
            Some(Entry::Cname(target) | Entry::LazyCname(target)) => {
                let target_name = Name::from_ascii(format!("{target}.")).unwrap();
                response.add_answer(Record::from_rdata(name.clone(), 60, RData::CNAME(CNAME(target_name.clone()))));
                if matches!(table.get(&key), Some(Entry::LazyCname(_))) {
                    return Some(response);
                }
                name = target_name;
            }
        }
    }
    Some(response)
}
