/** @type {import('node-pg-migrate').ColumnDefinitions | undefined} */
exports.shorthands = undefined;

exports.up = (pgm) => {
  pgm.createTable('roles', {
    id: 'id',
    name: { type: 'varchar(64)', notNull: true, unique: true },
  });
};

exports.down = (pgm) => {
  pgm.dropTable('roles');
};
