//! Reading the Audit Log: the filter parsed, opaque keyset cursors, and
//! one query shape for the page, the API and the exports. The index
//! `(identity_id, created_at DESC, id DESC)` (and its twin with
//! `action_type`) makes every page a range seek, however deep.

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments};
use time::macros::format_description;
use time::{Date, Duration};

use super::{AuditFilter, AuditPage, AuditRecord, ACTIONS};
use crate::error::AppError;
use crate::infra::time::rfc3339;

/// Where a page starts: after the record with this time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    created_at: i64,
    id: String,
}

impl Cursor {
    /// After the record with this time and id.
    pub fn at(created_at: i64, id: String) -> Self {
        Self { created_at, id }
    }

    pub fn encode(&self) -> String {
        crate::api::cursor_token(&format!("{}:{}", self.created_at, self.id))
    }

    /// A cursor this list issued; anything else is `None`.
    pub fn decode(token: &str) -> Option<Self> {
        let raw = crate::api::cursor_text(token)?;
        let (at, id) = raw.split_once(':')?;
        let created_at = at.parse::<i64>().ok()?;
        shared::is_prefixed_id(id, "a").then(|| Self { created_at, id: id.to_owned() })
    }
}

/// A filter and a cursor, checked.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub action: Option<&'static str>,
    /// From the start of this UTC day (ms).
    pub from_ms: Option<i64>,
    /// Up to, not including, this instant (ms): the end of the `to` day.
    pub until_ms: Option<i64>,
    pub after: Option<Cursor>,
}

impl Query {
    /// The page's filter and `after` cursor; a bad one is a message that
    /// says which part is wrong.
    pub fn parse(filter: &AuditFilter, after: &str) -> Result<Self, AppError> {
        let action = match filter.action.as_str() {
            "" => None,
            a => Some(
                ACTIONS
                    .iter()
                    .map(|(name, _)| *name)
                    .find(|name| *name == a)
                    .ok_or_else(|| AppError::invalid(format!("“{a}” is not an action Sluice records.")))?,
            ),
        };
        let from = parse_day(&filter.from, "From")?;
        let to = parse_day(&filter.to, "To")?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::invalid("The From date is after the To date."));
            }
        }
        Ok(Self {
            action,
            from_ms: from.map(day_start_ms),
            until_ms: to.map(|d| day_start_ms(d) + Duration::DAY.whole_milliseconds() as i64),
            after: cursor(after)?,
        })
    }
}

/// A cursor this list did not issue.
#[derive(Debug, thiserror::Error)]
#[error("That page of the Audit Log does not exist; start again from the first.")]
pub struct BadCursor;

impl From<BadCursor> for AppError {
    fn from(e: BadCursor) -> Self {
        AppError::invalid(e)
    }
}

/// An `after`/`next_token` value: empty, or a cursor this list issued.
pub fn cursor(token: &str) -> Result<Option<Cursor>, BadCursor> {
    if token.is_empty() {
        return Ok(None);
    }
    Cursor::decode(token).map(Some).ok_or(BadCursor)
}

fn parse_day(raw: &str, label: &str) -> Result<Option<Date>, AppError> {
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(Some)
        .map_err(|_| AppError::invalid(format!("{label}: “{raw}” is not a date (YYYY-MM-DD).")))
}

fn day_start_ms(d: Date) -> i64 {
    d.midnight().assume_utc().unix_timestamp() * 1000
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    identity_id: String,
    identity_handle: String,
    action_type: String,
    actor_id: String,
    actor_handle: String,
    actor_display_name: String,
    actor_avatar_url: String,
    actor_ip: String,
    target_id: Option<String>,
    target_handle: Option<String>,
    data: String,
    created_at: i64,
}

impl Row {
    fn cursor(&self) -> Cursor {
        Cursor { created_at: self.created_at, id: self.id.clone() }
    }

