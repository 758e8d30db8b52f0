-- name: GetRole :one
SELECT id, name FROM roles WHERE id = $1;

-- name: ListRoles :many
SELECT id, name FROM roles ORDER BY name;
