exports.up = function (knex) {
  return knex.schema.createTable('roles', (t) => {
    t.increments('id');
    t.string('name', 64).notNullable().unique();
  });
};

exports.down = function (knex) {
  return knex.schema.dropTable('roles');
};
