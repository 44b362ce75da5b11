-- The audit chain is sealed with an HMAC under a key that lives outside the database (derived
-- from the master key), so whoever can write this table cannot recompute the seals after an
-- edit. Rows already written keep their unkeyed SHA-256 (mac = 0); every new row is keyed
-- (mac = 1). See crates/store/src/audit.rs and docs/security.md.
ALTER TABLE audit_log ADD COLUMN mac smallint NOT NULL DEFAULT 0;
ALTER TABLE audit_log ALTER COLUMN mac SET DEFAULT 1;
