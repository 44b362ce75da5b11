-- Saved views (issue 11): a named section of the dashboard with its filters and layout choices
-- (the URL query string the section reads). A view belongs to one user; every save keeps a
-- version so an earlier one can be restored; a view may be shared read-only with named users or
-- with every user of a role. What a view shows is always computed with the *viewer's* scope: the
-- view stores the question, never the owner's answer.

CREATE TABLE saved_view (
    view_id     bigserial PRIMARY KEY,
    owner_id    bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    section     text NOT NULL CHECK (section IN ('executive', 'clients', 'portfolios', 'compliance')),
    query       text NOT NULL CHECK (length(query) <= 2000),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_view_owner ON saved_view (owner_id, updated_at DESC);

-- Every save of a view, oldest first; restoring copies an old version into a new one.
CREATE TABLE saved_view_version (
    view_id   bigint NOT NULL REFERENCES saved_view ON DELETE CASCADE,
    version   integer NOT NULL,
    name      text NOT NULL,
    query     text NOT NULL,
    saved_by  bigint REFERENCES app_user ON DELETE SET NULL,
    saved_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (view_id, version)
);

-- Read-only sharing: with one user, or with every user of a role.
CREATE TABLE saved_view_share (
    view_id  bigint NOT NULL REFERENCES saved_view ON DELETE CASCADE,
    user_id  bigint REFERENCES app_user ON DELETE CASCADE,
    role     text CHECK (role IN ('rm', 'pm', 'compliance', 'admin', 'data_steward')),
    CHECK ((user_id IS NULL) <> (role IS NULL))
);
CREATE UNIQUE INDEX saved_view_share_user ON saved_view_share (view_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX saved_view_share_role ON saved_view_share (view_id, role) WHERE role IS NOT NULL;
CREATE INDEX saved_view_share_to_user ON saved_view_share (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX saved_view_share_to_role ON saved_view_share (role) WHERE role IS NOT NULL;

-- The view a user's section opens with (their own or one shared with them).
CREATE TABLE saved_view_default (
    user_id  bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    section  text NOT NULL,
    view_id  bigint NOT NULL REFERENCES saved_view ON DELETE CASCADE,
    PRIMARY KEY (user_id, section)
);