    fn record(self) -> AuditRecord {
        AuditRecord {
            // A developer account is its own tenant.
            tenant_id: format!("t_{}", self.identity_id.get(2..).unwrap_or_default()),
            data: serde_json::from_str(&self.data).unwrap_or_else(|_| serde_json::json!({})),
            created_at: rfc3339(self.created_at),
            id: self.id,
            action_type: self.action_type,
            actor_id: self.actor_id,
            actor_handle: self.actor_handle,
            actor_display_name: self.actor_display_name,
            actor_avatar_url: self.actor_avatar_url,
            actor_ip: self.actor_ip,
            identity_id: self.identity_id,
            identity_handle: self.identity_handle,
            target_id: self.target_id,
            target_handle: self.target_handle,
        }
    }
}

/// Binds `value` as the next argument; answers its placeholder, `$n`
/// (the one form both engines read).
fn bind<'q, T>(args: &mut AnyArguments<'q>, value: T) -> Result<String, sqlx::Error>
where
    T: sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + 'q,
{
    args.add(value).map_err(sqlx::Error::Encode)?;
    Ok(format!("${}", args.len()))
}

/// Up to `limit` records of `identity_id` matching `query`, newest first,
/// and the cursor of the next page if there is one.
pub async fn page(
    conn: &mut AnyConnection,
    identity_id: &str,
    query: &Query,
    limit: i64,
) -> Result<AuditPage, sqlx::Error> {
    let mut args = AnyArguments::default();
    let mut sql = format!(
        "SELECT id, identity_id, identity_handle, action_type, actor_id, actor_handle,
                actor_display_name, actor_avatar_url, actor_ip, target_id, target_handle,
                data, created_at
         FROM audit_log WHERE identity_id = {}",
        bind(&mut args, identity_id.to_owned())?
    );
    if let Some(action) = query.action {
        sql += &format!(" AND action_type = {}", bind(&mut args, action)?);
    }
    if let Some(from) = query.from_ms {
        sql += &format!(" AND created_at >= {}", bind(&mut args, from)?);
    }
    if let Some(until) = query.until_ms {
        sql += &format!(" AND created_at < {}", bind(&mut args, until)?);
    }
    if let Some(after) = &query.after {
        let created_at = bind(&mut args, after.created_at)?;
        let id = bind(&mut args, after.id.clone())?;
        sql += &format!(" AND (created_at, id) < ({created_at}, {id})");
    }
    // One more than asked: whether there is a next page, without counting.
    sql += &format!(" ORDER BY created_at DESC, id DESC LIMIT {}", bind(&mut args, limit + 1)?);
    let mut rows: Vec<Row> = sqlx::query_as_with(&sql, args).fetch_all(conn).await?;
    let next_token = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.cursor().encode())
    } else {
        None
    };
    Ok(AuditPage { items: rows.into_iter().map(Row::record).collect(), next_token })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(action: &str, from: &str, to: &str) -> AuditFilter {
        AuditFilter { action: action.into(), from: from.into(), to: to.into() }
    }

    #[test]
    fn cursors_round_trip_and_forgeries_are_refused() {
        let c = Cursor { created_at: 1_763_900_000_123, id: "a_0123456789abcdefghij".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "xyz", "MTIzOmFfMQ", &crate::api::cursor_token("12:a_0123456789abcdefghij' OR 1=1")] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
        assert!(cursor("nonsense!").is_err());
        assert_eq!(cursor("").unwrap(), None);
    }

    #[test]
    fn the_date_range_covers_whole_utc_days() {
        let q = Query::parse(&filter("", "2026-11-22", "2026-11-23"), "").unwrap();
        assert_eq!(q.from_ms, Some(1_795_305_600_000));
        assert_eq!(q.until_ms, Some(1_795_305_600_000 + 2 * 86_400_000));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        let msg = |f: AuditFilter| Query::parse(&f, "").unwrap_err().to_string();
        assert!(msg(filter("user.drop", "", "")).contains("not an action"));
        assert!(msg(filter("", "yesterday", "")).contains("From"));
        assert!(msg(filter("", "", "2026-13-01")).contains("To"));
        assert!(msg(filter("", "2026-11-23", "2026-11-22")).contains("after the To date"));
        assert_eq!(Query::parse(&filter("token.create", "", ""), "").unwrap().action, Some("token.create"));
    }
}
