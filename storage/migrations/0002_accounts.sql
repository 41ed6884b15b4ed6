-- Accounts (R-06..R-12): platform staff and contract users in one table, their sessions, API
-- tokens, password resets and the counters that throttle password guessing.
-- Secrets are never stored in the clear: session ids, API tokens and reset tokens are kept as
-- SHA-256 hex digests, passwords as Argon2id strings, TOTP seeds sealed with the key file that
-- lives outside the database.
CREATE TABLE accounts (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'user')),
    login TEXT NOT NULL,                      -- as the person typed it
    login_key TEXT NOT NULL UNIQUE,           -- lower-case: one login per platform, any case
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,              -- Argon2id, libsodium's encoded string
    contract_id BIGINT REFERENCES contracts(id),
    role TEXT CHECK (role IN ('owner', 'admin', 'operator', 'viewer')),
    totp_secret {{BYTES}},                    -- sealed with SecretBox; NULL when not enrolled
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0, -- the last accepted time step: no code is used twice
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CHECK ((kind = 'staff' AND contract_id IS NULL AND role IS NULL)
        OR (kind = 'user' AND contract_id IS NOT NULL AND role IS NOT NULL))
);
CREATE INDEX accounts_contract ON accounts (contract_id);

CREATE TABLE sessions (
    id {{ID}},
    id_hash TEXT NOT NULL UNIQUE,             -- SHA-256 of the cookie value
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    mfa_pending BIGINT NOT NULL DEFAULT 0,    -- 1: may only enrol TOTP (contract requires MFA)
    source_address TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_seconds BIGINT NOT NULL,             -- the idle timeout in force at login
    expires_at BIGINT NOT NULL                -- the absolute timeout
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the token; the token is shown once
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    zones TEXT NOT NULL DEFAULT '[]',         -- JSON array of zone names; [] = every zone
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE password_resets (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id);

-- Failed logins per attempted login ("login:<lower-case login>") and per source address
-- ("addr:<address>"); unknown logins are counted like known ones so that throttling shows
-- nothing about which accounts exist.
CREATE TABLE login_failures (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL
);
