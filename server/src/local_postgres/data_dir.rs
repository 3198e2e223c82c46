//! The managed PostgreSQL's files: its data directory
//! (`$SLUICE_DATA_DIR/postgres`, made by `initdb` at the first start),
//! the administrator's password beside it, `pg_hba.conf` and the TLS
//! certificate, written at every start. Blocking: called from
//! `spawn_blocking` or before the server runs.

use std::ffi::CString;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::distributions::{Alphanumeric, DistString};

use super::Unavailable;

/// The role Sluice administers its PostgreSQL as (its bootstrap superuser).
pub const ADMIN: &str = "sluice";

/// Who runs `initdb` and `postgres`: they refuse to run as root, so a
/// Sluice running as root runs them as `postgres` (Debian's package makes
/// that user).
#[derive(Debug, Clone)]
pub struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// `None`: Sluice is not root and runs them as itself.
#[allow(unsafe_code)] // libc; see the SAFETY notes
pub fn run_as() -> Result<Option<RunAs>, Unavailable> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = "postgres";
    let c_name = CString::new(name).expect("no NUL");
    // SAFETY: getpwnam returns a pointer into static storage, read at once;
    // nothing else in Sluice calls it.
    let entry = unsafe { libc::getpwnam(c_name.as_ptr()) };
    if entry.is_null() {
        return Err(Unavailable(
            "Sluice runs as root and PostgreSQL refuses to: there is no user postgres to run it as \
             (Debian's postgresql package makes one)"
                .into(),
        ));
    }
    // SAFETY: non-null, from getpwnam just above.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Some(RunAs { name: name.into(), uid, gid }))
}

/// The paths of the managed server's files under Sluice's data dir.
#[derive(Debug, Clone)]
pub struct Paths {
    /// PostgreSQL's data directory; its Unix socket is made here too.
    pub pgdata: PathBuf,
    /// The administrator's password, readable by Sluice only.
    pub admin_password: PathBuf,
    /// What PostgreSQL writes to stderr.
    pub log: PathBuf,
}

impl Paths {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            pgdata: data_dir.join("postgres"),
            admin_password: data_dir.join("postgres-admin.password"),
            log: data_dir.join("postgres.log"),
        }
    }

    pub fn initialised(&self) -> bool {
        self.pgdata.join("PG_VERSION").is_file()
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Unavailable {
    Unavailable(format!("{what} {}: {e}", path.display()))
}

fn chown(path: &Path, who: Option<&RunAs>) -> Result<(), Unavailable> {
    if let Some(who) = who {
        std::os::unix::fs::chown(path, Some(who.uid), Some(who.gid))
            .map_err(|e| io("cannot give the postgres user", path, e))?;
    }
    Ok(())
}

/// Writes `bytes` to `path`, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8], who: Option<&RunAs>) -> Result<(), Unavailable> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io("cannot write", path, e))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| io("cannot write", path, e))?;
    chown(path, who)
}

/// The user who runs PostgreSQL must be able to pass through every folder
/// above its data: where one would stop it, it is given search (`x`, not
/// read) permission, and the log says so.
pub fn make_reachable(pgdata: &Path, who: &RunAs) -> Result<(), Unavailable> {
    let mut at = pgdata.parent();
    while let Some(dir) = at {
        let meta = std::fs::metadata(dir).map_err(|e| io("cannot read", dir, e))?;
        let mode = meta.permissions().mode();
        let passable = if meta.uid() == who.uid {
            mode & 0o100 != 0
        } else if meta.gid() == who.gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !passable {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o001))
                .map_err(|e| io("cannot let the postgres user pass through", dir, e))?;
            tracing::info!(folder = %dir.display(), "gave others search permission (x) on a folder above the data dir, so that the postgres user can reach its PostgreSQL data");
        }
        at = dir.parent();
    }
    Ok(())
}

/// The administrator's password: made with the data directory, read at
/// every later start.
pub fn admin_password(paths: &Paths) -> Result<String, Unavailable> {
    std::fs::read_to_string(&paths.admin_password)
        .map(|s| s.trim().to_owned())
        .map_err(|e| io("cannot read the managed PostgreSQL's administrator password from", &paths.admin_password, e))
}

