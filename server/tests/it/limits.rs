//! Resource limits under attack, against the real server process: a decode
//! bomb, unauthenticated upload bodies, half-open and idle connections by
//! the thousand under a low `ulimit -n`. Memory is read from the process's
//! own `/proc/{pid}/status` (peak and current resident set).

use reqwest::header::COOKIE;
use reqwest::{redirect, Client, StatusCode};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{engine, fresh_database, read_started, server_process, sign_in_with, Engine};

const MB: u64 = 1024 * 1024;

struct Server {
    child: Child,
    addr: SocketAddr,
    base: String,
    cookie: String,
    /// Kept while the server runs (on PostgreSQL, dropping it drops the database).
    database: std::sync::Arc<crate::harness::TestDatabase>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// A `/proc/{pid}/status` figure, in bytes (`VmRSS`, `VmHWM`).
    fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with(field)).unwrap();
        let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb * 1024
    }
}

/// Starts `server --demo` with `env`, open files limited to `nofile`, and
/// signs in as the demo account.
async fn start(env: &[(&str, &str)], nofile: u64) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = server_process();
    cmd.arg("--demo")
        .env("SLUICE_DATA_DIR", dir.path())
        .env("SLUICE_DATABASE_URL", &database.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SLUICE_DB_LISTEN", "off")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: nofile, rlim_max: nofile };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("server starts");
    let (link, _) = read_started(&mut child, false);
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let cookie = sign_in_with(&client, &base, &link).await;
    Server { child, addr: format!("127.0.0.1:{port}").parse().unwrap(), base, cookie, database, _dir: dir }
}

fn upload(client: &Client, server: &Server, cookie: Option<&str>, bytes: Vec<u8>) -> reqwest::RequestBuilder {
    let form = reqwest::multipart::Form::new()
        .text("handle", "demo")
        .part("avatar", reqwest::multipart::Part::bytes(bytes).file_name("bomb.png"));
    let mut req = client
        .post(format!("{}/sfn/upload_avatar", server.base))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .multipart(form);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req
}

/// Whether `/login` answers 200 within `within`.
async fn console_answers(base: &str, within: Duration) -> bool {
    let client = Client::builder().timeout(within).build().unwrap();
    matches!(client.get(format!("{base}/login")).send().await, Ok(r) if r.status() == StatusCode::OK)
}

/// A connection from `source` (a loopback address of the attacker's).
fn connect_from(source: &str, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&source.parse::<SocketAddr>().unwrap().into())?;
    socket.connect(&to.into())?;
    Ok(socket.into())
}

