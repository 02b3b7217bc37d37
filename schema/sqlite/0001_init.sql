-- draftbot schema 1 (SQLite).  Times are integer milliseconds since the
-- Unix epoch, UTC.  Applied in one transaction with the schema_version row.

CREATE TABLE users (
	id           INTEGER PRIMARY KEY,        -- Telegram user id
	chat_id      INTEGER,                    -- private chat with the bot
	display_name TEXT NOT NULL DEFAULT '',
	timezone     TEXT NOT NULL DEFAULT 'UTC', -- IANA name
	locale       TEXT NOT NULL DEFAULT 'en',
	status       TEXT NOT NULL DEFAULT 'allowed'
	             CHECK (status IN ('allowed', 'blocked', 'pending', 'inactive')),
	settings     TEXT NOT NULL DEFAULT '{}', -- JSON: briefing time, default list, backend
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;

-- The command queue.  status: pending -> processing -> completed, or
-- failed (a retry is scheduled at run_at) -> processing …, or dead.
CREATE TABLE commands (
	id               INTEGER PRIMARY KEY,
	idempotency_key  TEXT NOT NULL UNIQUE,   -- e.g. tg:update:<update_id>
	type             TEXT NOT NULL,
	chat_id          INTEGER,                -- NULL: no per-chat order
	user_id          INTEGER,
	payload          TEXT NOT NULL DEFAULT '{}',
	status           TEXT NOT NULL DEFAULT 'pending'
	                 CHECK (status IN ('pending', 'processing', 'completed',
	                                   'failed', 'dead')),
	attempts         INTEGER NOT NULL DEFAULT 0,
	max_attempts     INTEGER NOT NULL,
	run_at           INTEGER NOT NULL,
	lease_owner      TEXT,
	lease_expires_at INTEGER,
	last_error       TEXT,
	result           TEXT,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	finished_at      INTEGER
) STRICT;
-- claim: runnable rows by run_at, id; rescue: expired leases
CREATE INDEX commands_runnable ON commands (status, run_at, id);
-- per-chat order: is a running or earlier command of this chat in the way?
-- Only active rows, so the check does not slow down as history grows.
CREATE INDEX commands_active_chat ON commands (chat_id, id)
	WHERE status IN ('pending', 'processing', 'failed');
-- pruning (partial: an enqueue does not write it)
CREATE INDEX commands_done ON commands (finished_at)
	WHERE status = 'completed';

-- Outgoing Telegram calls, written in the transaction of the state change
-- that caused them; the same life cycle as commands (completed = sent).
CREATE TABLE outbox (
	id               INTEGER PRIMARY KEY,
	idempotency_key  TEXT NOT NULL UNIQUE,   -- e.g. cmd:<id>:<n>
	type             TEXT NOT NULL,          -- Bot API method: sendMessage, …
	chat_id          INTEGER,
	user_id          INTEGER,
	payload          TEXT NOT NULL DEFAULT '{}',
	status           TEXT NOT NULL DEFAULT 'pending'
	                 CHECK (status IN ('pending', 'processing', 'completed',
	                                   'failed', 'dead')),
	attempts         INTEGER NOT NULL DEFAULT 0,
	max_attempts     INTEGER NOT NULL,
	run_at           INTEGER NOT NULL,
	lease_owner      TEXT,
	lease_expires_at INTEGER,
	last_error       TEXT,
	result           TEXT,                   -- Telegram's result, e.g. the message
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	finished_at      INTEGER
) STRICT;
CREATE INDEX outbox_runnable ON outbox (status, run_at, id);
CREATE INDEX outbox_active_chat ON outbox (chat_id, id)
	WHERE status IN ('pending', 'processing', 'failed');
CREATE INDEX outbox_done ON outbox (finished_at)
	WHERE status = 'completed';

CREATE TABLE drafts (
	id          INTEGER PRIMARY KEY,
	owner_id    INTEGER NOT NULL,            -- users.id of the only one who may confirm
	chat_id     INTEGER NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('task', 'event')),
	draft       TEXT NOT NULL DEFAULT '{}',  -- JSON: title, due, start/end, reasoning, …
	status      TEXT NOT NULL DEFAULT 'drafted'
	            CHECK (status IN ('drafted', 'confirmed', 'executing',
	                              'executed', 'cancelled', 'expired',
	                              'failed', 'undone')),
	message_id  INTEGER,                     -- Telegram message showing it
	version     INTEGER NOT NULL DEFAULT 1,
	command_id  INTEGER,                     -- the command that created it
	expires_at  INTEGER,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX drafts_owner ON drafts (owner_id, status, id);
CREATE INDEX drafts_expiry ON drafts (status, expires_at);
CREATE UNIQUE INDEX drafts_command ON drafts (command_id)
	WHERE command_id IS NOT NULL;

-- One row per external write: lets a re-run tell done from not done from
-- unknown (state 'intent' left by a crash: reconcile, do not re-run).
CREATE TABLE effects (
	id          INTEGER PRIMARY KEY,
	effect_key  TEXT NOT NULL UNIQUE,        -- e.g. draft:<id>:task
	draft_id    INTEGER,
	command_id  INTEGER,
	state       TEXT NOT NULL DEFAULT 'intent'
	            CHECK (state IN ('intent', 'done', 'failed', 'undone')),
	target      TEXT NOT NULL,               -- local | google_tasks | google_calendar
	remote_id   TEXT,
	result      TEXT,
	error       TEXT,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX effects_draft ON effects (draft_id);

-- Append-only.  Never holds tokens.
CREATE TABLE audit_log (
	id            INTEGER PRIMARY KEY,
	ts            INTEGER NOT NULL,
	actor         TEXT NOT NULL,             -- receiver, executor, operator, user
	action        TEXT NOT NULL,             -- command_created, draft_confirmed, …
	user_id       INTEGER,
	chat_id       INTEGER,
	entity_type   TEXT,
	entity_id     TEXT,
	source_msg_id INTEGER,
	details       TEXT NOT NULL DEFAULT '{}'
) STRICT;
-- pruning and --since.  Tailing walks the rowid backwards; filters by
-- user or action are applied on that walk, so no index is written for them
-- on every state change.
CREATE INDEX audit_ts ON audit_log (ts);

CREATE TABLE credentials (
	user_id     INTEGER NOT NULL,
	provider    TEXT NOT NULL,               -- google
	sealed      BLOB NOT NULL,               -- libsodium secretbox: nonce || box
	scopes      TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (user_id, provider)
) STRICT;
