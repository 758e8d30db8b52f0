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
