package migrations

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// brief renders objects as "action kind name[->to]" for comparison.
func brief(objs []Object) []string {
	out := []string{}
	for _, o := range objs {
		s := fmt.Sprintf("%s %s %s", o.Action, o.Kind, o.Name)
		if o.Kind == "index" {
			s += " on " + o.Table
		}
		if o.To != "" {
			s += " -> " + o.To
		}
		out = append(out, s)
	}
	return out
}

// changesOf reads the folder and returns what its migration id changes.
func changesOf(t *testing.T, opts Options, id string) ([]string, string) {
	t.Helper()
	f, err := ReadFolder(opts)
	if err != nil {
		t.Fatal(err)
	}
	m := f.Find(id)
	if m == nil {
		t.Fatalf("no migration %s in %s", id, opts.Dir)
	}
	objs, unread := m.Changes()
	return brief(objs), unread
}

// TestCodeMigrationChanges reads the fixtures' Ruby, Python and
// JavaScript migrations for what they change, without running them.
func TestCodeMigrationChanges(t *testing.T) {
	tests := []struct {
		opts   Options
		id     string
		want   []string
		unread string
	}{
		{Options{Dir: fixtures + "rails-rbac/db/migrate"}, "20240106120000", []string{
			"create table memberships", "create column memberships.id", "create column memberships.user_id",
			"create column memberships.role_id", "create column memberships.created_at", "create column memberships.updated_at",
		}, ""},
		// up only: down's drop_table :roles is not what running it does.
		{Options{Dir: fixtures + "rails-rbac/db/migrate"}, "20240107120000", []string{
			"create column memberships.scope", "create index index_memberships_on_role_id_and_scope on memberships",
		}, ""},
		{Options{Dir: fixtures + "django-rbac"}, "accounts.0001_initial", []string{
			"create table accounts_role", "create column accounts_role.id", "create column accounts_role.name",
			"create table accounts_member", "create column accounts_member.id", "create column accounts_member.user_name", "create column accounts_member.rw",
		}, ""},
		{Options{Dir: fixtures + "django-rbac"}, "accounts.0002_member_role", []string{
			"create column accounts_member.role_id", "drop column accounts_member.rw",
		}, "RunPython runs Python code"},
		// db_table in options names the table; RunSQL's SQL is read as SQL.
		{Options{Dir: fixtures + "django"}, "accounts.0002_permission", []string{
			"create table permissions", "create column permissions.id", "create column permissions.resource", "create column permissions.action",
		}, ""},
		{Options{Dir: fixtures + "django"}, "accounts.0003_role_permissions", []string{"create type permission_scope"}, ""},
		{Options{Dir: fixtures + "alembic"}, "3c4d5e6f7a8b", []string{
			"create type permission_scope", "create table role_permissions", "create column role_permissions.role_id",
			"create column role_permissions.permission_id", "create column role_permissions.scope",
		}, ""},
		{Options{Dir: fixtures + "knex"}, "20240107120000_role_permissions.js", []string{
			"create table role_permissions", "create column role_permissions.id",
		}, ""},
		{Options{Dir: fixtures + "sequelize"}, "20240107120000-role-permissions.js", []string{}, "rbacdrift does not read sequelize migrations"},
	}
	for _, tc := range tests {
		t.Run(tc.opts.Dir+"/"+tc.id, func(t *testing.T) {
			got, unread := changesOf(t, tc.opts, tc.id)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if unread != tc.unread {
				t.Errorf("unread = %q, want %q", unread, tc.unread)
			}
		})
	}
}

