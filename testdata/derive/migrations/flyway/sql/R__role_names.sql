-- Repeatable: runs after every versioned migration.
CREATE OR REPLACE VIEW role_names AS SELECT r.name FROM roles r JOIN role_permissions rp ON rp.role_id = r.id;
