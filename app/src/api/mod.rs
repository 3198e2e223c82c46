//! What every `/api/v0` handler is made of: the spec's `ErrorModel` and
//! the error type that becomes it, JSON and path input that parse into
//! newtypes, and cursor pagination. Bearer tokens authenticate the API
//! (`crate::access::Caller`); each feature brings its own paths.

mod docs;
mod error;
mod input;
mod pagination;

pub use docs::{PageQuery, Refusals};
pub use error::{error_model, full_path, ApiError, ErrorModel, FieldError};
pub use input::{path_param, ApiJson, UserPath};
pub use pagination::{cursor_text, cursor_token, Page};
