-- The version of what the dashboard reads (aggregates, clients, portfolios, assignments). Every
-- change to it advances the sequence after it commits; the server's in-process cache of
-- dashboard answers is keyed by it (see pms_service::read_cache).
CREATE SEQUENCE read_model_version_seq;
