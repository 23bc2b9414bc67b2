-- email: nullable by default in the model, NOT NULL here; name: NOT NULL (Mapped[str]) in the
-- model, nullable here; nickname and city agree.
CREATE TABLE customers (
    id INTEGER NOT NULL PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    name VARCHAR(100),
    nickname VARCHAR(50),
    city VARCHAR(50) NOT NULL
);
