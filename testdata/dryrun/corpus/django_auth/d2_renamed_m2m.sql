-- Drift D2: the auth through-tables renamed for a custom user model.
ALTER TABLE auth_user_groups RENAME TO accounts_user_groups;
ALTER TABLE auth_user_user_permissions RENAME TO accounts_user_user_permissions;
