//! CSV as Sluice writes it for downloads (RFC 4180, CRLF), with values a
//! spreadsheet would run as formulas defused.

/// A finished CSV as a download named `filename`, never cached.
pub fn csv_download(filename: &str, body: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

pub fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out)
}

/// One record. A value a spreadsheet would run as a formula (a display
/// name such as `=HYPERLINK(…)`) is prefixed with `'` first.
pub fn csv_record(writer: &mut csv::Writer<&mut Vec<u8>>, fields: &[&str]) {
    for value in fields {
        let defused;
        let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            defused = format!("'{value}");
            defused.as_str()
        } else {
            value
        };
        let _ = writer.write_field(value);
    }
    let _ = writer.write_record(None::<&[u8]>);
}

/// A whole small document: the header, then each row.
pub fn csv_document<'a>(header: &[&str], rows: impl IntoIterator<Item = &'a [String]>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = csv_writer(&mut out);
    csv_record(&mut writer, header);
    for row in rows {
        let fields: Vec<&str> = row.iter().map(String::as_str).collect();
        csv_record(&mut writer, &fields);
    }
    // Writing to memory cannot fail.
    let _ = writer.flush();
    drop(writer);
    out
}

/// One field as it appears in a record.
#[cfg(test)]
fn csv_field(value: &str) -> String {
    let mut out = Vec::new();
    let mut writer = csv_writer(&mut out);
    csv_record(&mut writer, &[value]);
    drop(writer);
    String::from_utf8(out).unwrap().trim_end_matches("\r\n").to_owned()
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Ada"), "Ada");
        assert_eq!(csv_field("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
