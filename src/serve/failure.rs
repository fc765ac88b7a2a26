//! One error type for every route: an HTTP status, a stable machine code and a message. The
//! JSON API renders it as `{"error":{"code","message"}}`; the SPARQL endpoint as plain text,
//! as SPARQL clients expect.
use crate::model::error::Error;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// What a client is told of a fault of ours (the detail is in the server's log).
pub(crate) const INTERNAL_MESSAGE: &str =
    "internal error: the server failed to answer (the detail is in its log)";

#[derive(Debug)]
pub(crate) struct Failure {
    pub status: StatusCode,
    /// Stable: clients may branch on it.
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", m)
    }
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m)
    }
    /// A fault of ours ([`Error::Internal`], a task that panicked): 500 `internal`. The
    /// detail is logged, not sent: it names the server's threads, files and invariants, which
    /// are no business of the client and nothing it can act on.
    pub fn ours(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::internal(INTERNAL_MESSAGE)
    }
    pub fn timeout(after: Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the query did not finish within {} s (server --timeout) and was cancelled",
                after.as_secs_f64()
            ),
        )
    }
    pub fn busy(after: Duration) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!(
                "no evaluation slot became free within {} s; retry later",
                after.as_secs_f64()
            ),
        )
    }
    /// The process went over `--max-memory` while the query ran: it was cancelled (the
    /// bound cannot tell which query grew, so every running one is).
    pub fn too_large(bound: Option<u64>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_large",
            format!(
                "the server went over its memory bound{} while the query ran, and cancelled it; \
                 narrow the query (fewer rows to sort, group or join) or retry later",
                bound
                    .map(|b| format!(" ({} MiB, server --max-memory)", b >> 20))
                    .unwrap_or_default()
            ),
        )
    }
    pub fn shutting_down() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down; the query was cancelled",
        )
    }
    pub fn not_acceptable(offered: &[&str]) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "not_acceptable",
            format!(
                "none of the Accept header's media types can be produced; available: {}",
                offered.join(", ")
            ),
        )
    }

    /// Plain-text rendering for the SPARQL Protocol routes.
    pub fn text(self) -> Response {
        let mut r = (self.status, format!("{}\n", self.message)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }

    /// The library's errors, classified: what the client got wrong is 4xx, the rest 5xx.
    pub fn cancelled() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the query was cancelled at the server's timeout",
        )
    }

    pub fn from_error(e: Error, cancelled: bool) -> Self {
        if cancelled {
            return Self::cancelled();
        }
        match e {
            Error::QuerySyntax(m) => Self::new(StatusCode::BAD_REQUEST, "bad_query", m),
            Error::NotFound(m) => Self::not_found(m),
            Error::Invalid(m) => Self::bad_request(m),
            Error::Internal(m) => Self::ours(m),
            // An unknown element is a resource that does not exist (404, as it always was);
            // any other unknown name is a bad request.
            e @ Error::Unknown {
                kind: "element" | "named query",
                ..
            } => Self::not_found(e.to_string()),
            // A name of the request's syntax (a parameter, a priority) is a bad request; a
            // scheme, set, baseline, profile, document or focus area the store does not hold
            // is a resource that does not exist here: 404, code `unknown_name` still.
            e @ Error::Unknown {
                kind: "parameter" | "priority",
                ..
            } => Self::new(StatusCode::BAD_REQUEST, "unknown_name", e.to_string()),
            e @ Error::Unknown { .. } => {
                Self::new(StatusCode::NOT_FOUND, "unknown_name", e.to_string())
            }
            e @ Error::Parse { .. } => {
                Self::new(StatusCode::BAD_REQUEST, "bad_input", e.to_string())
            }
            Error::QueryEvaluation(m) => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "evaluation_error", m)
            }
            other => Self::internal(other.to_string()),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_of_ours_is_500_internal_without_its_detail() {
        let detail = "the store writer panicked at src/store/mod.rs:569";
        let e = Error::Internal(detail.into());
        assert!(!e.is_users());
        let f = Failure::from_error(e, false);
        assert_eq!(f.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(f.code, "internal");
        assert!(!f.message.contains("panicked"), "{}", f.message);
        assert_eq!(f.message, INTERNAL_MESSAGE);
        // Neither rendering sends the detail.
        for r in [
            Failure::from_error(Error::Internal(detail.into()), false).into_response(),
            Failure::from_error(Error::Internal(detail.into()), false).text(),
        ] {
            assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = body_text(r);
            assert!(!body.contains("store writer"), "{body}");
            assert!(body.contains("internal"), "{body}");
        }
    }

    #[test]
    fn the_user_s_faults_stay_4xx() {
        let f = Failure::from_error(Error::Invalid("bad value".into()), false);
        assert_eq!((f.status, f.code), (StatusCode::BAD_REQUEST, "bad_request"));
        assert_eq!(f.message, "bad value");
        let f = Failure::from_error(Error::NotFound("nothing".into()), false);
        assert_eq!((f.status, f.code), (StatusCode::NOT_FOUND, "not_found"));
    }

    fn body_text(r: Response) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let bytes = rt
            .block_on(axum::body::to_bytes(r.into_body(), usize::MAX))
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
