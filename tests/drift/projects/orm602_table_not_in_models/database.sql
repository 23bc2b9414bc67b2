-- audit_log is left over from a deleted model; alembic_version and the view are not reported.
CREATE TABLE customers (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL);
CREATE TABLE audit_log (id SERIAL PRIMARY KEY, action TEXT NOT NULL);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
CREATE VIEW customer_emails AS SELECT email FROM customers;
