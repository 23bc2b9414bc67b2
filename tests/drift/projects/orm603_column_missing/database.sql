-- phone was renamed phone_number by hand; loyalty_points was never migrated.
CREATE TABLE customers (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    phone_number VARCHAR(20)
);
