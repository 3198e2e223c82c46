//! A throwaway PostgreSQL for the benchmarks: Debian's postgresql package,
//! a data dir of its own, a loopback port, SCRAM authentication, run as
//! the `postgres` user when the benchmark runs as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Debian keeps the server's programs out of PATH.
pub fn pg_bin(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin").join(name)).filter(|p| p.exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| panic!("{name} not found under /usr/lib/postgresql (Debian's postgresql package)"))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

/// Runs a PostgreSQL program, as `postgres` when we are root (the server
/// refuses to run as root).
fn pg(name: &str, args: &[&str]) -> std::process::Output {
    let bin = pg_bin(name);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let out = cmd.args(args).stdin(Stdio::null()).output().expect("a PostgreSQL program runs");
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

pub struct Postgres {
    dir: PathBuf,
    pub port: u16,
}

impl Postgres {
    /// Starts it with the role `bench` and `password`.
    pub fn start(dir: &Path, password: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        std::fs::create_dir_all(dir).unwrap();
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, password).unwrap();
        if is_root() {
            Command::new("chown").args(["-R", "postgres"]).arg(dir).status().unwrap();
        }
        let data = dir.join("data");
        let (data_s, pw_s) = (data.to_str().unwrap(), pwfile.to_str().unwrap());
        pg(
            "initdb",
            &["-D", data_s, "-U", "bench", "--auth=scram-sha-256", "--pwfile", pw_s, "-E", "UTF8", "--no-sync"],
        );
        let opts = format!("-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections=50", dir.display());
        pg("pg_ctl", &["-D", data_s, "-o", &opts, "-l", dir.join("log").to_str().unwrap(), "-w", "start"]);
        Self { dir: dir.to_owned(), port }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = std::panic::catch_unwind(|| pg("pg_ctl", &["-D", data.to_str().unwrap(), "-m", "fast", "stop"]));
    }
}
