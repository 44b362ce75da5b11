-- Two database roles (see docs/security.md): an owner that runs the migrations and owns the
-- audit trail, and the application's role. The application owns the data tables (its bulk
-- loader drops and rebuilds their indexes, which takes ownership) but may only read and append
-- to the audit trail: it cannot update or delete a row, nor disable the trigger that forbids
-- it. `pms-hub` calls this after the migrations whenever the owner and the application connect
-- as different roles; it is idempotent, so tables added by later migrations follow.
CREATE FUNCTION pms_grant_app_role(app text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    obj record;
BEGIN
    IF app IS NULL OR app = current_user THEN
        RETURN;
    END IF;
    -- Tables, partitions, views and free-standing sequences (a serial's sequence follows its
    -- table) of the Hub's schemas (its data, and the sessions), except the audit trail and the
    -- migrations' own bookkeeping.
    FOR obj IN
        SELECT c.oid::regclass AS name, c.relkind
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'tower_sessions')
          AND c.relkind IN ('r', 'p', 'v', 'S')
          AND c.relname NOT IN ('audit_log', '_sqlx_migrations')
          AND pg_get_userbyid(c.relowner) <> app
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE obj.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                       obj.name, app);
    END LOOP;
    -- CREATE too: rebuilding a table's primary key and indexes creates objects in the schema.
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE ON SCHEMA tower_sessions TO %I', app);
    EXECUTE format('REVOKE ALL ON audit_log FROM %I', app);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log TO %I', app);
    EXECUTE format('GRANT SELECT ON _sqlx_migrations TO %I', app);
END $$;
