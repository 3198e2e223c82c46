//! The upload form as the server reads it: the `handle` field and the
//! `avatar` file, at most `MAX_UPLOAD` bytes of it.

use leptos::server_fn::codec::MultipartData;

use crate::error::AppError;

const NO_FILE: &str = "Choose a JPEG or PNG image to upload.";

/// `handle` and the bytes of `avatar`, at most `MAX_UPLOAD` of them.
pub async fn read_form(data: MultipartData) -> Result<(String, Vec<u8>), AppError> {
    let mut form = data.into_inner().ok_or(AppError::Internal)?;
    let (mut handle, mut bytes) = (None, None);
    let unreadable = |_| AppError::invalid("The upload could not be read. Please try again.");
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("handle") => handle = Some(field.text().await.map_err(unreadable)?),
            Some("avatar") => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if buf.len() + chunk.len() > super::store::MAX_UPLOAD {
                        return Err(AppError::invalid("The file is larger than 16 MB. Choose a smaller image."));
                    }
                    buf.extend_from_slice(&chunk);
                }
                bytes = Some(buf);
            }
            _ => {}
        }
    }
    let handle = handle.ok_or_else(|| AppError::invalid(NO_FILE))?;
    let bytes = bytes.ok_or_else(|| AppError::invalid(NO_FILE))?;
    Ok((handle, bytes))
}
