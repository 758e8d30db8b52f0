-- Custom SQL migration file, put your code below! --
INSERT INTO "users" ("email") VALUES ('alice@example.com'), ('bob@example.com');--> statement-breakpoint
INSERT INTO "roles" ("name") VALUES ('admin'), ('viewer');--> statement-breakpoint
INSERT INTO "permissions" ("resource", "action") VALUES ('invoices', 'read'), ('invoices', 'write'), ('users', 'read');--> statement-breakpoint
INSERT INTO "user_roles" VALUES (1, 1), (2, 2);--> statement-breakpoint
INSERT INTO "role_permissions" VALUES (1, 'invoices', 'read'), (1, 'invoices', 'write'), (2, 'invoices', 'read');
