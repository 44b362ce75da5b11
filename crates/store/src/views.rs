//! Saved views (migration 0021): who may see which view, its versions, its sharing and each
//! user's default per section. A view is visible to its owner, to the users it is shared with
//! and to every user of a role it is shared with; the data it shows is the viewer's business.

use chrono::{DateTime, Utc};
use pms_domain::identity::Role;
use pms_domain::views::{Section, ViewShares, ViewSummary, ViewVersion};
use sqlx::PgConnection;

use crate::error::{StoreError, StoreResult};
use crate::Db;

/// The viewer a visibility test is made for.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user_id: i64,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    view_id: i64,
    name: String,
    section: String,
    query: String,
    owner_id: i64,
    owner_name: String,
    shared: bool,
    is_default: bool,
    version: i32,
    updated_at: DateTime<Utc>,
}

impl SummaryRow {
    fn into_summary(self, viewer: Viewer) -> StoreResult<ViewSummary> {
        Ok(ViewSummary {
            section: Section::from_code(&self.section).ok_or_else(|| {
                StoreError::Invalid(format!("unknown section {:?}", self.section))
            })?,
            mine: self.owner_id == viewer.user_id,
            view_id: self.view_id,
            name: self.name,
            query: self.query,
            owner_id: self.owner_id,
            owner_name: self.owner_name,
            shared: self.shared,
            is_default: self.is_default,
            version: self.version,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i32,
    name: String,
    query: String,
    saved_by: Option<String>,
    saved_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    user_id: Option<i64>,
    email: Option<String>,
    display_name: Option<String>,
    role: Option<String>,
}

/// The columns of a [`SummaryRow`] for viewer `$1` (user id) and `$2` (role), over `v`.
const SUMMARY: &str = "
    SELECT v.view_id, v.name, v.section, v.query, v.owner_id, u.display_name AS owner_name,
           CASE WHEN v.owner_id = $1
                THEN EXISTS (SELECT 1 FROM saved_view_share s WHERE s.view_id = v.view_id)
                ELSE true END AS shared,
           EXISTS (SELECT 1 FROM saved_view_default d
                   WHERE d.user_id = $1 AND d.view_id = v.view_id) AS is_default,
           v.version, v.updated_at
    FROM saved_view v JOIN app_user u ON u.user_id = v.owner_id
    WHERE (v.owner_id = $1
           OR EXISTS (SELECT 1 FROM saved_view_share s
                      WHERE s.view_id = v.view_id AND (s.user_id = $1 OR s.role = $2)))";

impl Db {
    /// The views `viewer` may open, the most recently changed first; `search` matches the
    /// name, the owner or the section (case-insensitive).
    pub async fn views_for(
        &self,
        viewer: Viewer,
        search: Option<&str>,
    ) -> StoreResult<Vec<ViewSummary>> {
        let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        let sql = format!(
            "{SUMMARY} AND ($3::text IS NULL OR v.name ILIKE $3 OR u.display_name ILIKE $3
                             OR v.section ILIKE $3)
             ORDER BY v.updated_at DESC, v.view_id DESC LIMIT 500"
        );
        let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
            .bind(viewer.user_id)
            .bind(viewer.role.code())
            .bind(pattern)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(|r| r.into_summary(viewer)).collect()
    }

    /// View `view_id`, if `viewer` may open it.
    pub async fn view_for(&self, viewer: Viewer, view_id: i64) -> StoreResult<Option<ViewSummary>> {
        let sql = format!("{SUMMARY} AND v.view_id = $3");
        let row: Option<SummaryRow> = sqlx::query_as(&sql)
            .bind(viewer.user_id)
            .bind(viewer.role.code())
            .bind(view_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.into_summary(viewer)).transpose()
    }

    /// Every saved version of a view, the newest first.
    pub async fn view_versions(&self, view_id: i64) -> StoreResult<Vec<ViewVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT h.version, h.name, h.query, u.display_name AS saved_by, h.saved_at
             FROM saved_view_version h LEFT JOIN app_user u ON u.user_id = h.saved_by
             WHERE h.view_id = $1 ORDER BY h.version DESC",
        )
        .bind(view_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ViewVersion {
                version: r.version,
                name: r.name,
                query: r.query,
                saved_by: r.saved_by,
                saved_at: r.saved_at,
            })
            .collect())
    }

    /// Who a view is shared with.
    pub async fn view_shares(&self, view_id: i64) -> StoreResult<ViewShares> {
        let rows: Vec<ShareRow> = sqlx::query_as(
            "SELECT s.user_id, u.email, u.display_name, s.role
             FROM saved_view_share s LEFT JOIN app_user u ON u.user_id = s.user_id
             WHERE s.view_id = $1 ORDER BY u.display_name NULLS LAST, s.role",
        )
        .bind(view_id)
        .fetch_all(self.pool())
        .await?;
        let mut shares = ViewShares::default();
        for ShareRow {
            user_id,
            email,
            display_name: name,
            role,
        } in rows
        {
            match (user_id, role.as_deref().and_then(Role::from_code)) {
                (Some(id), _) => {
                    shares
                        .users
                        .push((id, email.unwrap_or_default(), name.unwrap_or_default()))
                }
                (None, Some(role)) => shares.roles.push(role),
                (None, None) => {}
            }
        }
        Ok(shares)
    }

    /// The view `viewer`'s `section` opens with, if they set one they may still open.
    pub async fn default_view(
        &self,
        viewer: Viewer,
        section: Section,
    ) -> StoreResult<Option<ViewSummary>> {
        let sql = format!(
            "{SUMMARY} AND v.view_id = (SELECT view_id FROM saved_view_default
                                        WHERE user_id = $1 AND section = $3)"
        );
        let row: Option<SummaryRow> = sqlx::query_as(&sql)
            .bind(viewer.user_id)
            .bind(viewer.role.code())
            .bind(section.code())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.into_summary(viewer)).transpose()
    }

    /// Creates a view owned by `owner` with its first version; returns its id.
    pub async fn create_view(
        conn: &mut PgConnection,
        owner: i64,
        name: &str,
        section: Section,
        query: &str,
    ) -> StoreResult<i64> {
        let (view_id,): (i64,) = sqlx::query_as(
            "INSERT INTO saved_view (owner_id, name, section, query) VALUES ($1, $2, $3, $4)
             RETURNING view_id",
        )
        .bind(owner)
        .bind(name)
        .bind(section.code())
        .bind(query)
        .fetch_one(&mut *conn)
        .await?;
        Self::record_view_version(conn, view_id, owner).await?;
        Ok(view_id)
    }

    /// Saves a new version of a view (its name and query); returns the version number.
    pub async fn save_view(
        conn: &mut PgConnection,
        view_id: i64,
        name: &str,
        query: &str,
        by: i64,
    ) -> StoreResult<i32> {
        let (version,): (i32,) = sqlx::query_as(
            "UPDATE saved_view SET name = $2, query = $3, version = version + 1, updated_at = now()
             WHERE view_id = $1 RETURNING version",
        )
        .bind(view_id)
        .bind(name)
        .bind(query)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("view".into()))?;
        Self::record_view_version(conn, view_id, by).await?;
        Ok(version)
    }

    async fn record_view_version(
        conn: &mut PgConnection,
        view_id: i64,
        by: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO saved_view_version (view_id, version, name, query, saved_by)
             SELECT view_id, version, name, query, $2 FROM saved_view WHERE view_id = $1",
        )
        .bind(view_id)
        .bind(by)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Version `version` of a view: (name, query).
    pub async fn view_version(
        conn: &mut PgConnection,
        view_id: i64,
        version: i32,
    ) -> StoreResult<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT name, query FROM saved_view_version WHERE view_id = $1 AND version = $2",
        )
        .bind(view_id)
        .bind(version)
        .fetch_optional(conn)
        .await?)
    }

    pub async fn delete_view(conn: &mut PgConnection, view_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM saved_view WHERE view_id = $1")
            .bind(view_id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Replaces who a view is shared with. Users who lose access also lose it as a default.
    pub async fn set_view_shares(
        conn: &mut PgConnection,
        view_id: i64,
        user_ids: &[i64],
        roles: &[Role],
    ) -> StoreResult<()> {
        let roles: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        sqlx::query("DELETE FROM saved_view_share WHERE view_id = $1")
            .bind(view_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO saved_view_share (view_id, user_id)
             SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        )
        .bind(view_id)
        .bind(user_ids)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO saved_view_share (view_id, role)
             SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        )
        .bind(view_id)
        .bind(&roles)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "DELETE FROM saved_view_default d USING saved_view v
             WHERE d.view_id = $1 AND v.view_id = d.view_id AND d.user_id <> v.owner_id
               AND NOT EXISTS (SELECT 1 FROM saved_view_share s JOIN app_user u ON u.user_id = d.user_id
                               WHERE s.view_id = $1 AND (s.user_id = d.user_id OR s.role = u.role))",
        )
        .bind(view_id)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Makes `view_id` the user's default for `section`, or clears it (`None`).
    pub async fn set_default_view(
        conn: &mut PgConnection,
        user_id: i64,
        section: Section,
        view_id: Option<i64>,
    ) -> StoreResult<()> {
        match view_id {
            Some(view_id) => sqlx::query(
                "INSERT INTO saved_view_default (user_id, section, view_id) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, section) DO UPDATE SET view_id = EXCLUDED.view_id",
            )
            .bind(user_id)
            .bind(section.code())
            .bind(view_id),
            None => {
                sqlx::query("DELETE FROM saved_view_default WHERE user_id = $1 AND section = $2")
                    .bind(user_id)
                    .bind(section.code())
            }
        }
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Active users with these e-mail addresses: (id, e-mail); the caller reports the rest.
    pub async fn active_users_by_email(
        &self,
        emails: &[String],
    ) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT user_id, email FROM app_user WHERE is_active AND email = ANY($1::text[])",
        )
        .bind(emails)
        .fetch_all(self.pool())
        .await?)
    }
}
