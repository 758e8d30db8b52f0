-- Queries of the application as sqlc compiles them.

-- name: ResolveUserPermissions :many
SELECT p.resource, p.action, rp.scope
FROM user_roles ur
JOIN role_permissions rp ON rp.role_id = ur.role_id
JOIN permissions p ON p.id = rp.permission_id
WHERE ur.user_id = $1;

-- name: GrantPermission :exec
INSERT INTO role_permissions (role_id, permission_id, scope)
VALUES ($1, $2, $3)
ON CONFLICT (role_id, permission_id, scope) DO NOTHING;

-- name: LegacyPermissions :many
-- Still reads the denormalised layout.
SELECT rp.role_id,
       rp.resource, rp.permission
FROM role_permissions rp
WHERE rp.role_id = $1;
