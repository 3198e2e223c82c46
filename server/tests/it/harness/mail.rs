//! Reading what the server mailed.

/// The `t` in the `/login/confirm?t=…` link of a mail.
pub fn link_secret(mail: &str) -> String {
    let start = mail.find("/login/confirm?t=").expect("a link in the mail") + "/login/confirm?t=".len();
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Mail bodies are quoted-printable (the link line is longer than 76).
pub(super) fn decode_quoted_printable(raw: &str) -> String {
    let bytes = quoted_printable::decode(raw, quoted_printable::ParseMode::Robust).expect("robust decoding");
    String::from_utf8_lossy(&bytes).into_owned()
}