// TestDSLs reads the calls of each DSL the fixtures do not show.
func TestDSLs(t *testing.T) {
	tests := []struct {
		name   string
		read   func() ([]Object, string)
		want   []string
		unread string
	}{
		{"rails", func() ([]Object, string) {
			return readRails(`class X < ActiveRecord::Migration[7.1]
  def change
    rename_column :users, :rw, :role   # a comment: remove_column :nope, :x
    remove_column :users, :legacy, :string
    change_column_null :users, :email, false
    add_reference :users, :org, foreign_key: true
    add_foreign_key :users, :orgs
    remove_index :users, :email
    rename_table :old_roles, :roles
    change_table :roles do |t|
      t.rename :title, :name
      t.remove :obsolete
      t.references :owner, polymorphic: true
    end
    reversible do |dir|
      dir.up { execute "UPDATE users SET role = 'x'" }
    end
    create_join_table :users, :groups
    drop_table :sessions
    execute "ALTER TABLE roles ADD COLUMN #{col} text"
    backfill_everything!
  end
end`)
		}, []string{
			"rename column users.rw -> role", "drop column users.legacy", "alter column users.email", "create column users.org_id",
			"alter table users", "drop index  on users", "rename table old_roles -> roles", "alter table roles",
			"rename column roles.title -> name", "drop column roles.obsolete", "create column roles.owner_id", "create column roles.owner_type",
			"create table groups_users", "drop table sessions",
		}, "execute with SQL built at run time; a call rbacdrift does not read: backfill_everything!"},
		{"django", func() ([]Object, string) {
			return readDjango(`
operations = [
    migrations.RenameField(model_name="member", old_name="rw", new_name="can_write"),
    migrations.AlterField(model_name="member", name="owner", field=models.ForeignKey(db_column="owner", to="auth.user", on_delete=models.CASCADE)),
    migrations.AddIndex(model_name="member", index=models.Index(fields=["user_name"], name="member_user_idx")),
    migrations.AlterUniqueTogether(name="member", unique_together={("user_name", "role")}),
    migrations.AddField("member", "groups", models.ManyToManyField(to="auth.group")),
    migrations.DeleteModel(name="Legacy"),
    migrations.RunSQL(["DROP INDEX old_idx", "ALTER TABLE accounts_member DROP COLUMN tmp"]),
    migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField(model_name="team", name="x")]),
    migrations.RenameModel(old_name="Team", new_name="Squad"),
]`, "accounts", map[string]string{"team": "teams"})
		}, []string{
			"rename column accounts_member.rw -> can_write", "alter column accounts_member.owner", "create index  on accounts_member",
			"alter table accounts_member", "create table accounts_member_groups", "drop table accounts_legacy",
			"drop index old_idx on ", "alter table accounts_member", "drop column accounts_member.tmp", "drop column teams.x",
			"rename table teams -> accounts_squad",
		}, ""},
		{"alembic", func() ([]Object, string) {
			return readAlembic(`
def upgrade():
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64)),
        schema="app",
    )
    op.add_column("users", sa.Column("role_id", sa.Integer()))
    op.drop_column("users", "rw")
    op.alter_column("users", "email", new_column_name="mail")
    op.alter_column("users", "name", nullable=False)
    op.create_index("ix_users_mail", "users", ["mail"])
    op.create_foreign_key("fk_users_role", "users", "roles", ["role_id"], ["id"])
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("slug", sa.Text()))
        batch_op.drop_column("legacy")
    op.execute(f"UPDATE users SET x = {value}")
    op.bulk_insert(table, rows)


def downgrade():
    op.drop_table("roles")
`)
		}, []string{
			"create table app.roles", "create column app.roles.id", "create column app.roles.name",
			"create column users.role_id", "drop column users.rw", "rename column users.email -> mail", "alter column users.name",
			"create index ix_users_mail on users", "alter table users", "create column teams.slug", "drop column teams.legacy",
		}, "op.execute with SQL built at run time; an operation rbacdrift does not read: op.bulk_insert"},
		{"knex", func() ([]Object, string) {
			return readKnex(`
/** @param { import("knex").Knex } knex */
exports.up = async function (knex) {
  await knex.schema.alterTable('users', (t) => {
    t.string('role', 32).notNullable().defaultTo('viewer');
    t.dropColumn('rw');
    t.renameColumn('mail', 'email');
    t.text('bio').nullable().alter();
    t.index(['role']);
    t.timestamps(true, true);
  });
  await knex.schema.withSchema('audit').createTable('log', function (table) {
    table.bigIncrements();
    table.jsonb('payload');
  });
  await knex.raw('CREATE INDEX users_role_idx ON users (role)');
  await knex.schema.renameTable('old', 'new');
};

exports.down = function (knex) {
  return knex.schema.dropTable('users');
};
`)
		}, []string{
			"alter table users", "create column users.role", "drop column users.rw", "rename column users.mail -> email",
			"alter column users.bio", "create index  on users", "create column users.created_at", "create column users.updated_at",
			"create table audit.log", "create column audit.log.id", "create column audit.log.payload",
			"create index users_role_idx on users", "rename table old -> new",
		}, ""},
		{"typeorm", func() ([]Object, string) {
			return readSQLCalls("export class AddRole1704628800000 implements MigrationInterface {\n"+
				"  public async up(queryRunner: QueryRunner): Promise<void> {\n"+
				"    await queryRunner.query(`ALTER TABLE \"users\" ADD \"role\" text`);\n  }\n"+
				"  public async down(queryRunner: QueryRunner): Promise<void> {\n"+
				"    await queryRunner.query(`DROP TABLE \"users\"`);\n  }\n}\n", langJS, "query")
		}, []string{"alter table users", "create column users.role"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs, unread := tc.read()
			if diff := cmp.Diff(tc.want, brief(objs)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if unread != tc.unread {
				t.Errorf("unread = %q, want %q", unread, tc.unread)
			}
		})
	}
}

// TestApplyHint: the command is the thing to run where the project runs it
// so; elsewhere the hint says to apply it as the deploys do.
func TestApplyHint(t *testing.T) {
	root := t.TempDir()
	dir := root + "/drizzle"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f := &Folder{Tool: Drizzle, Dir: dir}
	if got := f.applyHint(); !strings.HasPrefix(got, "apply it as this project's deploys apply migrations: drizzle's command is npx drizzle-kit migrate") {
		t.Errorf("no project file: %s", got)
	}
	if err := os.WriteFile(root+"/package.json", []byte(`{"scripts": {"db:migrate": "drizzle-kit migrate"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := f.applyHint(), "run npx drizzle-kit migrate ("+root+"/package.json runs drizzle)"; got != want {
		t.Errorf("package.json runs it: %s, want %s", got, want)
	}
	if got := (&Folder{Tool: Rails, Dir: dir}).applyHint(); got != "run bin/rails db:migrate" {
		t.Errorf("rails: %s", got)
	}
}
