-- A migration moved permissions to uuid keys on one side of the join only.
DELETE FROM role_permissions;
ALTER TABLE role_permissions DROP CONSTRAINT role_permissions_permission_id_fkey;
ALTER TABLE role_permissions DROP CONSTRAINT role_permissions_pkey;
ALTER TABLE role_permissions ALTER COLUMN permission_id TYPE uuid USING NULL;
