// Package prisma reads a Prisma schema (schema.prisma) and derives the model
// of the tables Prisma Migrate creates for it on PostgreSQL.
//
// # The parser
//
// [Parse] reads the Prisma schema language: model, view, type and enum
// blocks with their fields and attributes (@id, @@index([a, b]), arguments
// nested to any depth), datasource and generator settings, comments (//,
// ///), and strings with JSON's escapes. Every error names file:line:column.
//
// # The mapping
//
// [ToModel] follows what Prisma Migrate generates: a table per model
// (@@map, else the model's name; @@schema, else public), a column per scalar
// field (@map) typed by Prisma's default mapping or its @db native type,
// NOT NULL unless optional (lists are never NOT NULL), @id and @@id as the
// primary key, @unique and @@unique as unique keys, @@index as an index, and
// a foreign key per @relation(fields: ..., references: ...) with Prisma's
// default actions (on delete Restrict for a required relation, else SetNull;
// on update Cascade). autoincrement() is a serial column; now(), literals and
// dbgenerated("...") are database defaults rendered as PostgreSQL renders
// them; uuid(), cuid() and the other client-side defaults leave the column
// without one, and the model does not check it. With relationMode = "prisma"
// there are no foreign keys. Enums map with @map on values and @@map.
//
// # What it never does
//
// It never runs Prisma or Node and never reads the migrations: the schema is
// the application's statement of what it expects.
package prisma
