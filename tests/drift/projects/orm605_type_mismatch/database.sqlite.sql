CREATE TABLE orders (
    id INTEGER NOT NULL PRIMARY KEY,
    customer_id VARCHAR(36) NOT NULL,
    total TEXT NOT NULL,
    reference VARCHAR(50) NOT NULL,
    status VARCHAR(7) NOT NULL,
    created_at DATETIME NOT NULL
);
