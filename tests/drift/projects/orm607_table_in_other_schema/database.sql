-- customers lives in core (same columns: only the schema is wrong); stations in public.
CREATE SCHEMA core;
CREATE TABLE core.customers (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL);
CREATE TABLE public.stations (id SERIAL PRIMARY KEY, label TEXT);
