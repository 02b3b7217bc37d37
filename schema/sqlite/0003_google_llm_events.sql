-- draftbot schema 3 (SQLite): Google sign-in, LLM accounting and the
-- local event store.

-- One row per /connect: the OAuth state is single use and short-lived;
-- the PKCE verifier stays here, never in a URL.
CREATE TABLE oauth_states (
	state        TEXT PRIMARY KEY,           -- random, URL-safe
	user_id      INTEGER NOT NULL,
	chat_id      INTEGER,
	verifier     TEXT NOT NULL,              -- PKCE code_verifier
	redirect_uri TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	used_at      INTEGER                     -- set once, by the callback
) STRICT;
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);

-- Every LLM request: who caused it, what it cost (integer micro-units).
CREATE TABLE llm_usage (
	id                INTEGER PRIMARY KEY,
	user_id           INTEGER NOT NULL,
	ts                INTEGER NOT NULL,
	purpose           TEXT NOT NULL,         -- intent, draft
	outcome           TEXT NOT NULL,         -- ok, fallback reason
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	cost_micros       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX llm_usage_user ON llm_usage (user_id, ts);

-- The local calendar: confirmed events when Google is not connected.
CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	owner_id    INTEGER NOT NULL,
	draft_id    INTEGER,
	title       TEXT NOT NULL,
	start_at    INTEGER NOT NULL,            -- UTC ms (all-day: local midnight)
	end_at      INTEGER NOT NULL,            -- UTC ms, exclusive
	all_day     INTEGER NOT NULL DEFAULT 0,
	timezone    TEXT NOT NULL DEFAULT 'UTC', -- IANA
	location    TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	url         TEXT NOT NULL DEFAULT '',
	rrule       TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT 'confirmed'
	            CHECK (status IN ('confirmed', 'cancelled')),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX events_owner ON events (owner_id, start_at);
CREATE INDEX events_draft ON events (draft_id);
