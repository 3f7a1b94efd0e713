//! Real sockets: each example application served on loopback, a local meta server, and a
//! small HTTP/1.1 client that sends exactly the bytes a test asks for.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use hookcore::Hooks;

use super::{actix_example, axum_example, warp_example};

/// Serves one example application on a free loopback port, in a thread of its own.
pub trait Server {
    const NAME: &'static str;
    fn start(hooks: Hooks) -> SocketAddr;
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn free_listener() -> TcpListener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    listener
}

/// Serves `serve(listener)` on a tokio runtime of its own thread; the listener's address.
fn on_tokio<F>(serve: impl FnOnce(tokio::net::TcpListener) -> F + Send + 'static) -> SocketAddr
where
    F: std::future::Future<Output = ()>,
{
    let listener = free_listener();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        runtime().block_on(async move {
            serve(tokio::net::TcpListener::from_std(listener).unwrap()).await;
        })
    });
    addr
}

pub struct AxumServer;

impl Server for AxumServer {
    const NAME: &'static str = "axum";
    fn start(hooks: Hooks) -> SocketAddr {
        on_tokio(|listener| async move {
            let app = axum_example::app(hooks).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        })
    }
}

pub struct ActixServer;

impl Server for ActixServer {
    const NAME: &'static str = "actix";
    fn start(hooks: Hooks) -> SocketAddr {
        let listener = free_listener();
        listener.set_nonblocking(false).unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                actix_web::HttpServer::new(move || {
                    actix_web::App::new().configure(actix_example::app(hooks.clone()))
                })
                .workers(2)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
            })
        });
        addr
    }
}

pub struct WarpServer;

impl Server for WarpServer {
    const NAME: &'static str = "warp";
    fn start(hooks: Hooks) -> SocketAddr {
        on_tokio(|listener| async move {
            warp::serve(warp_example::app(hooks))
                .incoming(listener)
                .run()
                .await;
        })
    }
}

/// How the meta server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Up = 0,
    Failing = 1,
    Stalled = 2,
}

/// A local stand-in for `GET /meta`, counting its requests.
pub struct Meta {
    pub url: String,
    hits: Arc<AtomicUsize>,
    mode: Arc<AtomicU8>,
}

impl Meta {
    /// Serves a meta document whose `hooks` are `hooks`.
    pub fn start(hooks: &[&str], mode: Mode) -> Self {
        let doc = serde_json::json!({ "hooks": hooks, "web": ["192.30.252.0/22"] }).to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/meta", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let mode = Arc::new(AtomicU8::new(mode as u8));
        let (h, m) = (hits.clone(), mode.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                h.fetch_add(1, Ordering::SeqCst);
                let (doc, mode) = (doc.clone(), m.load(Ordering::SeqCst));
                thread::spawn(move || {
                    read_head(&mut stream);
                    let (status, body) = match mode {
                        0 => (200, doc),
                        1 => (500, "oops".to_owned()),
                        _ => {
                            thread::sleep(Duration::from_secs(60));
                            return;
                        }
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Self { url, hits, mode }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}

fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => break,
        }
    }
    seen
}

/// An answer read off the wire.
#[derive(Debug)]
pub struct Wire {
    pub status: u16,
    pub body: String,
}

/// Sends one request (`Connection: close`) and reads the answer. The body is written from
/// another thread, so a server that answers before reading it all (413) is still heard.
/// `chunked` sends the body with `Transfer-Encoding: chunked` and no `Content-Length`.
pub fn send(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    chunked: bool,
) -> Wire {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if chunked {
        head.push_str("transfer-encoding: chunked\r\n\r\n");
    } else {
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    }
    let mut writer = stream.try_clone().unwrap();
    let sender = thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        if chunked {
            for chunk in body.chunks(64 * 1024) {
                let _ = write!(writer, "{:x}\r\n", chunk.len());
                let _ = writer.write_all(chunk);
                let _ = writer.write_all(b"\r\n");
            }
            let _ = writer.write_all(b"0\r\n\r\n");
        } else {
            let _ = writer.write_all(&body);
        }
    });
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    drop(stream);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Wire { status, body }
}

fn dechunk(mut text: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = text.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        text = &rest[n + 2..];
    }
    out
}

/// The headers of a delivery of `body` for `event`, signed with the suite's secret.
pub fn delivery_headers(event: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        (
            "x-hub-signature-256",
            hookcore::sign_sha256(super::SECRET.as_bytes(), body),
        ),
        ("x-github-event", event.to_owned()),
        ("x-github-delivery", "d-1".to_owned()),
        ("content-type", "application/json".to_owned()),
    ]
}
