-- Re-run by Flyway whenever this file changes.
CREATE OR REPLACE VIEW role_permission_names AS
SELECT r.name AS role, p.resource, p.action, rp.scope
FROM role_permissions rp
JOIN roles r ON r.id = rp.role_id
JOIN permissions p ON p.id = rp.permission_id;
