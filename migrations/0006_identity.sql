-- Who may sign in and what each person may see: users and roles, the RM a user is, the
-- strategies a portfolio manager runs, teams (in 0002), sign-in throttling, second factor,
-- API tokens and their signing keys, and the firm's branding.

CREATE TABLE app_user (
    user_id             bigserial PRIMARY KEY,
    email               text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
    display_name        text NOT NULL,
    role                text NOT NULL CHECK (role IN ('rm', 'pm', 'compliance', 'admin', 'data_steward')),
    rm_id               integer UNIQUE REFERENCES dim_rm ON DELETE SET NULL,  -- the RM this user is
    password_hash       text,                   -- argon2id PHC string; NULL until set
    is_active           boolean NOT NULL DEFAULT true,
    totp_secret         bytea,                  -- encrypted with the server's master key
    totp_enabled_at     timestamptz,
    totp_last_step      bigint,                 -- last accepted TOTP time step (no replay)
    password_changed_at timestamptz,
    last_login_at       timestamptz,
    created_by          bigint REFERENCES app_user,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_email ON app_user (email);

-- Failed sign-ins counted per e-mail address, whether or not such a user exists, so the
-- answer to a sign-in never reveals which addresses have accounts.
CREATE TABLE login_throttle (
    email               text PRIMARY KEY,
    failures            integer NOT NULL DEFAULT 0,
    last_failure_at     timestamptz,
    locked_at           timestamptz             -- set at the limit; cleared by an admin unlock
);

CREATE TABLE user_recovery_code (
    user_id             bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    code_hash           text NOT NULL,          -- SHA-256 of the normalised code
    used_at             timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- One-time links for a new user (or a reset) to choose a password.
CREATE TABLE user_invitation (
    token_hash          text PRIMARY KEY,       -- SHA-256 of the token; the token itself is never stored
    user_id             bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    purpose             text NOT NULL CHECK (purpose IN ('invite', 'reset')),
    expires_at          timestamptz NOT NULL,
    used_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- Portfolio managers see the portfolios of the strategies they manage.
CREATE TABLE user_strategy (
    user_id             bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    strategy_id         integer NOT NULL REFERENCES dim_strategy ON DELETE CASCADE,
    PRIMARY KEY (user_id, strategy_id)
);

-- Per-role security policy (two-factor authentication required or optional).
CREATE TABLE role_policy (
    role                text PRIMARY KEY CHECK (role IN ('rm', 'pm', 'compliance', 'admin', 'data_steward')),
    mfa_required        boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO role_policy (role) VALUES ('rm'), ('pm'), ('compliance'), ('admin'), ('data_steward');

-- Keys that sign API tokens. The secret is derived from the server's master key and the salt,
-- so the database alone cannot mint tokens. Retired keys stop verifying.
CREATE TABLE api_signing_key (
    kid                 text PRIMARY KEY,
    salt                bytea NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    retired_at          timestamptz
);

-- Systems that call the REST API: each exchanges its secret for short-lived signed tokens
-- (JWT) at POST /api/v1/auth/token. Revoking a client revokes every token it holds.
CREATE TABLE api_client (
    client_id           uuid PRIMARY KEY,
    name                text NOT NULL UNIQUE,   -- what it is for ("Risk engine nightly pull")
    role                text NOT NULL CHECK (role IN ('rm', 'pm', 'compliance', 'admin', 'data_steward')),
    subject_user_id     bigint REFERENCES app_user ON DELETE CASCADE,  -- whose data scope it carries
    secret_hash         text NOT NULL,          -- SHA-256 of the secret (a 256-bit random value)
    created_by          bigint REFERENCES app_user,
    created_at          timestamptz NOT NULL DEFAULT now(),
    revoked_at          timestamptz,
    CHECK (role NOT IN ('rm', 'pm') OR subject_user_id IS NOT NULL)
);

CREATE TABLE api_token (
    jti                 uuid PRIMARY KEY,
    client_id           uuid NOT NULL REFERENCES api_client ON DELETE CASCADE,
    kid                 text NOT NULL REFERENCES api_signing_key,
    issued_at           timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz
);
CREATE INDEX api_token_client ON api_token (client_id, issued_at DESC);

CREATE TABLE firm_branding (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    firm_name           text NOT NULL,
    primary_colour      text NOT NULL CHECK (primary_colour ~ '^#[0-9a-fA-F]{6}$'),
    accent_colour       text NOT NULL CHECK (accent_colour ~ '^#[0-9a-fA-F]{6}$'),
    disclaimer          text NOT NULL,
    logo                bytea,
    logo_mime           text CHECK (logo_mime IN ('image/png', 'image/jpeg', 'image/svg+xml')),
    updated_by          bigint REFERENCES app_user,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO firm_branding (firm_name, primary_colour, accent_colour, disclaimer) VALUES (
    'PMS Intelligence Hub', '#0f2a4a', '#0e7c86',
    'Past performance is not indicative of future results. Returns are time-weighted (TWRR) as '
    'prescribed by SEBI for portfolio managers, net of fees and expenses; periods over one year '
    'are annualised. Investments in securities are subject to market risks.');

-- Server-side sessions (tower-sessions' PostgreSQL store reads and writes this table).
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id                  text PRIMARY KEY NOT NULL,
    data                bytea NOT NULL,
    expiry_date         timestamptz NOT NULL
);
CREATE INDEX session_expiry ON tower_sessions.session (expiry_date);
