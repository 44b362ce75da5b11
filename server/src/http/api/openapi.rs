//! The REST API described for the people who integrate with it: an OpenAPI 3.1 document
//! generated from the handlers and the types they exchange (`GET /api/openapi.json`), and an
//! interactive viewer at `/api/docs`. The viewer is Swagger UI from the `swagger-ui-dist`
//! crate, served by the Hub itself (no CDN), started by our own script so the page keeps a
//! strict Content-Security-Policy (no inline script).
//!
//! What every operation shares is added here once rather than on each handler: the bearer
//! scheme, the dashboard filter's parameters on the routes that read it, the problem
//! documents of the errors, and `304 Not Modified` on reads ([`super::etag`]).

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pms_domain::error::Problem;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::http::AppState;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";
/// The viewer's page.
pub const VIEWER_PATH: &str = "/api/docs";
/// The viewer's packaged files (Swagger UI's script and stylesheet).
const VIEWER_ASSETS: &str = "/api/docs/assets";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PMS Intelligence Hub API",
        license(name = "Proprietary: for the firm's own systems"),
        description = "Clients, portfolios, performance, saved views and data loads of the Hub, \
            within the data scope of the user an API client acts for — the same figures as the \
            pages. Get a bearer token from `POST /api/v1/auth/token` with an API client's id and \
            secret (Admin → API clients). Errors are RFC 9457 problem documents. JSON reads \
            carry an `ETag` (send it back as `If-None-Match` for a `304`); every API client has \
            a request budget per minute, announced in `RateLimit-Policy` and `RateLimit` headers \
            (over it: `429` with `Retry-After`).",
    ),
    paths(
        super::token::issue,
        super::clients::me,
        super::dashboard::status,
        super::dashboard::summary,
        super::dashboard::performance,
        super::clients::list,
        super::clients::detail,
        super::clients::valuations,
        super::clients::holdings,
        super::clients::transactions,
        super::reports::statement,
        super::exports::clients_csv,
        super::views::list,
        super::views::create,
        super::views::detail,
        super::views::change,
        super::views::delete,
        super::views::restore,
        super::views::share,
        super::views::copy,
        super::views::set_default,
        super::ingest_jobs::list,
        super::ingest_jobs::detail,
        super::alerts::list,
        super::alerts::acknowledge,
        super::alerts::resolve,
        super::alerts::rules,
        super::alerts::set_rule,
        crate::http::ingest::upload,
        crate::http::ingest::errors_csv,
    ),
    components(schemas(Problem)),
    modifiers(&Shared),
    security(("bearer" = [])),
    tags(
        (name = "Identity", description = "Tokens and who the caller is"),
        (name = "Dashboard", description = "Data version, executive summary, performance of any group"),
        (name = "Clients", description = "The client table, one client, the CSV export"),
        (name = "Portfolios", description = "A portfolio's daily values and flows, holdings and transactions"),
        (name = "Reports", description = "Branded PDF reports: a client's statement for a period"),
        (name = "Saved views", description = "Named dashboard questions: versions, sharing, defaults"),
        (name = "Data loads", description = "Uploads and ingest jobs (data stewards and admins)"),
        (name = "Compliance alerts", description = "Breaches of the firm's rules: acknowledge, resolve, and the rules themselves"),
    )
)]
pub struct ApiDoc;

/// Routes that read the dashboard filter ([`pms_domain::filter::Filter::from_params`]).
const FILTERED: [&str; 4] = [
    "/api/v1/clients",
    "/api/v1/exports/clients.csv",
    "/api/v1/summary",
    "/api/v1/performance/{group}",
];

/// What a filter parameter accepts, as [`pms_domain::filter::Filter::from_params`] reads it.
#[derive(Clone, Copy)]
enum Accepts {
    /// A record's id: a whole number from 1.
    Id,
    /// YYYY-MM-DD.
    Date,
    /// A financial year: 2025-26, FY2025-26 or 2025.
    FinancialYear,
    /// At most 100 printable characters.
    Text,
    /// A number below a billion in size.
    Number,
    /// month, quarter or year.
    Granularity,
}

