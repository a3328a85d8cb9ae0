-- The relay's tables on PostgreSQL: the same as relay.db's (the migration
-- copies row for row), plus one head row per team that every write to the
-- team locks, so its sequence numbers come without a global counter.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Per team: the last seq and the running hash there. Locked (FOR UPDATE)
-- by appends and roster ops of that team only.
CREATE TABLE IF NOT EXISTS heads (
    team  BYTEA PRIMARY KEY,
    seq   BIGINT NOT NULL,
    chain BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS envelopes (
    team        BYTEA NOT NULL,
    seq         BIGINT NOT NULL,
    id          BYTEA NOT NULL,
    sender      BYTEA NOT NULL,
    sender_seq  BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    chain       BYTEA,
    PRIMARY KEY (team, seq),
    UNIQUE (team, id),
    UNIQUE (team, sender, sender_seq)
);
-- Bytes each team's log and blobs hold, for its quota.
CREATE TABLE IF NOT EXISTS usage (
    team  BYTEA PRIMARY KEY,
    bytes BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS damaged (
    team BYTEA NOT NULL,
    seq  BIGINT NOT NULL,
    PRIMARY KEY (team, seq)
);
CREATE TABLE IF NOT EXISTS members (
    team        BYTEA NOT NULL,
    seq         BIGINT NOT NULL,
    id          BYTEA NOT NULL,
    op          TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    log_len     BIGINT,
    PRIMARY KEY (team, seq),
    UNIQUE (team, id)
);
CREATE TABLE IF NOT EXISTS invites (
    id          BYTEA PRIMARY KEY,
    team        BYTEA NOT NULL,
    claim_hash  BYTEA NOT NULL,
    sealed      BYTEA NOT NULL,
    expires_ms  BIGINT NOT NULL,
    used_at     BIGINT,
    claimed_by  BYTEA,
    invite_key  BYTEA
);
CREATE INDEX IF NOT EXISTS invites_expiry ON invites (expires_ms);
CREATE INDEX IF NOT EXISTS invites_team ON invites (team);
CREATE TABLE IF NOT EXISTS snapshots (
    team        BYTEA PRIMARY KEY,
    covers      BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code_hash  BYTEA PRIMARY KEY,
    expires_ms BIGINT NOT NULL,
    used_by    BYTEA
);
CREATE TABLE IF NOT EXISTS enrolled (
    device_key  BYTEA PRIMARY KEY,
    enrolled_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    team       BYTEA NOT NULL,
    device     BYTEA NOT NULL,
    scope      BYTEA NOT NULL,
    seq        BIGINT NOT NULL,
    checkpoint TEXT NOT NULL,
    PRIMARY KEY (team, device, scope)
);
CREATE TABLE IF NOT EXISTS blobs (
    team        BYTEA NOT NULL,
    address     BYTEA NOT NULL,
    bytes       BYTEA NOT NULL,
    sender      BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (team, address)
);
