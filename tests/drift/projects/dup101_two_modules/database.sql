-- The CRM version is the one that was migrated.
CREATE TABLE customers (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL, hubspot_id VARCHAR(40));
