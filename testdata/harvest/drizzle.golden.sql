-- Harvested by rbacdrift harvest, not written by hand.
-- From pg_stat_statements of database "staging", role app_user, at 2025-03-14T09:26:53Z.
-- Run rbacdrift harvest again to update it: names and order stay, new statements
-- are added at the end, and those no longer seen are marked, not deleted.

-- name: select_user_roles_6d9ea80f :many
-- harvest: calls=3 rows=7 role=app_user first=2025-03-14T09:26:53Z last=2025-03-14T09:26:53Z
select "permissions"."resource", "permissions"."action", "role_permissions"."scope" from "user_roles" inner join "role_permissions" on "role_permissions"."role_id" = "user_roles"."role_id" inner join "permissions" on "permissions"."id" = "role_permissions"."permission_id" where "user_roles"."user_id" = $1;
