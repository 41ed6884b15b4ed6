-- Contracts (R-05): the tenants of the platform. Everything a customer owns hangs off one.
CREATE TABLE contracts (
    id {{ID}},
    service_code TEXT NOT NULL UNIQUE,          -- "DF-" + 8 characters, generated, never reused
    plan TEXT NOT NULL CHECK (plan IN ('standard', 'premium')),
    state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'cancelled')),
    description TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '{}',          -- JSON object of string → string
    ip_allowlist TEXT NOT NULL DEFAULT '[]',    -- JSON array of address prefixes; [] = any
    mfa_required BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
