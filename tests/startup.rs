//! Start-up of the example servers as a user runs them: a value that does not parse, or
//! signature checks without a key, stops the server with exit status 2 and a message naming
//! the variable; a good configuration serves on HOOKS_ADDR and HOOKS_PATH.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The example binaries `cargo test` built beside this test.
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

fn run(name: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut child = Command::new(example(name))
        .env_clear()
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("{name} did not stop on {env:?}");
}

fn bad_values_stop_the_server(name: &str) {
    let key = ("GITHUB_WEBHOOKS_KEY", "k");
    for (env, var) in [
        (vec![], "GITHUB_WEBHOOKS_KEY"),
        (vec![("GITHUB_WEBHOOKS_KEY", "")], "GITHUB_WEBHOOKS_KEY"),
        (vec![key, ("HOOKS_ADDR", "localhost")], "HOOKS_ADDR"),
        (vec![key, ("HOOKS_PATH", "hooks")], "HOOKS_PATH"),
        (vec![key, ("VALIDATE_IP", "maybe")], "VALIDATE_IP"),
        (vec![key, ("VALIDATE_SIGNATURE", "2")], "VALIDATE_SIGNATURE"),
        (vec![key, ("GITHUB_META_URL", "nope")], "GITHUB_META_URL"),
        (
            vec![key, ("TRUSTED_PROXIES", "10.0.0.0/40")],
            "TRUSTED_PROXIES",
        ),
        (vec![key, ("HOOKS_MAX_BODY", "25MB")], "HOOKS_MAX_BODY"),
    ] {
        let (code, stderr) = run(name, &env);
        assert_eq!(code, Some(2), "{name} {env:?}: {stderr}");
        assert!(stderr.contains(var), "{name} {env:?}: {stderr}");
    }
}

fn a_good_configuration_serves(name: &str) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(example(name))
        .env_clear()
        .envs([
            ("HOOKS_ADDR", addr.as_str()),
            ("HOOKS_PATH", "/gh/events"),
            ("GITHUB_WEBHOOKS_KEY", "k"),
            ("VALIDATE_IP", "false"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = loop {
        if let Ok(s) = TcpStream::connect(&addr) {
            break s;
        }
        assert!(Instant::now() < deadline, "{name} did not listen");
        std::thread::sleep(Duration::from_millis(20));
    };
    let body = br#"{"zen":"z"}"#;
    let sig = hookcore::sign_sha256(b"k", body);
    write!(
        stream,
        "POST /gh/events HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-github-event: ping\r\n\
         x-github-delivery: 1\r\nx-hub-signature-256: {sig}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{name}: {answer}");
    assert!(answer.ends_with("pong"), "{name}: {answer}");
}

macro_rules! startup {
    ($($name:ident),*) => {$(
        mod $name {
            #[test]
            fn bad_values_stop_the_server() {
                super::bad_values_stop_the_server(stringify!($name));
            }
            #[test]
            fn a_good_configuration_serves() {
                super::a_good_configuration_serves(stringify!($name));
            }
        }
    )*};
}

startup!(axum, actix, warp);
