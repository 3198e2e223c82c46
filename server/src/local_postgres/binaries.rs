//! Finding PostgreSQL's programs: `SLUICE_POSTGRES_BIN` (a folder with
//! `initdb` and `postgres`), else `pg_config --bindir`, else the newest
//! `/usr/lib/postgresql/*/bin` (Debian's layout); version 14 or newer.

use std::path::{Path, PathBuf};

use super::Unavailable;

/// `pg_stat_database.active_time`, which usage reads, is PostgreSQL 14's.
pub const MIN_MAJOR: u32 = 14;

/// The folder of `initdb` and `postgres`, and their major version.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub dir: PathBuf,
    pub major: u32,
}

impl Binaries {
    pub fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    pub fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }

    /// Whether `pg_stat_statements` (PostgreSQL's own module, packaged
    /// with the server on Debian) is installed beside these programs.
    pub fn has_statement_stats(&self) -> bool {
        let lib = self.dir.parent().map(|p| p.join("lib").join("pg_stat_statements.so"));
        lib.is_some_and(|l| l.exists())
    }
}

fn has_programs(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// Finds the programs and checks their version.
pub async fn find(configured: Option<&Path>) -> Result<Binaries, Unavailable> {
    let dir = match configured {
        Some(dir) if has_programs(dir) => dir.to_owned(),
        Some(dir) => {
            return Err(Unavailable(format!("SLUICE_POSTGRES_BIN: {} holds no initdb and postgres", dir.display())))
        }
        None => match from_pg_config().await.filter(|d| has_programs(d)).or_else(newest_debian) {
            Some(dir) => dir,
            None => {
                return Err(Unavailable(
                    "PostgreSQL is not installed (no initdb and postgres from pg_config or under \
                     /usr/lib/postgresql): install it (Debian: apt-get install postgresql) or set \
                     SLUICE_POSTGRES_BIN"
                        .into(),
                ))
            }
        },
    };
    let major = version(&dir).await?;
    if major < MIN_MAJOR {
        return Err(Unavailable(format!("PostgreSQL {MIN_MAJOR} or newer is needed; {} is {major}", dir.display())));
    }
    Ok(Binaries { dir, major })
}

async fn from_pg_config() -> Option<PathBuf> {
    let out = tokio::process::Command::new("pg_config").arg("--bindir").output().await.ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// `/usr/lib/postgresql/{major}/bin`, the highest major first.
fn newest_debian() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_programs(&bin).then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The major version `postgres --version` prints (`postgres (PostgreSQL)
/// 15.14 (Debian 15.14-0+deb12u1)`).
async fn version(dir: &Path) -> Result<u32, Unavailable> {
    let program = dir.join("postgres");
    let out = tokio::process::Command::new(&program)
        .arg("--version")
        .output()
        .await
        .map_err(|e| Unavailable(format!("cannot run {}: {e}", program.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_major(&text).ok_or_else(|| Unavailable(format!("{} printed no version: {text:?}", program.display())))
}

fn parse_major(text: &str) -> Option<u32> {
    let number = text.split_whitespace().find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    number.split(['.', 'b', 'r']).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_major;

    #[test]
    fn versions_are_read_as_postgres_prints_them() {
        assert_eq!(parse_major("postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n"), Some(15));
        assert_eq!(parse_major("postgres (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(parse_major("postgres (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major("nonsense"), None);
    }
}