/// Whether the server closed `stream` (a read answers end of file or an error).
fn closed(mut stream: &TcpStream) -> bool {
    stream.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let mut buf = [0u8; 512];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => closed(stream),
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

/// A connection from each of `sources` (loopback addresses), each with
/// half a request line sent: those the server took or keeps waiting.
async fn half_open(sources: Vec<String>, to: SocketAddr) -> Vec<TcpStream> {
    tokio::task::spawn_blocking(move || {
        sources
            .iter()
            .filter_map(|source| {
                let mut s = connect_from(&format!("{source}:0"), to).ok()?;
                let _ = s.write_all(b"GET /lo");
                Some(s)
            })
            .collect()
    })
    .await
    .unwrap()
}

/// Lets this test process hold the attacker's sockets.
fn raise_own_open_files() {
    server::connections::raise_open_files_limit();
}

#[test]
fn a_decode_bomb_is_refused_before_it_takes_the_memory() {
    if engine() == Engine::Postgres {
        return; // about the image pipeline, not storage: once is enough
    }
    crate::harness::run(async {
        let server = start(&[], 4096).await;
        let bomb = include_bytes!("../../../fixtures/png-rgba16-12000x12000.png").to_vec();
        let client = Client::new();
        let before = server.memory("VmHWM:");
        // Four at once, as the attack did.
        let answers = futures::future::join_all(
            (0..4).map(|_| upload(&client, &server, Some(&server.cookie), bomb.clone()).send()),
        )
        .await;
        for res in answers {
            let res = res.unwrap();
            assert_eq!(res.status(), StatusCode::BAD_REQUEST);
            assert!(res.text().await.unwrap().contains("megapixels"));
        }
        let growth = server.memory("VmHWM:").saturating_sub(before);
        assert!(growth < 400 * MB, "peak memory grew by {} MB", growth / MB);
    })
}

#[test]
fn an_upload_without_a_session_is_refused_before_its_body_is_read() {
    if engine() == Engine::Postgres {
        return;
    }
    crate::harness::run(async {
        let server = start(&[], 4096).await;
        let before = server.memory("VmRSS:");
        // 30 uploads of 16 MB, no cookie, the last byte withheld.
        let addr = server.addr;
        let handles: Vec<_> = (0..30)
            .map(|i| {
                std::thread::spawn(move || {
                    let mut stream = TcpStream::connect(addr).unwrap();
                    stream.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
                    let boundary = "sluice-test-boundary";
                    let length = 16 * MB;
                    let head = format!(
                        "POST /sfn/upload_avatar HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: same-origin\r\n\
                         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n\
                         --{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"{i}.png\"\r\n\r\n"
                    );
                    let _ = stream.write_all(head.as_bytes());
                    let chunk = vec![0u8; MB as usize];
                    for _ in 0..15 {
                        if stream.write_all(&chunk).is_err() {
                            break; // the server stopped reading: what is wanted
                        }
                    }
                    stream
                })
            })
            .collect();
        let held: Vec<TcpStream> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let growth = server.memory("VmRSS:").saturating_sub(before);
        assert!(growth < 24 * MB, "memory grew by {} MB while {} uploads were held", growth / MB, held.len());
        drop(held);
        // A small one (whose body fits in the socket's buffers, so the client
        // is not cut off while still sending) is answered 401.
        let res = upload(&Client::new(), &server, None, vec![0u8; 16 * 1024]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // And a signed-in upload still goes through the same door.
        let res = upload(&Client::new(), &server, Some(&server.cookie), crate::avatar_upload::photo(64, 48))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    })
}

#[test]
fn half_open_connections_are_closed_and_the_console_answers_meanwhile() {
    if engine() == Engine::Postgres {
        return; // about the listener, not storage
    }
    crate::harness::run(async {
        raise_own_open_files();
        let server = start(&[("SLUICE_HTTP_HEADER_TIMEOUT", "3")], 1024).await;
        let addr = server.addr;
        // 1,100 sockets from one address, each with half a request line.
        let attackers = half_open(vec!["127.0.0.2".to_owned(); 1100], addr).await;
        assert!(attackers.len() >= 1000, "the attack opened {} sockets", attackers.len());
        // The console answers someone else while they are held.
        for _ in 0..3 {
            assert!(console_answers(&server.base, Duration::from_secs(5)).await, "the console did not answer");
        }
        // Every one of them is closed within the header timeout (and then some).
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut open = attackers.len();
        while Instant::now() < deadline {
            open = attackers.iter().filter(|s| !closed(s)).count();
            if open == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert_eq!(open, 0, "{open} half-open connections were still open");
        assert!(console_answers(&server.base, Duration::from_secs(5)).await);
    })
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    if engine() == Engine::Postgres {
        return;
    }
    crate::harness::run(async {
        let server = start(&[("SLUICE_HTTP_HEADER_TIMEOUT", "2")], 4096).await;
        let mut stream = TcpStream::connect(server.addr).unwrap();
        stream.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        let started = Instant::now();
        // Read the rest of the page, then wait for the server to hang up.
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
        let idle = started.elapsed();
        assert!(idle < Duration::from_secs(5), "the idle connection stayed open {idle:?}");
        assert!(idle >= Duration::from_secs(1), "closed before the timeout ({idle:?})");
    })
}

#[test]
fn one_address_holds_no_more_than_its_share_of_connections() {
    if engine() == Engine::Postgres {
        return;
    }
    crate::harness::run(async {
        raise_own_open_files();
        let server = start(&[("SLUICE_HTTP_PER_ADDRESS", "20")], 4096).await;
        let addr = server.addr;
        let held: Vec<TcpStream> = (0..40).map(|_| connect_from("127.0.0.3:0", addr).unwrap()).collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let closed_now = held.iter().filter(|s| closed(s)).count();
        assert_eq!(closed_now, 20, "past its 20, an address's connections are closed at once");
        assert!(console_answers(&server.base, Duration::from_secs(5)).await);
    })
}

/// Download your data with an Audit Log of 100,000 records (each with 256
/// random hex characters, so the archive cannot shrink to nothing). The
/// server downloads one of 20,000 first: what the streaming needs (pipe,
/// deflate state, a batch of records, the database's cache) is then taken.
/// Five times the records later, its peak memory has moved by less than
/// half of what the archive grew (25 MB): memory does not follow the
/// length of the log, and an archive built in memory would fail.
///
/// The server keeps two database connections here. Each connection it
/// opens keeps a SQLite page cache of up to 2 MB, so with the default eight
/// the peak also moved with how many connections the second download
/// happened to open beside the server's background jobs: from 0 to 16 MB
/// on unchanged code. With two, and the export's batches of 250 records
/// rather than 1,000, twelve runs (five beside busy loops on both cores,
/// seven inside the whole suite) moved it by 0 to 4.3 MB.
#[test]
fn a_data_export_of_100000_audit_records_keeps_the_servers_memory_flat() {
    crate::harness::run(async {
        let server = start(&[("SLUICE_DB_MAX_CONNECTIONS", "2")], 4096).await;
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&server.database.url).await.unwrap();
        let random = match engine() {
            Engine::Sqlite => "lower(hex(randomblob(128)))".to_owned(),
            Engine::Postgres => ["md5(random()::text || n.i)"; 8].join(" || "),
        };
        let insert = |from: i64, to: i64| {
            format!(
                "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to})
                 INSERT INTO audit_log (id, identity_id, identity_handle, action_type, actor_id, actor_handle,
                                        actor_display_name, actor_avatar_url, actor_ip, data, created_at)
                 SELECT 'a_0000' || CAST(1000000000000000 + n.i AS TEXT), u.id, u.handle, 'user.update', u.id,
                        u.handle, u.display_name, '', '127.0.0.1', '{{\"noise\":\"' || {random} || '\"}}',
                        1700000000000 + n.i
                 FROM n, users u WHERE u.handle = 'demo'"
            )
        };
        let download = || async {
            let mut res = Client::new()
                .get(format!("{}/user/demo/export.zip", server.base))
                .header(COOKIE, &server.cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let mut bytes = Vec::new();
            while let Some(chunk) = res.chunk().await.unwrap() {
                bytes.extend_from_slice(&chunk);
            }
            bytes
        };
        sqlx::query(&insert(1, 20_000)).execute(&db).await.unwrap();
        let small = download().await.len() as u64;
        let warm = server.memory("VmHWM:");
        sqlx::query(&insert(20_001, 100_000)).execute(&db).await.unwrap();
        let bytes = download().await;
        let growth = server.memory("VmHWM:").saturating_sub(warm);
        let size = bytes.len() as u64;
        assert!(size > 24 * MB && size > 4 * small, "the archives are {small} and {size} bytes: too small to tell");
        assert!(growth < 12 * MB, "peak memory grew by {} MB for a {} MB archive", growth / MB, size / MB);
        let files = crate::data_export::entries(&bytes);
        let csv = &files.iter().find(|(n, _)| n == "audit_log.csv").unwrap().1;
        assert!(csv.lines().count() > 100_000, "every record is in the CSV");
        eprintln!(
            "data export: {} MB archive after a {} MB one, peak memory +{} KB",
            size / MB,
            small / MB,
            growth / 1024
        );
    })
}

#[test]
fn slow_clients_from_many_addresses_leave_room_for_someone_new() {
    if engine() == Engine::Postgres {
        return; // about the listener, not storage
    }
    crate::harness::run(async {
        raise_own_open_files();
        // ulimit -n 1024: the console holds 512 connections, 100 an address.
        let server = start(&[("SLUICE_HTTP_HEADER_TIMEOUT", "20")], 1024).await;
        let addr = server.addr;
        // Eleven addresses, each with 100 half-sent requests: more than the
        // console holds, and each within its share.
        let sources = (10..21).flat_map(|n| vec![format!("127.0.0.{n}"); 100]).collect();
        let attackers = half_open(sources, addr).await;
        assert!(attackers.len() >= 1000, "the attack opened {} sockets", attackers.len());
        tokio::time::sleep(Duration::from_millis(500)).await;
        for _ in 0..3 {
            assert!(console_answers(&server.base, Duration::from_secs(2)).await, "someone new was not served");
        }
        drop(attackers);
    })
}

#[test]
fn a_body_that_stops_arriving_gets_408() {
    if engine() == Engine::Postgres {
        return;
    }
    crate::harness::run(async {
        let server = start(&[("SLUICE_HTTP_BODY_TIMEOUT", "1")], 4096).await;
        for (path, content_type) in [
            ("/sfn/use_email_link", "application/x-www-form-urlencoded"),
            ("/sfn/upload_avatar", "multipart/form-data; boundary=x"),
        ] {
            let (addr, cookie) = (server.addr, server.cookie.clone());
            let head = tokio::task::spawn_blocking(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                let request = format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: same-origin\r\nCookie: {cookie}\r\n\
                     Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n--x\r\nt=abc"
                );
                stream.write_all(request.as_bytes()).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut head = [0u8; 12];
                stream.read_exact(&mut head).unwrap();
                head
            })
            .await
            .unwrap();
            assert_eq!(&head, b"HTTP/1.1 408", "{path}: {}", String::from_utf8_lossy(&head));
        }
    })
}
