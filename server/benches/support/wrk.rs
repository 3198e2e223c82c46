//! wrk, as the benchmarks run it: two threads, keep-alive connections,
//! latency percentiles.

// Each benchmark uses part of what is here.
#![allow(dead_code)]

use std::process::Command;

pub const CONNECTIONS: &str = "32";

pub struct Wrk {
    pub requests: u64,
    pub per_sec: f64,
    pub p50: String,
    pub p99: String,
}

/// `duration` of requests to `url` with one extra `header`; panics on any
/// non-2xx answer.
pub fn wrk(url: &str, header: &str, duration: &str) -> Wrk {
    let out = Command::new("wrk")
        .args(["-t2", "-c", CONNECTIONS, "-d", duration, "--latency", "-H", header, url])
        .output()
        .expect("wrk on PATH");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|r| r.trim().to_owned()))
            .unwrap_or_else(|| panic!("wrk printed no {prefix:?}:\n{text}"))
    };
    let requests = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.trim().split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if text.contains("Non-2xx") {
        panic!("wrk saw errors for {url}:\n{text}");
    }
    Wrk { requests, per_sec: find("Requests/sec:").parse().unwrap(), p50: find("50%"), p99: find("99%") }
}
