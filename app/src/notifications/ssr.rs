//! Preferences in storage: one row per person, made with everything on the
//! first time it is read; each change audited with the old and new value.

use serde_json::{json, Map, Value};

use super::{Kind, Preferences};
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, Db};
use crate::infra::ids::new_id;
use crate::infra::time::now_millis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub community_updates: String,
    pub product_updates: String,
    pub tips_and_tricks: String,
    pub version_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One notification preference, as stored and as the API says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    Enabled,
    Disabled,
}

impl Subscription {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }

    /// The stored word; anything but `enabled` sends nothing.
    pub fn from_stored(word: &str) -> Self {
        match word {
            "enabled" => Self::Enabled,
            _ => Self::Disabled,
        }
    }

    pub fn is_on(self) -> bool {
        self == Self::Enabled
    }
}

impl From<bool> for Subscription {
    fn from(on: bool) -> Self {
        if on {
            Self::Enabled
        } else {
            Self::Disabled
        }
    }
}

fn word(on: bool) -> &'static str {
    Subscription::from(on).as_str()
}

impl Row {
    pub fn preferences(&self) -> Preferences {
        Preferences {
            community_updates: Subscription::from_stored(&self.community_updates).is_on(),
            product_updates: Subscription::from_stored(&self.product_updates).is_on(),
            tips_and_tricks: Subscription::from_stored(&self.tips_and_tricks).is_on(),
        }
    }
}

const SELECT: &str =
    "SELECT id, community_updates, product_updates, tips_and_tricks, version_id, created_at, updated_at
     FROM user_preferences WHERE user_id = $1";

pub async fn read(db: &Db, user_id: &str) -> Result<Row, sqlx::Error> {
    let now = now_millis();
    sqlx::query(
        "INSERT INTO user_preferences (id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(new_id("up"))
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    sqlx::query_as(SELECT).bind(user_id).fetch_one(db).await
}

/// Applies `change` to `actor`'s choices and saves them. Nothing changed,
/// nothing written.
pub async fn update(
    db: &Db,
    actor: &Actor,
    change: impl FnOnce(Preferences) -> Preferences,
) -> Result<Row, sqlx::Error> {
    let before = read(db, &actor.id).await?;
    let old = before.preferences();
    let wanted = change(old);
    let mut changed = Map::new();
    for kind in Kind::ALL {
        if old.get(kind) != wanted.get(kind) {
            changed.insert(kind.key().to_owned(), json!({ "old": word(old.get(kind)), "new": word(wanted.get(kind)) }));
        }
    }
    if changed.is_empty() {
        return Ok(before);
    }
    let now = now_millis();
    let mut tx = begin_write(db).await?;
    sqlx::query(
        "UPDATE user_preferences SET community_updates = $1, product_updates = $2, tips_and_tricks = $3,
           version_id = version_id + 1, updated_at = $4 WHERE user_id = $5",
    )
    .bind(word(wanted.community_updates))
    .bind(word(wanted.product_updates))
    .bind(word(wanted.tips_and_tricks))
    .bind(now)
    .bind(&actor.id)
    .execute(&mut *tx)
    .await?;
    audit_trail::record_own(&mut tx, actor, "user.preferences.update", Value::Object(changed), now).await?;
    let row = sqlx::query_as(SELECT).bind(&actor.id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(row)
}
