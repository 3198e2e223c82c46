//! What an operator of Sluice does from the command line (`sluice
//! lift-second-factor`), on the same storage the server uses.

use crate::infra::db::Db;

/// Lifts the requirement of a second factor from the account `handle`,
/// for its owner who lost every factor; audited as `operator`'s.
/// `None`: no such account; `Some(false)`: it was not required.
pub async fn lift_second_factor(db: &Db, handle: &str, operator: &str) -> Result<Option<bool>, sqlx::Error> {
    crate::identity::second_factor::ssr::lift(db, handle, operator).await
}
