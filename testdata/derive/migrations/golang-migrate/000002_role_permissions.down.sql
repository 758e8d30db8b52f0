DROP TABLE role_permissions;
DROP TYPE permission_scope;
