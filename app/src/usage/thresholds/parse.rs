//! A threshold as the form gives it: an amount in the unit people think in
//! (hours, GiB, dollars; decimals allowed) and an action, parsed into the
//! unit Sluice measures in, without floating point.

use super::{Action, Metric, Threshold};

const HOUR_MS: i64 = 3_600_000;
const GIB: i64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdInputError {
    #[error("The {0} threshold must be a number, such as {1}.")]
    NotANumber(&'static str, &'static str),
    #[error("The {0} threshold takes at most {1} decimals.")]
    TooPrecise(&'static str, u32),
    #[error("The {0} threshold must be more than zero.")]
    Zero(&'static str),
    #[error("The {0} threshold can be at most {1}.")]
    TooLarge(&'static str, &'static str),
    #[error("Choose Warn or Cap and warn for the {0} threshold.")]
    Action(&'static str),
}

/// The form's unit of each metric: its name in messages, an example, the
/// decimals it takes, what one whole unit is in the measured unit, and the
/// largest amount.
struct Unit {
    name: &'static str,
    example: &'static str,
    decimals: u32,
    whole: i64,
    max_whole: i64,
    max_text: &'static str,
}

fn unit(metric: Metric) -> Unit {
    match metric {
        Metric::Compute => Unit {
            name: "compute",
            example: "10 or 0.5 (hours)",
            decimals: 3,
            whole: HOUR_MS,
            max_whole: 100_000,
            max_text: "100,000 hours",
        },
        Metric::Storage => Unit {
            name: "storage",
            example: "2 or 0.25 (GiB)",
            decimals: 3,
            whole: GIB,
            max_whole: 100_000,
            max_text: "100,000 GiB",
        },
        Metric::Spend => Unit {
            name: "spend",
            example: "20 or 4.50 (dollars)",
            decimals: 2,
            whole: 100,
            max_whole: 1_000_000,
            max_text: "$1,000,000",
        },
    }
}

/// The largest amount of a metric, in its measured unit.
#[cfg(feature = "ssr")]
pub fn max_amount(metric: Metric) -> i64 {
    let u = unit(metric);
    u.max_whole * u.whole
}

/// An amount in the form's unit (`1.5` hours) in the measured one
/// (milliseconds); `None` for an empty field. A spend of 0 is allowed (a
/// cap that allows nothing beyond the plan); compute and storage must be
/// more than zero.
pub fn parse_amount(metric: Metric, raw: &str) -> Result<Option<i64>, ThresholdInputError> {
    let u = unit(metric);
    let raw = raw.trim().trim_start_matches('$').replace([',', '_'], "");
    if raw.is_empty() {
        return Ok(None);
    }
    let nan = || ThresholdInputError::NotANumber(u.name, u.example);
    let (whole, fraction) = raw.split_once('.').unwrap_or((&raw, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(nan());
    }
    if whole.trim_start_matches('0').len() > 15 {
        return Err(ThresholdInputError::TooLarge(u.name, u.max_text));
    }
    if fraction.len() > u.decimals as usize {
        return Err(ThresholdInputError::TooPrecise(u.name, u.decimals));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| nan())? };
    if whole > u.max_whole {
        return Err(ThresholdInputError::TooLarge(u.name, u.max_text));
    }
    let scale = 10_i64.pow(u.decimals);
    let padded = format!("{fraction:0<width$}", width = u.decimals as usize);
    let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().map_err(|_| nan())? };
    let scaled = whole * scale + fraction;
    if scaled > u.max_whole * scale {
        return Err(ThresholdInputError::TooLarge(u.name, u.max_text));
    }
    // Rounded up to the measured unit: a threshold never allows more than
    // what was typed… except by less than one millisecond or byte.
    let amount = i64::try_from((i128::from(scaled) * i128::from(u.whole) + i128::from(scale) - 1) / i128::from(scale))
        .map_err(|_| ThresholdInputError::TooLarge(u.name, u.max_text))?;
    if amount == 0 && metric != Metric::Spend {
        return Err(ThresholdInputError::Zero(u.name));
    }
    Ok(Some(amount))
}

/// One threshold from the form: nothing if its amount is empty.
pub fn parse_threshold(metric: Metric, amount: &str, action: &str) -> Result<Option<Threshold>, ThresholdInputError> {
    let Some(amount) = parse_amount(metric, amount)? else { return Ok(None) };
    let action = Action::parse(action.trim()).ok_or(ThresholdInputError::Action(unit(metric).name))?;
    Ok(Some(Threshold { amount, action }))
}

/// An amount as the form shows it again: `1.5`, `0.002`, `20.00`.
pub fn form_value(metric: Metric, amount: i64) -> String {
    let u = unit(metric);
    let scale = 10_i64.pow(u.decimals);
    // Back to the form's unit, rounded to its decimals.
    let scaled = (i128::from(amount) * i128::from(scale) + i128::from(u.whole) / 2) / i128::from(u.whole);
    let (whole, fraction) = (scaled / i128::from(scale), scaled % i128::from(scale));
    if metric == Metric::Spend {
        return format!("{whole}.{fraction:02}");
    }
    let text = format!("{whole}.{fraction:0width$}", width = u.decimals as usize);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_in_the_measured_unit() {
        assert_eq!(parse_amount(Metric::Compute, "5"), Ok(Some(5 * HOUR_MS)));
        assert_eq!(parse_amount(Metric::Compute, "0.002"), Ok(Some(7_200)));
        assert_eq!(parse_amount(Metric::Compute, " 1.5 "), Ok(Some(HOUR_MS * 3 / 2)));
        assert_eq!(parse_amount(Metric::Storage, "0.25"), Ok(Some(GIB / 4)));
        assert_eq!(parse_amount(Metric::Spend, "$4.5"), Ok(Some(450)));
        assert_eq!(parse_amount(Metric::Spend, "1,000"), Ok(Some(100_000)));
        assert_eq!(parse_amount(Metric::Spend, "0"), Ok(Some(0)));
        assert_eq!(parse_amount(Metric::Spend, ".5"), Ok(Some(50)));
        assert_eq!(parse_amount(Metric::Compute, ""), Ok(None));
    }

    #[test]
    fn bad_amounts_are_refused_by_name() {
        for bad in ["abc", "-1", "1e3", "1.2.3", ".", "½", "1 000 000 000 000 000 000 000", "NaN"] {
            assert!(parse_amount(Metric::Compute, bad).is_err(), "{bad}");
        }
        assert_eq!(parse_amount(Metric::Compute, "0"), Err(ThresholdInputError::Zero("compute")));
        assert_eq!(parse_amount(Metric::Spend, "1.001"), Err(ThresholdInputError::TooPrecise("spend", 2)));
        assert_eq!(
            parse_amount(Metric::Storage, "100001"),
            Err(ThresholdInputError::TooLarge("storage", "100,000 GiB"))
        );
        assert_eq!(parse_threshold(Metric::Spend, "5", "stop"), Err(ThresholdInputError::Action("spend")));
        assert_eq!(parse_threshold(Metric::Spend, "", "stop"), Ok(None));
    }

    #[test]
    fn form_values_round_trip() {
        for (metric, text) in
            [(Metric::Compute, "0.002"), (Metric::Compute, "12.5"), (Metric::Storage, "2"), (Metric::Spend, "4.50")]
        {
            let amount = parse_amount(metric, text).unwrap().unwrap();
            assert_eq!(form_value(metric, amount), text);
        }
    }
}
