//! Ending what a person was let in with: the step Reset Authentication and
//! the undo of an e-mail change both take.

use crate::infra::db::Tx;

/// Within `tx`, stops everything of `user_id`'s issued before `at`: the
/// sessions are deleted, `token_min_issued_at` moves forward to `at`
/// (never back), which every temporary and API token is checked
/// against, a pending e-mail change ends (its link, mailed to an address
/// someone else may hold, would change the account after the reset),
/// and the passkeys, authenticator app and recovery codes added from
/// `passkeys_since` on are removed (a requirement of a second factor with
/// none left is lifted: nobody could sign in).
pub async fn revoke_before(tx: &mut Tx, user_id: &str, at: i64, passkeys_since: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET token_min_issued_at = $1 WHERE id = $2 AND token_min_issued_at < $1")
        .bind(at)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND created_at < $2")
        .bind(user_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM email_changes WHERE user_id = $1 AND kind = 'confirm' AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM passkeys WHERE user_id = $1 AND created_at >= $2 AND created_at < $3")
        .bind(user_id)
        .bind(passkeys_since)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    for sql in [
        "DELETE FROM authenticators WHERE user_id = $1 AND created_at >= $2 AND created_at < $3",
        "DELETE FROM recovery_codes WHERE user_id = $1 AND created_at >= $2 AND created_at < $3",
    ] {
        sqlx::query(sql).bind(user_id).bind(passkeys_since).bind(at).execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE users SET second_factor_required_at = NULL WHERE id = $1
           AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1)
           AND NOT EXISTS (SELECT 1 FROM authenticators WHERE user_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
