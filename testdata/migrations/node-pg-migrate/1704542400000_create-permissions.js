exports.up = (pgm) => {
  pgm.createTable('permissions', {
    id: 'id',
    resource: { type: 'text', notNull: true },
    action: { type: 'text', notNull: true },
  });
  pgm.addConstraint('permissions', 'permissions_resource_action_key', { unique: ['resource', 'action'] });
};

exports.down = (pgm) => {
  pgm.dropTable('permissions');
};
