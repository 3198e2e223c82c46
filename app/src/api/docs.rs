//! What the operations' documentation says again and again, said once:
//! the path parameters and paging of `/api/v0`, and the refusals an
//! operation on a person's own account may answer.

use super::ErrorModel;

/// `{user_handle}`: whose account the path is under.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The handle of the user
    #[allow(dead_code)]
    user_handle: String,
}

/// `{user_handle}` and `{token_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    /// The handle of the user
    #[allow(dead_code)]
    user_handle: String,
    /// The token id
    #[allow(dead_code)]
    token_id: String,
}

/// A page of a list: `limit` and the cursor the previous page gave.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1 to 100 (25)
    #[allow(dead_code)]
    limit: Option<i64>,
    /// The cursor of the next page
    #[allow(dead_code)]
    next_token: Option<String>,
}

/// The refusals of every operation on a person's own account: bad input,
/// no valid token, another person's account, too many requests.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    #[response(status = 400, description = "Bad Request")]
    BadRequest(ErrorModel),
    #[response(status = 401, description = "Unauthorized")]
    Unauthorized(ErrorModel),
    #[response(status = 403, description = "Forbidden")]
    Forbidden(ErrorModel),
    #[response(status = 429, description = "Too Many Requests")]
    TooManyRequests(ErrorModel),
}
