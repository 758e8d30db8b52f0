class CreateMemberships < ActiveRecord::Migration[7.1]
  def change
    create_table :memberships do |t|
      t.bigint :user_id, null: false
      t.references :role, null: false, foreign_key: true
      t.timestamps
    end
  end
end
