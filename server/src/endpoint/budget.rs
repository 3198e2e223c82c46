//! The memory that query results may hold until they are sent. Rows are
//! read, typed and then written to the client; until the client has taken
//! them they are in memory. One query (all of its statements together) may
//! hold [`QUERY_BYTES`], and all connections together [`ENDPOINT_BYTES`]:
//! before, each statement had a cap of its own, so twenty statements in
//! one query string, sent to a client that did not read, held 3.2 GB.
//! Statements also run [`RUNNING`] at a time across the endpoint: what
//! SQLite allocates while one runs is bounded only by its heap limit, and
//! the machine has few cores to give them.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::sql::SqlError;

/// What one query's results may hold.
pub const QUERY_BYTES: usize = 64 * 1024 * 1024;
/// What all of the endpoint's results may hold at once.
pub const ENDPOINT_BYTES: usize = 128 * 1024 * 1024;
/// Workspace statements running at once; the others wait their turn.
pub const RUNNING: usize = 2;
/// The budget is handed out in blocks of this size.
const BLOCK: usize = 1024 * 1024;

/// The endpoint's budget, shared by its connections: bytes of results,
/// and turns to run a statement.
#[derive(Clone)]
pub struct Budget {
    bytes: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl Budget {
    pub fn new(bytes: usize) -> Self {
        Self { bytes: Arc::new(Semaphore::new(bytes / BLOCK)), running: Arc::new(Semaphore::new(RUNNING)) }
    }

    /// An empty holding for one query.
    pub fn holding(&self) -> Holding {
        Holding { budget: self.bytes.clone(), bytes: 0, permit: None }
    }

    /// Waits for a turn to run a statement; the turn ends when dropped.
    pub async fn turn(&self) -> OwnedSemaphorePermit {
        self.running.clone().acquire_owned().await.expect("the semaphore is never closed")
    }
}

/// The bytes one query's results hold, and their share of the budget;
/// the share goes back when the holding is dropped (once the rows are sent).
pub struct Holding {
    budget: Arc<Semaphore>,
    bytes: usize,
    permit: Option<OwnedSemaphorePermit>,
}

impl Holding {
    /// Counts `bytes` more, or says why they cannot be held.
    pub fn add(&mut self, bytes: usize) -> Result<(), SqlError> {
        let total = self.bytes + bytes;
        if total > QUERY_BYTES {
            let mb = QUERY_BYTES / (1024 * 1024);
            return Err(SqlError::new(
                "54000",
                format!(
                    "the results of one query may hold at most {mb} MB; add LIMIT, or send the statements one by one"
                ),
            ));
        }
        let have = self.permit.as_ref().map_or(0, |p| p.num_permits());
        let need = total.div_ceil(BLOCK);
        if need > have {
            let more = self.budget.clone().try_acquire_many_owned((need - have) as u32).map_err(|_| {
                SqlError::new("53200", "the workspace endpoint is busy sending other results; try again shortly")
            })?;
            match &mut self.permit {
                Some(p) => p.merge(more),
                None => self.permit = Some(more),
            }
        }
        self.bytes = total;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_query_and_all_of_them_are_capped() {
        let budget = Budget::new(3 * BLOCK);
        let mut a = budget.holding();
        a.add(BLOCK).unwrap();
        a.add(BLOCK / 2).unwrap();
        let mut b = budget.holding();
        b.add(BLOCK).unwrap();
        assert_eq!(b.add(1).unwrap_err().code, "53200", "the endpoint's budget is spent");
        drop(a);
        b.add(BLOCK).unwrap();
        let big = Budget::new(ENDPOINT_BYTES);
        let mut c = big.holding();
        assert_eq!(c.add(QUERY_BYTES + 1).unwrap_err().code, "54000");
    }
}
