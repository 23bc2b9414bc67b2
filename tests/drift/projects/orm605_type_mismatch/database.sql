-- customer_id and total really differ; reference and created_at only with --exact-types;
-- status is the VARCHAR that Enum(native_enum=False) creates, never a mismatch.
CREATE TABLE orders (
    id SERIAL PRIMARY KEY,
    customer_id UUID NOT NULL,
    total TEXT NOT NULL,
    reference VARCHAR(50) NOT NULL,
    status VARCHAR(7) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
