exports.up = (pgm) => {
  pgm.createType('permission_scope', ['global', 'org', 'own']);
  pgm.createTable('role_permissions', {
    role_id: { type: 'integer', notNull: true, references: 'roles', onDelete: 'CASCADE' },
    permission_id: { type: 'integer', notNull: true, references: 'permissions' },
    scope: { type: 'permission_scope', notNull: true, default: 'global' },
  });
  pgm.addConstraint('role_permissions', 'role_permissions_pkey', { primaryKey: ['role_id', 'permission_id', 'scope'] });
};

exports.down = (pgm) => {
  pgm.dropTable('role_permissions');
  pgm.dropType('permission_scope');
};
