DROP TABLE permissions;
