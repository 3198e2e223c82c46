//! The browser's side of a passkey ceremony: the server's options go in
//! as WebAuthn's JSON (`PublicKeyCredential.parseCreationOptionsFromJSON`
//! and `…RequestOptionsFromJSON`), the browser's dialog runs, and the
//! credential comes back as WebAuthn's JSON (`toJSON`). Rendering on the
//! server, none of it runs.

/// Whether this browser, on this address, can use passkeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeySupport {
    /// Not known yet (the page is rendered on the server).
    Unknown,
    Supported,
    /// The browser has no WebAuthn (or too old a one).
    NoWebAuthn,
    /// The page was opened at an IP address, which WebAuthn refuses.
    AtAnAddress,
}

impl PasskeySupport {
    /// What to tell the person when passkeys cannot be used here.
    pub fn problem(self) -> Option<&'static str> {
        match self {
            Self::Unknown | Self::Supported => None,
            Self::NoWebAuthn => Some("This browser cannot use passkeys. Sign in with an e-mail link instead."),
            Self::AtAnAddress => Some(
                "Passkeys are unavailable because this page was opened at an IP address: WebAuthn needs a domain \
                 name, such as localhost. Open Sluice at its name to use passkeys.",
            ),
        }
    }

    #[cfg(not(feature = "ssr"))]
    pub fn of_this_page() -> Self {
        use wasm_bindgen::JsValue;
        let Some(window) = web_sys::window() else { return Self::Unknown };
        let host = window.location().hostname().unwrap_or_default();
        if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
            return Self::AtAnAddress;
        }
        let class =
            js_sys::Reflect::get(&window, &JsValue::from_str("PublicKeyCredential")).unwrap_or(JsValue::UNDEFINED);
        let parse = js_sys::Reflect::get(&class, &JsValue::from_str("parseRequestOptionsFromJSON"));
        if class.is_undefined() || !parse.is_ok_and(|p| p.is_function()) {
            return Self::NoWebAuthn;
        }
        Self::Supported
    }

    #[cfg(feature = "ssr")]
    pub fn of_this_page() -> Self {
        Self::Unknown
    }
}

/// Runs the browser's "create a passkey" dialog with `options` and answers
/// the new credential as JSON, or what went wrong, for a person.
pub async fn create_credential(options: &str) -> Result<String, String> {
    ceremony::run("create", options).await
}

/// Runs the browser's "use a passkey" dialog with `options` and answers
/// the assertion as JSON, or what went wrong, for a person.
pub async fn get_credential(options: &str) -> Result<String, String> {
    ceremony::run("get", options).await
}

#[cfg(not(feature = "ssr"))]
mod ceremony {
    use js_sys::{Function, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn get(target: &JsValue, key: &str) -> Result<JsValue, String> {
        Reflect::get(target, &JsValue::from_str(key)).map_err(|_| UNSUPPORTED.to_owned())
    }

    fn call(target: &JsValue, method: &str, arg: Option<&JsValue>) -> Result<JsValue, JsValue> {
        let f: Function =
            get(target, method).map_err(JsValue::from)?.dyn_into().map_err(|_| JsValue::from(UNSUPPORTED))?;
        match arg {
            Some(arg) => f.call1(target, arg),
            None => f.call0(target),
        }
    }

    const UNSUPPORTED: &str = "This browser cannot use passkeys. Sign in with an e-mail link instead.";

    /// `kind` is `create` or `get`.
    pub async fn run(kind: &str, options: &str) -> Result<String, String> {
        let window = web_sys::window().ok_or(UNSUPPORTED)?;
        let parsed =
            JSON::parse(options).map_err(|_| "Sluice sent options this page could not read. Reload and try again.")?;
        let class = get(&window, "PublicKeyCredential")?;
        let parse = if kind == "create" { "parseCreationOptionsFromJSON" } else { "parseRequestOptionsFromJSON" };
        let public_key = call(&class, parse, Some(&parsed)).map_err(|_| UNSUPPORTED.to_owned())?;
        let request = Object::new();
        Reflect::set(&request, &JsValue::from_str("publicKey"), &public_key).map_err(|_| UNSUPPORTED)?;
        let container = get(&window.navigator(), "credentials")?;
        let promise = call(&container, kind, Some(&request)).map_err(|e| explain(kind, &e))?;
        let credential = JsFuture::from(js_sys::Promise::from(promise)).await.map_err(|e| explain(kind, &e))?;
        if credential.is_null() || credential.is_undefined() {
            return Err("No passkey was chosen. Try again.".into());
        }
        let json = call(&credential, "toJSON", None).map_err(|_| UNSUPPORTED.to_owned())?;
        JSON::stringify(&json).map(String::from).map_err(|_| UNSUPPORTED.to_owned())
    }

    /// The browser's refusal, in words.
    fn explain(kind: &str, error: &JsValue) -> String {
        let name = Reflect::get(error, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()).unwrap_or_default();
        match (name.as_str(), kind) {
            ("NotAllowedError", _) | ("AbortError", _) => {
                "The passkey dialog was closed or timed out. Nothing changed; try again when you are ready.".into()
            }
            ("InvalidStateError", "create") => "This device already holds a passkey for your account.".into(),
            ("SecurityError", _) => {
                "The browser refused passkeys for this address: open Sluice at its domain name (such as localhost)."
                    .into()
            }
            _ => "The passkey could not be used. Try again, or use your e-mail instead.".into(),
        }
    }
}

#[cfg(feature = "ssr")]
mod ceremony {
    pub async fn run(_kind: &str, _options: &str) -> Result<String, String> {
        Err("Passkeys need the page's script.".into())
    }
}
