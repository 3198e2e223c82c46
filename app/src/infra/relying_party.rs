//! This site as a WebAuthn relying party: its id is the public URL's host,
//! its one origin the public URL. WebAuthn names a relying party by a
//! domain, never by an IP address: reached at one, Sluice has no passkeys
//! and says why.

use std::sync::Arc;
use url::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

#[derive(Clone)]
pub struct RelyingParty(Result<Arc<Webauthn>, String>);

impl RelyingParty {
    pub fn for_site(public_url: &Url) -> Self {
        let Some(domain) = public_url.domain() else {
            return Self(Err(unavailable_at(public_url)));
        };
        let built = WebauthnBuilder::new(domain, public_url).and_then(|b| b.rp_name("Sluice").build());
        Self(built.map(Arc::new).map_err(|e| format!("Passkeys are unavailable: {e}.")))
    }

    /// The WebAuthn of this site, or why there is none, in words for a person.
    pub fn webauthn(&self) -> Result<&Webauthn, &str> {
        self.0.as_deref().map_err(String::as_str)
    }
}

fn unavailable_at(public_url: &Url) -> String {
    format!(
        "Passkeys are unavailable because Sluice is reached at an IP address ({}): WebAuthn needs a domain name, \
         such as localhost. Sign in with an e-mail link, or open Sluice at its name.",
        public_url.host_str().unwrap_or_default()
    )
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RelyingParty").field(&self.webauthn().err()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_a_relying_party_and_an_address_is_not() {
        let site = |u: &str| RelyingParty::for_site(&Url::parse(u).unwrap());
        assert!(site("http://localhost:3000").webauthn().is_ok());
        assert!(site("https://console.example.com").webauthn().is_ok());
        let refused = site("http://127.0.0.1:3000");
        let why = refused.webauthn().err().unwrap();
        assert!(why.contains("IP address (127.0.0.1)") && why.contains("localhost"), "{why}");
        assert!(site("http://[::1]:3000").webauthn().is_err());
    }
}
