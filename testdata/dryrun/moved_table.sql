-- casbin's policy table moved to a schema the application's search_path
-- does not reach.
CREATE SCHEMA eval_authz;
CREATE TABLE eval_authz.casbin_rule (
    id     text PRIMARY KEY,
    p_type text,
    v0 text, v1 text, v2 text, v3 text, v4 text, v5 text
);