/// Each filter parameter: its name, what it accepts and what it means (a test holds the names
/// to [`pms_domain::filter::Filter::PARAMS`]).
const FILTER_PARAMETERS: [(&str, Accepts, &str); 16] = [
    ("fy", Accepts::FinancialYear, "Financial year by its first calendar year: 2025 is FY2025-26 (2025-26 is read too); not with from/to"),
    ("from", Accepts::Date, "Period start, YYYY-MM-DD (not after `to`)"),
    ("to", Accepts::Date, "Period end, YYYY-MM-DD"),
    ("strategy", Accepts::Id, "Strategy id"),
    ("approach", Accepts::Id, "Investment approach id"),
    ("rm", Accepts::Id, "Relationship manager id"),
    ("team", Accepts::Id, "Team id"),
    ("risk", Accepts::Text, "Client risk profile, e.g. Aggressive"),
    ("state", Accepts::Text, "Client's state"),
    ("city", Accepts::Text, "Client's city"),
    ("asset", Accepts::Text, "Asset class held, e.g. Equity"),
    ("aum_min", Accepts::Number, "Client AUM from, in ₹ lakh (not above aum_max)"),
    ("aum_max", Accepts::Number, "Client AUM up to, in ₹ lakh"),
    ("twrr_min", Accepts::Number, "1-year TWRR from, in percent (not above twrr_max)"),
    ("twrr_max", Accepts::Number, "1-year TWRR up to, in percent"),
    ("by", Accepts::Granularity, "Trend granularity"),
];

impl Accepts {
    fn schema(self) -> ObjectBuilder {
        let object = ObjectBuilder::new();
        match self {
            Accepts::Id => object
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(1))
                .maximum(Some(i32::MAX)),
            // An empty value is the same as none (forms send them): the patterns allow it.
            Accepts::Date => object
                .schema_type(Type::String)
                .pattern(Some("^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$")),
            Accepts::FinancialYear => object
                .schema_type(Type::String)
                .pattern(Some("^((FY)?(19|20|21)[0-9]{2})?$")),
            Accepts::Text => object
                .schema_type(Type::String)
                .max_length(Some(100))
                .pattern(Some("^[^\\u0000-\\u001f\\u007f-\\u009f]*$")),
            Accepts::Number => object
                .schema_type(Type::Number)
                .exclusive_minimum(Some(-1_000_000_000))
                .exclusive_maximum(Some(1_000_000_000)),
            Accepts::Granularity => object
                .schema_type(Type::String)
                .enum_values(Some(["", "month", "quarter", "year"])),
        }
    }
}

/// The errors any operation may answer with (its own table may add more).
const PROBLEMS: [(&str, &str); 9] = [
    (
        "400",
        "The request cannot be read (the problem says which parameter and why)",
    ),
    ("401", "No valid token or session"),
    ("403", "The caller's role does not allow it"),
    (
        "404",
        "Unknown, or outside the caller's data scope (the same answer)",
    ),
    ("408", "The request took longer than the server's limit"),
    (
        "422",
        "Well-formed, but breaks a rule (the problem says which and how to put it right)",
    ),
    (
        "429",
        "Over the API client's request budget: wait for Retry-After seconds",
    ),
    (
        "500",
        "The server failed; it has been logged under the response's x-request-id",
    ),
    (
        "503",
        "The data is being reloaded or the database is busy: try again shortly",
    ),
];

struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A token from POST /api/v1/auth/token (a signed-in browser session works too)",
            ))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(bearer));
        for (path, item) in doc.paths.paths.iter_mut() {
            let filtered = FILTERED.contains(&path.as_str());
            let reads = item.get.iter_mut().map(|op| (true, op));
            let writes = [
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            .map(|op| (false, op));
            for (is_read, operation) in reads.chain(writes) {
                if filtered {
                    operation
                        .parameters
                        .get_or_insert_with(Vec::new)
                        .extend(filter_parameters().map(Into::into));
                }
                add_problems(operation, is_read);
                empty_means_absent(operation);
            }
        }
    }
}

fn filter_parameters() -> impl Iterator<Item = Parameter> {
    FILTER_PARAMETERS
        .into_iter()
        .map(|(name, accepts, meaning)| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(meaning))
                .schema(Some(accepts.schema()))
                .build()
        })
}

/// A query parameter sent empty (`?page=`, as forms send them) is read as not sent: a numeric
/// one accepts the empty string too.
fn empty_means_absent(operation: &mut Operation) {
    let numeric = |schema: &Schema| {
        matches!(schema, Schema::Object(o)
            if matches!(o.schema_type, SchemaType::Type(Type::Integer | Type::Number)))
    };
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        if let Some(RefOr::T(schema)) = &parameter.schema {
            if numeric(schema) {
                let empty = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([""]));
                parameter.schema =
                    Some(AnyOfBuilder::new().item(schema.clone()).item(empty).into());
            }
        }
    }
}

fn add_problems(operation: &mut Operation, is_read: bool) {
    let responses = &mut operation.responses.responses;
    for (status, meaning) in PROBLEMS {
        responses.entry(status.to_owned()).or_insert_with(|| {
            ResponseBuilder::new()
                .description(meaning)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
                .into()
        });
    }
    if is_read {
        responses.entry("304".to_owned()).or_insert_with(|| {
            ResponseBuilder::new()
                .description("Unchanged since the ETag sent in If-None-Match")
                .build()
                .into()
        });
    }
}

/// The document, the viewer and its files.
pub fn router() -> Router<AppState> {
    let assets = swagger_ui_dist::generate_routes(swagger_ui_dist::ApiDefinition {
        uri_prefix: VIEWER_ASSETS,
        api_definition: swagger_ui_dist::OpenApiSource::Uri(DOCUMENT_PATH),
        title: Some("PMS Intelligence Hub API"),
    });
    Router::new()
        .route(DOCUMENT_PATH, get(document))
        .route(VIEWER_PATH, get(viewer))
        .route("/api/docs/start.js", get(start_script))
        .merge(assets.with_state(()))
}

async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The viewer may run its own files only; it fetches the document from the Hub.
const VIEWER_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

async fn viewer() -> Response {
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en-IN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API · PMS Intelligence Hub</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{VIEWER_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-document="{DOCUMENT_PATH}"></div>
<script src="{VIEWER_ASSETS}/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>"#
    );
    (
        [(header::CONTENT_SECURITY_POLICY, VIEWER_POLICY)],
        Html(page),
    )
        .into_response()
}

/// Starts Swagger UI on the document named by the page; "Try it out" sends the browser's
/// session cookie, or the bearer token entered under "Authorize".
async fn start_script() -> Response {
    const SCRIPT: &str = r#"window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.document,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false
  });
});
"#;
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_parameter_the_parser_reads_is_documented() {
        let documented: Vec<&str> = FILTER_PARAMETERS.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(documented, pms_domain::filter::Filter::PARAMS.to_vec());
    }

    #[test]
    fn the_document_is_openapi_3_1_with_bearer_auth_and_problem_answers() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let list = &doc["paths"]["/api/v1/clients"]["get"];
        let names: Vec<&str> = list["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"cursor") && names.contains(&"fy"));
        assert_eq!(
            list["responses"]["403"]["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem"
        );
        assert!(list["responses"]["304"].is_object());
        // The token endpoint needs no token.
        assert_eq!(
            doc["paths"]["/api/v1/auth/token"]["post"]["security"],
            serde_json::json!([{}])
        );
    }
}
