-- Keycloak-style realms: varchar(36) ids, realm and client roles in one
-- table told apart by client_role, composite roles, user role and group
-- mappings, named constraints of Liquibase's kind (constraint_*, uk_*),
-- and a unique key over a nullable column that the realm id makes whole.
-- schemas: public
-- mutate missing-unique: ALTER TABLE keycloak_role DROP CONSTRAINT "UK_J3RWUVD56ONTGSUHOGM184WW2-2";
-- mutate missing-index: DROP INDEX idx_user_role_mapping;
CREATE TABLE realm (
    id varchar(36) NOT NULL,
    name varchar(255),
    enabled boolean DEFAULT false NOT NULL,
    ssl_required varchar(255),
    CONSTRAINT constraint_4a PRIMARY KEY (id),
    CONSTRAINT uk_orvsdmla56612eaefiq6wl5oi UNIQUE (name)
);
CREATE TABLE client (
    id varchar(36) NOT NULL,
    enabled boolean DEFAULT false NOT NULL,
    client_id varchar(255),
    realm_id varchar(36),
    public_client boolean DEFAULT false NOT NULL,
    CONSTRAINT constraint_7 PRIMARY KEY (id),
    CONSTRAINT uk_b71cjlbenv945rb6gcon438at UNIQUE (realm_id, client_id)
);
CREATE INDEX idx_client_id ON client (client_id);
CREATE TABLE keycloak_role (
    id varchar(36) NOT NULL,
    client_realm_constraint varchar(255),
    client_role boolean DEFAULT false NOT NULL,
    description varchar(255),
    name varchar(255),
    realm_id varchar(255),
    client varchar(36),
    realm varchar(36),
    CONSTRAINT constraint_a PRIMARY KEY (id),
    CONSTRAINT "UK_J3RWUVD56ONTGSUHOGM184WW2-2" UNIQUE (name, client_realm_constraint),
    CONSTRAINT fk_6vyqfe4cn4wlq8r6kt5vdsj5c FOREIGN KEY (realm) REFERENCES realm (id)
);
CREATE INDEX idx_keycloak_role_client ON keycloak_role (client);
CREATE INDEX idx_keycloak_role_realm ON keycloak_role (realm);
CREATE TABLE composite_role (
    composite varchar(36) NOT NULL,
    child_role varchar(36) NOT NULL,
    CONSTRAINT constraint_composite_role PRIMARY KEY (composite, child_role),
    CONSTRAINT fk_a63wvekftu8jo1pnj81e7mce2 FOREIGN KEY (composite) REFERENCES keycloak_role (id),
    CONSTRAINT fk_gr7thllb9lu8q4vqa4524jjy8 FOREIGN KEY (child_role) REFERENCES keycloak_role (id)
);
CREATE INDEX idx_composite ON composite_role (composite);
CREATE INDEX idx_composite_child ON composite_role (child_role);
CREATE TABLE user_entity (
    id varchar(36) NOT NULL,
    email varchar(255),
    email_constraint varchar(255),
    email_verified boolean DEFAULT false NOT NULL,
    enabled boolean DEFAULT false NOT NULL,
    realm_id varchar(255),
    username varchar(255),
    created_timestamp bigint,
    service_account_client_link varchar(255),
    not_before integer DEFAULT 0 NOT NULL,
    CONSTRAINT constraint_fb PRIMARY KEY (id),
    CONSTRAINT uk_dykn684sl8up1crfei6eckhd7 UNIQUE (realm_id, email_constraint),
    CONSTRAINT uk_ru8tt6t700s9v50bu18ws5ha6 UNIQUE (realm_id, username)
);
CREATE INDEX idx_user_email ON user_entity (email);
CREATE INDEX idx_user_service_account ON user_entity (realm_id, service_account_client_link);
CREATE TABLE user_role_mapping (
    role_id varchar(255) NOT NULL,
    user_id varchar(36) NOT NULL,
    CONSTRAINT constraint_c PRIMARY KEY (role_id, user_id),
    CONSTRAINT fk_c4fqv34p1mbylloxang7b1q3l FOREIGN KEY (user_id) REFERENCES user_entity (id)
);
CREATE INDEX idx_user_role_mapping ON user_role_mapping (user_id);
CREATE TABLE keycloak_group (
    id varchar(36) NOT NULL,
    name varchar(255),
    parent_group varchar(36) NOT NULL,
    realm_id varchar(36),
    CONSTRAINT constraint_group PRIMARY KEY (id),
    CONSTRAINT sibling_names UNIQUE (realm_id, parent_group, name)
);
CREATE TABLE group_role_mapping (
    role_id varchar(36) NOT NULL,
    group_id varchar(36) NOT NULL,
    CONSTRAINT constraint_group_role PRIMARY KEY (role_id, group_id),
    CONSTRAINT fk_group_role_group FOREIGN KEY (group_id) REFERENCES keycloak_group (id)
);
CREATE INDEX idx_group_role_mapp_group ON group_role_mapping (group_id);