/// Runs `initdb` (SCRAM-SHA-256, UTF-8, data checksums) into an empty or
/// missing data directory. A directory with something else in it is left
/// alone and refused.
pub fn initdb(initdb: &Path, paths: &Paths, who: Option<&RunAs>) -> Result<(), Unavailable> {
    let pgdata = &paths.pgdata;
    if pgdata.exists() {
        let empty = std::fs::read_dir(pgdata).map_err(|e| io("cannot read", pgdata, e))?.next().is_none();
        if !empty {
            return Err(Unavailable(format!(
                "{} holds files but no PostgreSQL data (no PG_VERSION): move them away",
                pgdata.display()
            )));
        }
    } else {
        std::fs::create_dir_all(pgdata).map_err(|e| io("cannot make", pgdata, e))?;
    }
    std::fs::set_permissions(pgdata, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| io("cannot set the permissions of", pgdata, e))?;
    chown(pgdata, who)?;
    let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let pwfile = paths.pgdata.with_extension("initdb-password");
    write_private(&pwfile, password.as_bytes(), who)?;
    let mut command = std::process::Command::new(initdb);
    command
        .arg("-D")
        .arg(pgdata)
        .args(["-U", ADMIN, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--data-checksums"])
        .arg(format!("--pwfile={}", pwfile.display()));
    if let Some(who) = who {
        std::os::unix::process::CommandExt::uid(&mut command, who.uid);
        std::os::unix::process::CommandExt::gid(&mut command, who.gid);
    }
    let out = command.output();
    let _ = std::fs::remove_file(&pwfile);
    let out = out.map_err(|e| io("cannot run", initdb, e))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stderr);
        let last = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(Unavailable(format!("initdb failed: {last}")));
    }
    // Written after initdb succeeded: a password file means a server it fits.
    write_private(&paths.admin_password, password.as_bytes(), None)?;
    tracing::info!(data = %pgdata.display(), "made the managed PostgreSQL's data directory (initdb)");
    Ok(())
}

/// `pg_hba.conf`: the administrator over the Unix socket only; people's
/// roles (members of the workspaces' group) over TCP, with TLS when it is
/// on, by SCRAM; nothing else.
pub fn hba(group: &str, tls: bool) -> String {
    let host = if tls { "hostssl" } else { "host" };
    format!(
        "# Written by Sluice at every start; edits are lost.\n\
         local all {ADMIN} scram-sha-256\n\
         {host} all +{group} 0.0.0.0/0 scram-sha-256\n\
         {host} all +{group} ::/0 scram-sha-256\n"
    )
}

/// Writes `pg_hba.conf` and, with TLS, copies the certificate and key in
/// (PostgreSQL wants its key owned by the user it runs as, private).
/// Answers the certificate's and key's paths inside the data directory.
pub fn write_config(
    paths: &Paths,
    group: &str,
    tls: Option<(&Path, &Path)>,
    who: Option<&RunAs>,
) -> Result<Option<(PathBuf, PathBuf)>, Unavailable> {
    let hba_path = paths.pgdata.join("pg_hba.conf");
    write_private(&hba_path, hba(group, tls.is_some()).as_bytes(), who)?;
    let Some((cert, key)) = tls else { return Ok(None) };
    let (cert_in, key_in) = (paths.pgdata.join("sluice-server.crt"), paths.pgdata.join("sluice-server.key"));
    let cert_bytes = std::fs::read(cert).map_err(|e| io("cannot read the certificate", cert, e))?;
    let key_bytes = std::fs::read(key).map_err(|e| io("cannot read the private key", key, e))?;
    write_private(&cert_in, &cert_bytes, who)?;
    write_private(&key_in, &key_bytes, who)?;
    Ok(Some((cert_in, key_in)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_workspaces_group_comes_in_over_tcp_and_with_tls_when_on() {
        let on = hba("sluice_workspaces", true);
        assert!(on.contains("local all sluice scram-sha-256"));
        assert!(on.contains("hostssl all +sluice_workspaces 0.0.0.0/0 scram-sha-256"));
        assert!(!on.contains("\nhost "), "{on}");
        assert!(!on.contains("trust") && !on.contains("md5"), "{on}");
        assert!(hba("sluice_workspaces", false).contains("\nhost all +sluice_workspaces ::/0 scram-sha-256"));
    }
}
