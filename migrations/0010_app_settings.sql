-- Small named settings of the installation (e.g. which logins the demo data created, so the
-- run command can list them).
CREATE TABLE app_setting (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
