//! Sluice's own PostgreSQL beside the same PostgreSQL started by hand:
//! the first start (initdb, then the server taking connections), a start
//! on existing data, and the resident memory of the idle server (the
//! postmaster and its background processes, summed from /proc), five
//! rounds each, taking turns. The floor is `initdb` with the same options
//! and `pg_ctl -w start`.
//!
//! Run with `cargo bench -p server --bench local_postgres` (Debian's
//! postgresql package); it prints figures, it does not pass or fail.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]
#![allow(unsafe_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use server::local_postgres::{LocalPostgres, Plan};

// Only its way to the programs is used here.
#[allow(dead_code)]
#[path = "support/postgres.rs"]
mod postgres;

const ROUNDS: usize = 5;

fn as_postgres(program: &str) -> Command {
    let bin = postgres::pg_bin(program);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut c: Command) {
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The resident memory of `pid` and its children, in kB.
fn tree_rss_kb(pid: u32) -> u64 {
    let rss = |p: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let children: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|s| s.rsplit(')').next()?.split_whitespace().nth(1)?.parse::<u32>().ok())
                == Some(pid)
        })
        .collect();
    rss(pid) + children.into_iter().map(rss).sum::<u64>()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The floor: initdb as Sluice runs it, then `pg_ctl -w start`.
fn by_hand(dir: &Path) -> (Duration, Duration, u64) {
    std::fs::create_dir_all(dir).unwrap();
    let pw = dir.join("pw");
    std::fs::write(&pw, "floor").unwrap();
    Command::new("chmod").arg("777").arg(dir).status().unwrap();
    let data = dir.join("data");
    let port = free_port().to_string();
    let start = |c: &mut Command| {
        c.arg("-D")
            .arg(&data)
            .args(["-w", "-l"])
            .arg(dir.join("log"))
            .arg("-o")
            .arg(format!("-p {port} -c listen_addresses=127.0.0.1 -k {}", dir.display()));
    };
    let t = Instant::now();
    let mut initdb = as_postgres("initdb");
    initdb
        .arg("-D")
        .arg(&data)
        .args(["-U", "sluice", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums"])
        .arg(format!("--pwfile={}", pw.display()));
    run(initdb);
    let mut pg_ctl = as_postgres("pg_ctl");
    start(pg_ctl.arg("start"));
    run(pg_ctl);
    let first = t.elapsed();
    let stop = || {
        let mut c = as_postgres("pg_ctl");
        c.arg("stop").arg("-D").arg(&data).args(["-m", "fast", "-w"]);
        run(c);
    };
    stop();
    let t = Instant::now();
    let mut pg_ctl = as_postgres("pg_ctl");
    start(pg_ctl.arg("start"));
    run(pg_ctl);
    let again = t.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let pid: u32 =
        std::fs::read_to_string(data.join("postmaster.pid")).unwrap().lines().next().unwrap().parse().unwrap();
    let rss = tree_rss_kb(pid);
    stop();
    (first, again, rss)
}

async fn managed(dir: &Path) -> (Duration, Duration, u64) {
    // Sluice's defaults.
    let settings = server::config::settings_for(dir.to_owned(), "http://localhost".parse().unwrap());
    let plan = || Plan {
        data_dir: dir.to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        bin: None,
        max_connections: settings.postgres_max_connections,
        shared_buffers_mb: settings.postgres_shared_buffers_mb,
        process_memory_mb: settings.postgres_process_memory_mb,
    };
    let t = Instant::now();
    let pg = LocalPostgres::start(plan()).await.unwrap();
    let first = t.elapsed();
    pg.stop().await;
    let t = Instant::now();
    let pg = LocalPostgres::start(plan()).await.unwrap();
    let again = t.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss = tree_rss_kb(pg.pid());
    pg.stop().await;
    (first, again, rss)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (mut hand, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        hand.push(by_hand(&dir.path().join("hand")));
        ours.push(managed(&dir.path().join("ours")).await);
    }
    let col = |v: &[(Duration, Duration, u64)], i: usize| -> f64 {
        median(
            v.iter()
                .map(|r| match i {
                    0 => r.0.as_secs_f64() * 1000.0,
                    1 => r.1.as_secs_f64() * 1000.0,
                    _ => r.2 as f64 / 1024.0,
                })
                .collect(),
        )
    };
    println!("Sluice's own PostgreSQL against the same server by hand (median of {ROUNDS}, taking turns)");
    println!("{:<34} {:>12} {:>12} {:>8}", "", "by hand", "Sluice's", "ratio");
    for (i, what, unit) in [
        (0, "first start (initdb + ready)", "ms"),
        (1, "start on existing data", "ms"),
        (2, "idle resident memory", "MB"),
    ] {
        let (h, o) = (col(&hand, i), col(&ours, i));
        println!("{:<34} {:>9.1} {unit} {:>9.1} {unit} {:>7.2}x", what, h, o, o / h);
    }
}
