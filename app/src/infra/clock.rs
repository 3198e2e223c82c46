//! The clock "Confirm it is you" reads: the real one, unless the tests
//! name a file (`SLUICE_TEST_CLOCK_FILE`) whose number of seconds moves it
//! forward, so that a journey can make a session's proof older than ten
//! minutes without waiting for them.

use std::path::PathBuf;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_file: Option<PathBuf>,
}

/// The most a test may move the clock: a year.
const MAX_OFFSET_SECS: i64 = 366 * 24 * 3600;

impl Clock {
    /// The real clock, moved forward by the seconds written in `file`
    /// (none, or anything but a number: not moved).
    pub fn shifted_by(file: PathBuf) -> Self {
        Self { offset_file: Some(file) }
    }

    pub async fn now_millis(&self) -> i64 {
        let real = super::time::now_millis();
        let Some(file) = &self.offset_file else { return real };
        let secs = tokio::fs::read_to_string(file).await.ok().and_then(|s| s.trim().parse::<i64>().ok());
        real + secs.unwrap_or(0).clamp(0, MAX_OFFSET_SECS) * 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn moves_forward_by_the_files_seconds_only() {
        let dir = std::env::temp_dir().join(format!("sluice-clock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("offset");
        let clock = Clock::shifted_by(file.clone());
        let real = super::super::time::now_millis();
        assert!((clock.now_millis().await - real).abs() < 1_000, "no file: the real clock");
        std::fs::write(&file, "660\n").unwrap();
        let moved = clock.now_millis().await - real;
        assert!((659_000..662_000).contains(&moved), "{moved}");
        std::fs::write(&file, "-600").unwrap();
        assert!((clock.now_millis().await - real).abs() < 2_000, "never backwards");
        std::fs::write(&file, "soon").unwrap();
        assert!((clock.now_millis().await - real).abs() < 2_000);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
