//! The benchmarks' goals, gathered for one table: each figure that has a
//! goal is written, with what it is measured against, to the file named by
//! `SLUICE_BENCH_GOALS` (tab-separated), which `scripts/bench.sh` prints
//! at the end of the run.

use std::io::Write;

/// `figure` measured as `measured`, against `against`, at `ratio` (lower is
/// better) where the goal is at most `goal`.
pub fn record(figure: &str, measured: &str, against: &str, ratio: f64, goal: f64) {
    let Some(path) = std::env::var_os("SLUICE_BENCH_GOALS") else { return };
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    writeln!(file, "{figure}\t{measured}\t{against}\t{ratio:.2}\t{goal:.2}").unwrap();
}
