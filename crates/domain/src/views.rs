//! Saved views: a named dashboard section with its filters and layout choices, as the section's
//! URL query string. A view stores the *question* (section and query), never an answer: whoever
//! opens it sees the figures of their own data scope.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clients::ClientQuery;
use crate::filter::Filter;
use crate::identity::Role;

/// The dashboard sections a view can open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Executive,
    Clients,
    Portfolios,
    Compliance,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Executive,
        Section::Clients,
        Section::Portfolios,
        Section::Compliance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Section::Executive => "executive",
            Section::Clients => "clients",
            Section::Portfolios => "portfolios",
            Section::Compliance => "compliance",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// The section's page.
    pub fn path(self) -> &'static str {
        match self {
            Section::Executive => "/",
            Section::Clients => "/clients",
            Section::Portfolios => "/portfolios",
            Section::Compliance => "/compliance",
        }
    }

    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.path() == path)
    }

    pub fn label(self) -> &'static str {
        match self {
            Section::Executive => "Executive summary",
            Section::Clients => "Client analytics",
            Section::Portfolios => "Portfolio performance",
            Section::Compliance => "Compliance & reporting",
        }
    }

    /// The section's layout parameters besides the filter's (which every section reads).
    fn layout_params(self) -> &'static [&'static str] {
        match self {
            Section::Executive | Section::Compliance => &[],
            Section::Clients => &[
                "q",
                "search",
                "sort",
                "dir",
                "desc",
                "closed",
                "include_closed",
                "page_size",
            ],
            Section::Portfolios => &["group", "corr"],
        }
    }

    /// `query` as a view keeps it: the section's own parameters only (the page number and the
    /// open view's id are not part of a view), empty values dropped, every value readable by
    /// the section; or what is wrong with it.
    pub fn normalise_query(self, query: &str) -> Result<String, String> {
        let query = query.trim().trim_start_matches('?');
        if query.len() > 2000 {
            return Err("The view's filters are too long (at most 2,000 characters).".into());
        }
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .filter(|(name, value)| !value.trim().is_empty() && name != "page" && name != "view")
            .collect();
        if let Some((name, _)) = pairs.iter().find(|(name, _)| {
            !Filter::PARAMS.contains(&name.as_str())
                && !self.layout_params().contains(&name.as_str())
        }) {
            return Err(format!(
                "The {} section has no setting called {name:?}.",
                self.label()
            ));
        }
        let get = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        match self {
            Section::Clients => ClientQuery::from_params(get, 50).map(|_| ())?,
            _ => Filter::from_params(get).map(|_| ())?,
        }
        let mut text = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &pairs {
            text.append_pair(name, value);
        }
        Ok(text.finish())
    }

    /// The URL that opens `query` in this section as view `view_id`.
    pub fn href(self, query: &str, view_id: i64) -> String {
        if query.is_empty() {
            format!("{}?view={view_id}", self.path())
        } else {
            format!("{}?{query}&view={view_id}", self.path())
        }
    }
}

/// A view as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewSummary {
    pub view_id: i64,
    pub name: String,
    pub section: Section,
    /// The section's query string (without `?`).
    pub query: String,
    pub owner_id: i64,
    pub owner_name: String,
    /// The viewer owns it (may change, share and delete it).
    pub mine: bool,
    /// Shared with anyone (for the owner) or with the viewer (for anyone else).
    pub shared: bool,
    /// The viewer's default for its section.
    pub is_default: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl ViewSummary {
    /// The URL that opens the view.
    pub fn href(&self) -> String {
        self.section.href(&self.query, self.view_id)
    }
}

/// One saved version of a view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewVersion {
    pub version: i32,
    pub name: String,
    pub query: String,
    pub saved_by: Option<String>,
    pub saved_at: DateTime<Utc>,
}

/// Who a view is shared with (read-only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewShares {
    /// (user id, e-mail, name)
    pub users: Vec<(i64, String, String)>,
    pub roles: Vec<Role>,
}

/// A view with its versions and (for its owner) its sharing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewDetail {
    pub view: ViewSummary,
    pub versions: Vec<ViewVersion>,
    pub shares: ViewShares,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_views_query_keeps_the_sections_parameters_without_page_or_view() {
        assert_eq!(
            Section::Clients
                .normalise_query("?risk=Aggressive&sort=aum&page=3&view=9&city=")
                .as_deref(),
            Ok("risk=Aggressive&sort=aum")
        );
        assert_eq!(
            Section::Portfolios
                .normalise_query("group=approach:4&fy=2025-26")
                .as_deref(),
            Ok("group=approach%3A4&fy=2025-26")
        );
    }

    #[test]
    fn a_parameter_the_section_does_not_read_or_an_unreadable_value_is_refused() {
        assert!(Section::Executive.normalise_query("sort=aum").is_err());
        assert!(Section::Executive.normalise_query("fy=20x5").is_err());
        assert!(Section::Clients.normalise_query("sort=colour").is_err());
    }

    #[test]
    fn a_views_link_opens_its_section_with_its_query_and_id() {
        assert_eq!(Section::Executive.href("", 3), "/?view=3");
        assert_eq!(
            Section::Clients.href("risk=Aggressive", 3),
            "/clients?risk=Aggressive&view=3"
        );
        assert_eq!(Section::from_path("/compliance"), Some(Section::Compliance));
        assert_eq!(Section::from_code("clients"), Some(Section::Clients));
    }
}
