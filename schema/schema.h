/*
 * schema — the numbered SQL migrations, embedded at build time from
 * schema/<backend>/NNNN_name.sql.  Applying them is the back end's job.
 */
#ifndef DRAFTBOT_SCHEMA_H
#define DRAFTBOT_SCHEMA_H

#include <stddef.h>

struct schema_migration {
	int version;     /* NNNN from the file name, 1, 2, … without gaps */
	const char *name; /* "init" */
	const char *sql;
};

/* SQLite migrations in version order; schema_sqlite_count of them. */
extern const struct schema_migration schema_sqlite[];
extern const size_t schema_sqlite_count;

#endif
