-- Every fact of an index that changes what it does: expression keys,
-- INCLUDE, a collation other than the column's, DESC and NULLS FIRST/LAST,
-- hash, brin and spgist methods, an operator class per key, a partial
-- unique index, an invalid index (a failed CREATE INDEX CONCURRENTLY, set
-- by hand here, since CONCURRENTLY cannot run in the test's transaction),
-- two indexes alike but for their names, and NULLS NOT DISTINCT
-- (PostgreSQL 15; the statement runs only there, 13 and 14 lack it).
-- schemas: public
-- mutate index-mismatch: DROP INDEX grants_lookup_idx; CREATE INDEX grants_lookup_idx ON grants (subject_id, resource) INCLUDE (action);
-- mutate index-mismatch: DROP INDEX grants_resource_c_idx; CREATE INDEX grants_resource_c_idx ON grants (resource);
-- mutate index-mismatch: DROP INDEX grants_expires_idx; CREATE INDEX grants_expires_idx ON grants (expires_at DESC);
-- mutate missing-unique-index: DROP INDEX grants_one_active_idx;
-- mutate index-mismatch: DROP INDEX grants_created_brin; CREATE INDEX grants_created_brin ON grants (created_at);
-- mutate missing-unique-index: REINDEX INDEX grants_invalid_idx; UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = 'grants_subject_lower_idx'::regclass;
CREATE TABLE grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_id bigint NOT NULL,
    resource text NOT NULL,
    action text NOT NULL,
    tenant text,
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    path text
);
CREATE INDEX grants_lookup_idx ON grants (subject_id, resource) INCLUDE (action, tenant);
CREATE INDEX grants_resource_c_idx ON grants (resource COLLATE "C");
CREATE INDEX grants_expires_idx ON grants (expires_at DESC NULLS LAST);
CREATE INDEX grants_revoked_idx ON grants (revoked_at NULLS FIRST);
CREATE INDEX grants_action_hash ON grants USING hash (action);
CREATE INDEX grants_created_brin ON grants USING brin (created_at);
CREATE INDEX grants_path_spgist ON grants USING spgist (path);
CREATE INDEX grants_resource_lower_idx ON grants (lower(resource) text_pattern_ops, subject_id DESC);
CREATE UNIQUE INDEX grants_one_active_idx ON grants (subject_id, resource, action) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX grants_subject_lower_idx ON grants (subject_id, lower(action));
CREATE INDEX grants_invalid_idx ON grants (tenant);
UPDATE pg_catalog.pg_index SET indisvalid = false WHERE indexrelid = 'grants_invalid_idx'::regclass;
CREATE INDEX grants_dup_a ON grants (tenant, action);
CREATE INDEX grants_dup_b ON grants (tenant, action);
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        EXECUTE 'CREATE UNIQUE INDEX grants_tenant_nnd ON grants (tenant, resource) NULLS NOT DISTINCT';
    END IF;
END
$$;
