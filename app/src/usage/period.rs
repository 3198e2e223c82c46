//! Billing periods: calendar months in UTC, and the day arithmetic they
//! need (no time zone, no dependency: both the server and the browser use
//! it).

use serde::{Deserialize, Serialize};

use shared::DAY_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Period {
    /// The period a moment (milliseconds since the epoch) falls in.
    pub fn containing(ms: i64) -> Self {
        let (year, month, _) = civil(ms.div_euclid(DAY_MS));
        Self { year, month }
    }

    /// `YYYY-MM`, as in the page's address; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        ((1970..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `November 2026`.
    pub fn label(&self) -> String {
        format!("{} {}", MONTHS[self.month as usize - 1], self.year)
    }

    /// `1 December 2026`: when the period starts.
    pub fn label_first_day(&self) -> String {
        format!("1 {} {}", MONTHS[self.month as usize - 1], self.year)
    }

    /// The first day, as days since the epoch.
    pub fn first_day(&self) -> i64 {
        days_from_civil(self.year, self.month, 1)
    }

    /// The first day of the next period.
    pub fn next(&self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(&self) -> Self {
        if self.month == 1 {
            Self { year: self.year - 1, month: 12 }
        } else {
            Self { year: self.year, month: self.month - 1 }
        }
    }

    /// Milliseconds: the period's first instant, and the next period's.
    pub fn bounds_ms(&self) -> (i64, i64) {
        (self.first_day() * DAY_MS, self.next().first_day() * DAY_MS)
    }

    /// The last day, `YYYY-MM-DD`.
    pub fn last_day(&self) -> String {
        day_text(self.next().first_day() - 1)
    }

    pub fn days(&self) -> i64 {
        self.next().first_day() - self.first_day()
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn day_text(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number.
pub fn civil(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_leap_years() {
        for day in -800..30_000 {
            let (y, m, d) = civil(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(Period { year: 2024, month: 2 }.days(), 29);
        assert_eq!(Period { year: 2026, month: 2 }.days(), 28);
        assert_eq!(Period { year: 2024, month: 2 }.last_day(), "2024-02-29");
    }

    #[test]
    fn periods_parse_and_step() {
        let p = Period::parse("2026-11").unwrap();
        assert_eq!(p.label(), "November 2026");
        assert_eq!(p.next(), Period { year: 2026, month: 12 });
        assert_eq!(p.next().next(), Period { year: 2027, month: 1 });
        assert_eq!(Period { year: 2027, month: 1 }.previous(), Period { year: 2026, month: 12 });
        for bad in ["2026-13", "2026-00", "26-11", "2026-1", "2026/11", "", "abcd-ef"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        // 2026-11-23T14:00:00Z
        assert_eq!(Period::containing(1_795_442_400_000), p);
    }
}
