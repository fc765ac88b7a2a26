//! `crosswalk fetch` against a local HTTP server on 127.0.0.1 serving fixture files.
use crosswalk::model::digest::sha256_hex;
use crosswalk::model::error::Error;
use crosswalk::source::fetch::{Fetched, Fetcher, NoProgress};
use crosswalk::source::manifest::SourceFile;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

const BODY: &[u8] = b"{\"catalog\": \"fixture\"}\n";

/// Serves `BODY` at /ok.json, 404 elsewhere, for at most `n` requests.
fn serve(n: usize) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in l.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut line = String::new();
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            r.read_line(&mut line).ok();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let resp = if line.starts_with("GET /data/ok.json ") {
                let mut v = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    BODY.len()
                )
                .into_bytes();
                v.extend_from_slice(BODY);
                v
            } else {
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            };
            s.write_all(&resp).ok();
        }
    });
    format!("http://{addr}")
}

fn file(url: String, sha256: Option<String>) -> SourceFile {
    SourceFile {
        path: "nist/fixture/ok.json".into(),
        url,
        sha256,
        role: None,
    }
}

#[test]
fn downloads_verifies_and_then_uses_the_cache() {
    let base = serve(4);
    let cache = tempfile::tempdir().expect("tmp");
    let f = file(format!("{base}/data/ok.json"), Some(sha256_hex(BODY)));
    let fetcher = Fetcher::new(Duration::from_secs(5));
    match fetcher
        .fetch_file(&f, cache.path(), &mut NoProgress)
        .expect("fetch")
    {
        Fetched::Downloaded {
            bytes,
            sha256,
            path,
        } => {
            assert_eq!(bytes, BODY.len() as u64);
            assert_eq!(sha256, sha256_hex(BODY));
            assert_eq!(std::fs::read(path).expect("read"), BODY);
        }
        other => panic!("expected a download, got {other:?}"),
    }
    assert!(matches!(
        fetcher.fetch_file(&f, cache.path(), &mut NoProgress),
        Ok(Fetched::Cached { .. })
    ));
}

#[test]
fn sha256_mismatch_is_an_error_and_keeps_nothing() {
    let base = serve(2);
    let cache = tempfile::tempdir().expect("tmp");
    let f = file(format!("{base}/data/ok.json"), Some("00".repeat(32)));
    let err = Fetcher::new(Duration::from_secs(5))
        .fetch_file(&f, cache.path(), &mut NoProgress)
        .unwrap_err();
    assert!(matches!(err, Error::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("sha256 mismatch"), "{err}");
    assert!(!cache.path().join("nist/fixture/ok.json").exists());
    assert!(!cache.path().join("nist/fixture/ok.part").exists());
}

#[test]
fn http_errors_and_unreachable_hosts_fail_fast_with_the_url() {
    let base = serve(2);
    let cache = tempfile::tempdir().expect("tmp");
    let f = file(format!("{base}/data/missing.json"), None);
    let err = Fetcher::new(Duration::from_secs(5))
        .fetch_file(&f, cache.path(), &mut NoProgress)
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(err.to_string().contains("/data/missing.json"), "{err}");

    // Nothing listens on this loopback port: refused at once, no hang.
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    let started = std::time::Instant::now();
    let f = file(format!("http://127.0.0.1:{port}/x.json"), None);
    let err = Fetcher::new(Duration::from_secs(5))
        .fetch_file(&f, cache.path(), &mut NoProgress)
        .unwrap_err();
    assert!(err.to_string().contains("no network?"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn the_cli_fetch_reports_each_source_and_exits_non_zero_offline() {
    // Through a local origin that serves nothing: every source fails, exit status is non-zero.
    let base = serve(64);
    let cache = tempfile::tempdir().expect("tmp");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crosswalk"))
        .args(["fetch", "csf-2.0", "--base-url", &base, "--sources"])
        .arg(cache.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("csf-2.0:") && err.contains("HTTP 404"),
        "{err}"
    );
}
