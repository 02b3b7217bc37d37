-- draftbot schema 2 (SQLite): the local task store, the draft being
-- edited, and outbox rows that refer back to what they show.

CREATE TABLE tasks (
	id          INTEGER PRIMARY KEY,
	owner_id    INTEGER NOT NULL,            -- users.id
	parent_id   INTEGER REFERENCES tasks (id) ON DELETE CASCADE,
	draft_id    INTEGER,                     -- the draft it was confirmed from
	title       TEXT NOT NULL,
	notes       TEXT NOT NULL DEFAULT '',
	due_date    TEXT,                        -- YYYY-MM-DD in the owner's zone
	due_time    TEXT,                        -- HH:MM, NULL = all day
	priority    INTEGER NOT NULL DEFAULT 0,  -- 0 none, 1 low, 2 high, 3 urgent
	status      TEXT NOT NULL DEFAULT 'open'
	            CHECK (status IN ('open', 'done')),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX tasks_owner ON tasks (owner_id, status, id);
CREATE INDEX tasks_draft ON tasks (draft_id);

-- 1 while the owner was asked "what should change?" and the next message
-- is the answer.
ALTER TABLE drafts ADD COLUMN editing INTEGER NOT NULL DEFAULT 0;

-- "draft:<id>": when this message is delivered, its message_id is the
-- draft's card; edits queued before that learn the id at delivery.
ALTER TABLE outbox ADD COLUMN ref TEXT;
