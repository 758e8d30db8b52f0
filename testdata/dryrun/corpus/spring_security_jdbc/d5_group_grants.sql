-- Drift D5: the runtime role ({{app}}) got grants on the original two tables only.
GRANT SELECT ON users, authorities TO {{app}};
