-- email: unique in the model, a plain index here; created_at: no index here;
-- ix_customers_status: only here. The composite unique and index agree.
CREATE TABLE customers (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    station_id INTEGER NOT NULL,
    code VARCHAR(20) NOT NULL,
    first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    CONSTRAINT uq_customers_station_code UNIQUE (station_id, code)
);
CREATE INDEX ix_customers_email ON customers (email);
CREATE INDEX ix_customers_name ON customers (last_name, first_name);
CREATE INDEX ix_customers_status ON customers (status);
