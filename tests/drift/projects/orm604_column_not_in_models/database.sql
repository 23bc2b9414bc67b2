-- Columns added by another service: inserts through Customer fail on legacy_flag.
CREATE TABLE customers (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    legacy_flag BOOLEAN NOT NULL,
    notes TEXT,
    source VARCHAR(20) NOT NULL DEFAULT 'web'
);
