-- casbin_rule.id was text (the adapter sends a hex string); a migration made
-- it bigint. role_permissions.scope is an enum the application filters by
-- with a varchar parameter.
CREATE TABLE casbin_rule (
    id     text PRIMARY KEY,
    p_type text,
    v0 text, v1 text, v2 text, v3 text, v4 text, v5 text
);
ALTER TABLE casbin_rule ALTER COLUMN id TYPE bigint USING NULL;
