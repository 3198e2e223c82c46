//! What New Token asks for, parsed at the edge (the page's form and the
//! API's request body alike): a **Name**, an **Expiration** and an
//! **Access** level.

/// The longest name a token may have.
pub const NAME_MAX: usize = 100;
const DAY_MS: i64 = 86_400_000;
/// The furthest a chosen expiry may be.
const MAX_DAYS: i64 = 366 * 5;

pub use shared::TokenAccess;

/// The page's Expiration choices: (value, label), the default first.
pub const EXPIRATIONS: [(&str, &str); 6] = [
    ("never", "No expiration"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("date", "A date…"),
];

/// A name that may be left empty (a default is given then).
pub fn parse_name(raw: &str) -> Result<Option<String>, &'static str> {
    let name = raw.trim();
    if name.chars().count() > NAME_MAX {
        return Err("A name has at most 100 characters.");
    }
    if name.chars().any(char::is_control) {
        return Err("A name cannot contain control characters.");
    }
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

/// When the token expires (milliseconds), from the page's choice:
/// `never`, a number of days, or `date` with `date` as `YYYY-MM-DD` (the
/// end of that day, UTC). `None`: it does not expire.
pub fn parse_expiration(choice: &str, date: &str, now: i64) -> Result<Option<i64>, &'static str> {
    match choice {
        "" | "never" => Ok(None),
        "7" | "30" | "90" | "365" => Ok(Some(now + choice.parse::<i64>().unwrap_or(0) * DAY_MS)),
        "date" => {
            let day = parse_day(date.trim()).ok_or("Choose the date as YYYY-MM-DD.")?;
            let end = day + DAY_MS;
            if end <= now + DAY_MS {
                return Err("Choose a date after today.");
            }
            if end > now + MAX_DAYS * DAY_MS {
                return Err("Choose a date within 5 years.");
            }
            Ok(Some(end))
        }
        _ => Err("Choose an expiration from the list."),
    }
}

/// An expiry the API asks for: any moment after now, within 5 years.
pub fn check_expiry(at: i64, now: i64) -> Result<i64, &'static str> {
    if at <= now {
        return Err("must be in the future");
    }
    if at > now + MAX_DAYS * DAY_MS {
        return Err("must be within 5 years");
    }
    Ok(at)
}

/// `YYYY-MM-DD` → the day's first millisecond, UTC.
fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return None;
    }
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_633_600_000; // 2025-12-02T00:00:00Z

    #[test]
    fn expirations_follow_the_choice() {
        assert_eq!(parse_expiration("never", "", NOW), Ok(None));
        assert_eq!(parse_expiration("", "", NOW), Ok(None));
        assert_eq!(parse_expiration("30", "", NOW), Ok(Some(NOW + 30 * DAY_MS)));
        assert_eq!(parse_expiration("365", "", NOW), Ok(Some(NOW + 365 * DAY_MS)));
        assert_eq!(parse_expiration("date", "2025-12-25", NOW), Ok(Some(NOW + 24 * DAY_MS)));
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2024-02-29"), Some(1_709_164_800_000));
        for (choice, date) in [
            ("date", "2025-12-02"),
            ("date", "2025-12-01"),
            ("date", "2031-01-01"),
            ("date", "2025-02-29"),
            ("date", "12/25/2025"),
            ("date", ""),
            ("14", ""),
            ("-1", ""),
        ] {
            assert!(parse_expiration(choice, date, NOW).is_err(), "{choice} {date}");
        }
    }

    #[test]
    fn names_and_access_levels() {
        assert_eq!(parse_name("  CI deploys "), Ok(Some("CI deploys".into())));
        assert_eq!(parse_name("   "), Ok(None));
        assert!(parse_name(&"x".repeat(101)).is_err());
        assert!(parse_name("a\\u{7}b").is_ok());
        assert!(parse_name("a\u{7}b").is_err());
        assert_eq!(TokenAccess::parse("read_only"), Some(TokenAccess::ReadOnly));
        assert_eq!(TokenAccess::parse("admin"), None);
        assert_eq!(check_expiry(NOW, NOW), Err("must be in the future"));
        assert_eq!(check_expiry(NOW + 1000, NOW), Ok(NOW + 1000));
    }
}
