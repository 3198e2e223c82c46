//! The browser and system a User-Agent names, read with Project Woothee's
//! parser (`woothee`), for a person to recognise their sessions by.

use woothee::parser::Parser;

/// `("Chrome 131", "Linux")`; what cannot be read is said so.
pub fn describe(user_agent: &str) -> (String, String) {
    let Some(found) = Parser::new().parse(user_agent) else {
        return ("Unknown browser".into(), "Unknown system".into());
    };
    let known = |s: &str| !s.is_empty() && s != "UNKNOWN";
    let major = found.version.split('.').next().unwrap_or_default();
    let browser = match (known(found.name), known(major)) {
        (true, true) => format!("{} {major}", found.name),
        (true, false) => found.name.to_owned(),
        _ => "Unknown browser".to_owned(),
    };
    let system = if known(found.os) { found.os.to_owned() } else { "Unknown system".to_owned() };
    (browser, system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(chrome), ("Chrome 131".into(), "Linux".into()));
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let (browser, system) = describe(firefox);
        assert_eq!(browser, "Firefox 133");
        assert!(system.starts_with("Windows"), "{system}");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(describe(safari), ("Safari 17".into(), "iPhone".into()));
        assert_eq!(describe(""), ("Unknown browser".into(), "Unknown system".into()));
        assert_eq!(describe("\u{0}<script>"), ("Unknown browser".into(), "Unknown system".into()));
    }
}
