-- Drift D3: the policies moved to a schema that is not on the search_path.
CREATE SCHEMA eval_authz;
ALTER TABLE casbin_rule SET SCHEMA eval_authz;
