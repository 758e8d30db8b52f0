package drift

import "testing"

func TestHints(t *testing.T) {
	tests := []struct{ got, want string }{
		{HintLegacyLayout("role_permissions", []string{"resource", "permission"}, []string{"permission_id", "scope"}),
			"role_permissions still has the denormalised layout (resource, permission): the migration that introduces permission_id, scope has not run on this database"},
		{HintOtherLayout("members", []string{"rw"}, []string{"role"}),
			"members has (rw) where the model has (role): the database was migrated to a layout this model (and the application built from it) does not know, or the model is out of date"},
		{HintNotAdded("users", "email"), "the migration that adds users.email has not run on this database"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %q\nwant %q", tt.got, tt.want)
		}
	}
}

// TestHintDirection: once the migration history is known, a look-alike
// hint says which side is behind.
func TestHintDirection(t *testing.T) {
	other := HintOtherLayout("accounts_member", []string{"rw"}, []string{"role_id"})
	legacy := HintLegacyLayout("role_permissions", []string{"resource"}, []string{"permission_id"})
	added := HintNotAdded("users", "email")
	tests := []struct{ got, want string }{
		{HintBehind(other, "accounts.0002_member_role"),
			"accounts_member has (rw) where the model has (role_id): the database is behind: migration accounts.0002_member_role has not run on it"},
		{HintBehind(legacy, "0007_normalise_rbac"),
			"role_permissions still has the denormalised layout (resource): migration 0007_normalise_rbac, which introduces permission_id, has not run on this database"},
		{HintBehind(added, "0003_email"), "migration 0003_email, which adds users.email, has not run on this database"},
		// The dry run's wording is read the same way.
		{HintBehind("users has no column email; its columns are (id): the migration that adds users.email has not run on this database, or it was renamed", "0003_email"),
			"users has no column email; its columns are (id): migration 0003_email, which adds users.email, has not run on this database, or it was renamed"},
		{HintAllRan(other),
			"accounts_member has (rw) where the model has (role_id): every migration of the folder has run on this database, so the model (and the code built from it) is behind the migrations: update the model"},
		{HintAllRan(added),
			"every migration of the folder has run on this database and none adds users.email: the model is ahead of the migrations (a migration not yet written), or the change was undone by hand"},
		{HintBehind("rename it back", "0003_email"), "rename it back"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %q\nwant %q", tt.got, tt.want)
		}
	}
}
