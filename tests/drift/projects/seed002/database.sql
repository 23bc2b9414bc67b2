-- Production as the incident found it: the legacy core schema, and no public.customers.
CREATE SCHEMA core;
CREATE TABLE core.stations (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE core.customers (
    id UUID PRIMARY KEY,
    station_id UUID NOT NULL REFERENCES core.stations (id),
    email_encrypted TEXT NOT NULL,
    name_encrypted TEXT,
    phone_encrypted TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    updated_at TIMESTAMP WITH TIME ZONE
);
CREATE TABLE public.alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
