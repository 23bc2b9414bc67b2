-- Migrations created customers only: invoices and audit_events were never migrated.
CREATE TABLE customers (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(255) NOT NULL);
