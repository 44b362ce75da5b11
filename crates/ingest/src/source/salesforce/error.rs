//! What can stop a Salesforce pull: configuration, sign-in, the network, Salesforce's own
//! refusals and records we cannot read. Every message says what failed and what to check,
//! because the person reading it is usually an operator looking at an ingest job, not the code.

/// Why a Salesforce sign-in or pull failed.
#[derive(Debug, thiserror::Error)]
pub enum SfError {
    /// The `PMS_SF_*` settings are incomplete or contradictory (for example a client id but
    /// neither a private key file nor a client secret).
    #[error("Salesforce is not configured correctly: {0}")]
    Config(String),

    /// The connected app's private key could not be used to sign the JWT assertion.
    #[error(
        "the connected app's private key could not be used to sign the JWT assertion: {reason}; \
         check that PMS_SF_PRIVATE_KEY_FILE holds the RSA private key (PEM, \"BEGIN PRIVATE KEY\" \
         or \"BEGIN RSA PRIVATE KEY\") whose certificate is uploaded to the connected app"
    )]
    PrivateKey { reason: String },

    /// Salesforce's token endpoint answered with an OAuth error
    /// (`{"error":"invalid_grant","error_description":"..."}`).
    #[error("Salesforce refused the sign-in: {error} – {description}{hint}", hint = sign_in_hint(.error))]
    SignInRefused {
        /// HTTP status of the token response.
        status: u16,
        /// OAuth error code, e.g. `invalid_grant`, `invalid_client_id`, `invalid_client`.
        error: String,
        /// Salesforce's `error_description`, e.g. `user hasn't approved this consumer`.
        description: String,
    },

    /// Salesforce could not be reached at all (DNS, TLS, connection refused, timeout), also
    /// after retrying.
    #[error("could not reach Salesforce for {what}: {reason}; check the network, the proxy and PMS_SF_LOGIN_URL")]
    Unreachable { what: String, reason: String },

    /// Salesforce answered in a shape we do not understand (not JSON, missing fields).
    #[error(
        "Salesforce answered {what} with something we could not read (HTTP {status}): {detail}"
    )]
    UnexpectedResponse {
        what: String,
        status: u16,
        detail: String,
    },

    /// The REST API rejected the request with an error code (`MALFORMED_QUERY`,
    /// `INVALID_FIELD`, `INVALID_TYPE`, ...). Not retried: asking again gives the same answer.
    #[error("Salesforce rejected {what}: {error_code}: {message}{hint}", hint = api_hint(.error_code))]
    Api {
        what: String,
        status: u16,
        error_code: String,
        message: String,
    },

    /// The access token was refused (`INVALID_SESSION_ID`) even right after signing in again.
    #[error(
        "Salesforce refused the session for {what} even after signing in again: {message}; check \
         the connected app's session policies and that the integration user is active"
    )]
    SessionRejected { what: String, message: String },

    /// Salesforce kept answering `REQUEST_LIMIT_EXCEEDED` or a server error until the retry
    /// budget ran out.
    #[error(
        "Salesforce kept refusing {what} after {attempts} attempts; last answer: {last}{hint}",
        hint = exhausted_hint(.limit_exceeded)
    )]
    RetriesExhausted {
        what: String,
        attempts: u32,
        last: String,
        limit_exceeded: bool,
    },

    /// A record Salesforce returned lacks a field we need or holds a value we cannot read.
    #[error("Salesforce returned a {object} record{id_part} whose {field} is unusable: {reason}", id_part = id_suffix(.id))]
    Record {
        object: String,
        id: Option<String>,
        field: String,
        /// The value found, when there was one.
        value: Option<String>,
        reason: String,
    },
}

fn sign_in_hint(error: &str) -> &'static str {
    match error {
        "invalid_grant" => {
            " (check that the integration user is pre-authorised for the connected app or has approved it, \
             that the certificate uploaded to the connected app matches PMS_SF_PRIVATE_KEY_FILE, that \
             PMS_SF_USERNAME is right for this org, and that this machine's clock is correct)"
        }
        "invalid_client_id" => " (check PMS_SF_CLIENT_ID: it must be the connected app's consumer key)",
        "invalid_client" => {
            " (check PMS_SF_CLIENT_ID and PMS_SF_CLIENT_SECRET against the connected app's consumer key \
             and secret)"
        }
        "unsupported_grant_type" => {
            " (enable the flow on the connected app: \"Use digital signatures\" for JWT bearer, \
             \"Enable Client Credentials Flow\" with a run-as user for client credentials)"
        }
        _ => "",
    }
}

fn exhausted_hint(limit_exceeded: &bool) -> &'static str {
    if *limit_exceeded {
        "; the org's API request allowance is used up (see Setup → Company Information → API \
         Requests, Last 24 Hours): wait for it to recover or ask Salesforce for a higher limit"
    } else {
        "; Salesforce seems unavailable (see status.salesforce.com): try again later"
    }
}

fn id_suffix(id: &Option<String>) -> String {
    id.as_deref()
        .map(|id| format!(" ({id})"))
        .unwrap_or_default()
}

fn api_hint(error_code: &str) -> &'static str {
    match error_code {
        "INVALID_FIELD" => {
            "; check that the field exists in this org and that the integration user can see it \
             (field-level security), or set PMS_SF_ACCOUNT_EMAIL_FIELD for the Account email field"
        }
        "INVALID_TYPE" => "; check that the integration user's profile can read this object",
        "API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED" => {
            "; the org or the user lacks the \"API Enabled\" permission"
        }
        "NOT_FOUND" => {
            "; check PMS_SF_API_VERSION (e.g. v62.0) against the versions the org supports"
        }
        _ => "",
    }
}

impl SfError {
    /// Whether the failure is worth trying again later without changing anything (network,
    /// request limit, Salesforce unavailable), as opposed to needing someone to fix settings.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SfError::Unreachable { .. } | SfError::RetriesExhausted { .. }
        )
    }
}
