//! What the operations' documentation says again and again, said once:
//! the paging of `/api/v0`'s lists and the refusals an operation on a
//! person's own account may answer. (Path parameters document themselves:
//! `UserPath` and each feature's own, such as `tokens::api::TokenPath`.)

use super::ErrorModel;

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
