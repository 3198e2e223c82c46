//! What the Audit Log can be filtered by, as the page's query string holds
//! it (`?action=…&from=YYYY-MM-DD&to=YYYY-MM-DD`), and the words for each
//! action type.

use serde::{Deserialize, Serialize};

/// Every action type Sluice records, with what it means in words.
pub const ACTIONS: &[(&str, &str)] = &[
    ("user.create", "Created the account"),
    ("user.login", "Signed in"),
    ("user.update", "Updated the profile"),
    ("user.preferences.update", "Changed notification preferences"),
    ("user.avatar.update", "Changed the avatar"),
    ("user.avatar.delete", "Reset the avatar"),
    ("token.create", "Created a token"),
    ("token.update", "Updated a token"),
    ("token.delete", "Deleted a token"),
    ("token.use", "Used a token (first use of the day)"),
    ("token.refused", "A token was refused"),
    ("user.password.rotate", "Rotated the database password"),
    ("workspace.create", "Created a workspace"),
    ("workspace.delete", "Deleted a workspace"),
    ("workspace.login.failed", "A database sign-in to a workspace failed"),
    ("auth.reset", "Reset authentication"),
    ("auth.cli_login.confirm", "Confirmed a CLI login"),
    ("auth.cli_login", "Signed in to the CLI"),
    ("auth.refused", "Refused access to another account"),
    ("passkey.add", "Added a passkey"),
    ("passkey.update", "Renamed a passkey"),
    ("passkey.remove", "Removed a passkey"),
    ("identity.confirm", "Confirmed it is you"),
    ("user.email.request", "Asked to change the sign-in e-mail"),
    ("user.email.update", "Changed the sign-in e-mail"),
    ("user.email.restore", "Undid a change of the sign-in e-mail"),
    ("data.export", "Downloaded your data"),
];

/// What an action type means, in words a person reads.
pub fn describe(action_type: &str) -> &str {
    ACTIONS.iter().find(|(a, _)| *a == action_type).map(|(_, words)| *words).unwrap_or(action_type)
}

/// The filter as typed: empty strings mean "any". The server parses it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        self.action.is_empty() && self.from.is_empty() && self.to.is_empty()
    }

    /// `path` with the filter as its query (and `extra` pairs after it).
    pub fn href(&self, path: &str, extra: &str) -> String {
        let q = [self.query(), extra.to_owned()].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&");
        if q.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{q}")
        }
    }

    /// The filter as a query string (without `?`), for links.
    pub fn query(&self) -> String {
        [("action", &self.action), ("from", &self.from), ("to", &self.to)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::access::encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_words() {
        assert_eq!(describe("user.login"), "Signed in");
        assert_eq!(describe("something.new"), "something.new");
        let mut names: Vec<_> = ACTIONS.iter().map(|(a, _)| a).collect();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
    }

    #[test]
    fn the_query_keeps_what_is_set() {
        let f = AuditFilter { action: "token.create".into(), from: "".into(), to: "2026-11-23".into() };
        assert_eq!(f.query(), "action=token.create&to=2026-11-23");
        assert_eq!(AuditFilter::default().query(), "");
        assert_eq!(f.href("/a", ""), "/a?action=token.create&to=2026-11-23");
        assert_eq!(f.href("/a", "after=x"), "/a?action=token.create&to=2026-11-23&after=x");
        assert_eq!(AuditFilter::default().href("/a", ""), "/a");
        assert_eq!(AuditFilter::default().href("/a", "after=x"), "/a?after=x");
        let odd = AuditFilter { action: "a&b c".into(), ..Default::default() };
        assert_eq!(odd.query(), "action=a%26b%20c");
    }
}
