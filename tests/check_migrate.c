/*
 * check_migrate.c — tests for opening a queue database: a fresh file gets
 * the whole schema, an up-to-date one is left alone, and every kind of bad
 * file or path is refused with its own code and a sentence, without
 * changing anything: a newer schema, garbage, a directory, a missing
 * folder, a lock held past the busy timeout, an unknown back end.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "queue/audit.h"
#include "queue/queue.h"
#include "schema/schema.h"
#include "tests/testutil.h"

/* schema_version as text, one "version|name|applied_at" line per row. */
static void
version_rows(const char *db, char *buf, size_t len)
{
	sqlite3 *h = tu_sql_open(db);
	sqlite3_stmt *s = NULL;
	size_t used = 0;

	buf[0] = '\0';
	ck_assert_int_eq(sqlite3_prepare_v2(h,
	                     "SELECT version, name, applied_at FROM "
	                     "schema_version ORDER BY version",
	                     -1, &s, NULL),
	    SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int n = snprintf(buf + used, len - used, "%d|%s|%lld\n",
		    sqlite3_column_int(s, 0), sqlite3_column_text(s, 1),
		    (long long)sqlite3_column_int64(s, 2));

		ck_assert(n > 0 && (size_t)n < len - used);
		used += (size_t)n;
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
}

/* The whole file in a malloc'd buffer; its size in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
assert_same_file(const char *path, const char *want, size_t want_len)
{
	size_t len;
	char *got = slurp(path, &len);

	ck_assert_uint_eq(len, want_len);
	ck_assert_msg(memcmp(got, want, len) == 0, "%s changed", path);
	free(got);
}

/* queue_open must fail with r and leave *ret_q alone; returns nothing. */
static void
open_fails(const char *path, const struct queue_opts *o, int want)
{
	struct queue *q = (struct queue *)&q;
	int r = queue_open(path, o, &q);

	ck_assert_msg(r == want, "queue_open %s: %d, wanted %d (%s)", path, r,
	    want, queue_open_error());
	ck_assert_ptr_eq(q, (struct queue *)&q);
	ck_assert_str_ne(queue_open_error(), "");
}

START_TEST(fresh_file)
{
	static const char *const tables[] = {"schema_version", "users",
	    "commands", "drafts", "effects", "outbox", "audit_log",
	    "credentials"};
	char dir[256], db[320], rows[1024], want[128];
	struct queue *q;
	sqlite3 *h;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	q = tu_open(db, NULL);
	ck_assert_int_ge(queue_schema_latest(), 1);
	ck_assert_int_eq(queue_schema_latest(), (int)schema_sqlite_count);
	ck_assert_int_eq(queue_schema_version(q), queue_schema_latest());
	ck_assert_str_eq(queue_open_error(), "");
	h = tu_sql_open(db);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[160];

		snprintf(sql, sizeof(sql),
		    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		    "AND name = '%s'",
		    tables[i]);
		ck_assert_msg(
		    tu_sql_int(h, sql) == 1, "no table %s", tables[i]);
	}
	ck_assert_int_eq(tu_sql_int(h, "SELECT count(*) FROM schema_version"),
	    queue_schema_latest());
	sqlite3_close(h);
	/* one row per migration, in order, under its name */
	version_rows(db, rows, sizeof(rows));
	{
		const char *at = rows;

		for (size_t i = 0; i < schema_sqlite_count; i++) {
			ck_assert_int_eq(schema_sqlite[i].version, (int)i + 1);
			snprintf(want, sizeof(want), "%d|%s|",
			    schema_sqlite[i].version, schema_sqlite[i].name);
			at = strstr(at, want);
			ck_assert_msg(at != NULL, "no row %s after row %zu",
			    want, i);
			at += strlen(want);
		}
	}
	queue_close(q);
	tu_rmtree(dir);
}
END_TEST

START_TEST(wal_mode)
{
	char dir[256], db[320];
	struct queue *q;
	sqlite3 *h;
	sqlite3_stmt *s = NULL;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	q = tu_open(db, NULL);
	h = tu_sql_open(db);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(h);
	queue_close(q);
	tu_rmtree(dir);
}
END_TEST

START_TEST(reopen_keeps_schema)
{
	char dir[256], db[320], before[1024], after[1024];
	int64_t later = 1900000000000LL, id;
	struct queue_cmd *c;
	struct queue *q;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	q = tu_open(db, NULL);
	id = tu_enqueue(q, "kept", 0);
	queue_close(q);
	version_rows(db, before, sizeof(before));
	/* a later clock would show in applied_at if anything re-ran */
	q = tu_open(db, &later);
	ck_assert_int_eq(queue_schema_version(q), queue_schema_latest());
	c = tu_get(q, id);
	ck_assert_str_eq(c->key, "kept");
	queue_cmd_free(c);
	queue_close(q);
	version_rows(db, after, sizeof(after));
	ck_assert_str_eq(after, before);
	tu_rmtree(dir);
}
END_TEST

START_TEST(newer_schema)
{
	char dir[256], db[320], sql[160], before[1024], after[1024];
	char want[64];
	struct queue *q;
	size_t len;
	sqlite3 *h;
	char *bytes;
	int latest = queue_schema_latest();

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	q = tu_open(db, NULL);
	queue_close(q);
	h = tu_sql_open(db);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO schema_version (version, name, applied_at) "
	    "VALUES (%d, 'from_the_future', 1)",
	    latest + 1);
	tu_sql_exec(h, sql);
	sqlite3_close(h);
	version_rows(db, before, sizeof(before));
	bytes = slurp(db, &len);

	open_fails(db, NULL, -EPROTO);
	snprintf(want, sizeof(want), "schema version %d", latest + 1);
	ck_assert_msg(
	    strstr(queue_open_error(), want) != NULL, "%s", queue_open_error());
	snprintf(want, sizeof(want), "up to %d", latest);
	ck_assert_msg(
	    strstr(queue_open_error(), want) != NULL, "%s", queue_open_error());
	ck_assert_ptr_nonnull(strstr(queue_open_error(), "newer"));
	ck_assert_ptr_nonnull(strstr(queue_strerror(-EPROTO), "newer"));

	version_rows(db, after, sizeof(after));
	ck_assert_str_eq(after, before);
	assert_same_file(db, bytes, len);
	free(bytes);
	tu_rmtree(dir);
}
END_TEST

START_TEST(garbage_file)
{
	char dir[256], db[320], text[320];
	static const char notes[] = "db = /var/lib/draftbot/queue.db\n";
	unsigned char junk[8192];

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "random.db");
	srand(12345);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	write_file(db, junk, sizeof(junk));
	open_fails(db, NULL, -EBADMSG);
	ck_assert_ptr_nonnull(strstr(queue_open_error(), db));
	ck_assert_ptr_nonnull(strstr(queue_open_error(), "not a database"));
	assert_same_file(db, (const char *)junk, sizeof(junk));
	ck_assert_ptr_nonnull(strstr(queue_strerror(-EBADMSG), "corrupt"));

	/* an operator pointing db at a text file by mistake */
	tu_path(text, sizeof(text), dir, "draftbot.conf");
	write_file(text, notes, strlen(notes));
	open_fails(text, NULL, -EBADMSG);
	assert_same_file(text, notes, strlen(notes));
	tu_rmtree(dir);
}
END_TEST

START_TEST(directory_path)
{
	char dir[256];

	tu_tmpdir(dir, sizeof(dir));
	open_fails(dir, NULL, -EISDIR);
	ck_assert_ptr_nonnull(strstr(queue_open_error(), "is a directory"));
	ck_assert_str_eq(
	    queue_strerror(-EISDIR), "the database path is a directory");
	tu_rmtree(dir);
}
END_TEST

START_TEST(missing_folder)
{
	char dir[256], db[320], sub[300];
	struct stat st;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(sub, sizeof(sub), dir, "no-such-folder");
	tu_path(db, sizeof(db), sub, "queue.db");
	open_fails(db, NULL, -ENOENT);
	ck_assert_ptr_nonnull(strstr(queue_open_error(), db));
	ck_assert_str_eq(queue_strerror(-ENOENT), "no such file or directory");
	ck_assert_int_ne(stat(sub, &st), 0); /* nothing created */
	tu_rmtree(dir);
}
END_TEST

START_TEST(unknown_backend)
{
	struct queue_opts o = {.backend = "postgresx"};
	char dir[256], db[320];
	struct stat st;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	open_fails(db, &o, -ENOTSUP);
	ck_assert_str_eq(
	    queue_open_error(), "unknown queue back end 'postgresx'");
	ck_assert_int_ne(stat(db, &st), 0);
	ck_assert_str_eq(queue_strerror(-ENOTSUP), "not supported");
	tu_rmtree(dir);
}
END_TEST

START_TEST(locked_write)
{
	struct queue_opts o = {.actor = "test", .busy_timeout_ms = 100};
	struct queue_new n = {.type = "message", .key = "blocked"};
	char dir[256], db[320];
	struct queue *q, *q2 = NULL;
	struct queue_stats st;
	struct timespec t0;
	int64_t id = -1, ms;
	sqlite3 *h;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	q = tu_open(db, NULL);
	queue_close(q);
	h = tu_sql_open(db);
	tu_sql_exec(h, "BEGIN IMMEDIATE");
	tu_sql_exec(h,
	    "INSERT INTO commands (idempotency_key, type, "
	    "max_attempts, run_at, created_at, updated_at) "
	    "VALUES ('raw', 'message', 5, 0, 0, 0)");
	/* Opening only reads: it works while another holds the lock. */
	ck_assert_int_eq(queue_open(db, &o, &q2), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(queue_enqueue(q2, &n, &id, NULL), -EBUSY);
	ms = tu_ms_since(&t0);
	ck_assert_msg(ms >= 80, "gave up after %lld ms", (long long)ms);
	ck_assert_ptr_nonnull(strstr(queue_errmsg(q2), "locked"));
	ck_assert_int_eq(id, -1);
	ck_assert_str_eq(queue_strerror(-EBUSY),
	    "the database stayed locked past the busy timeout");
	tu_sql_exec(h, "ROLLBACK");
	sqlite3_close(h);
	ck_assert_int_eq(queue_stats(q2, &st), 0);
	for (int i = 0; i < QUEUE_NSTATUS; i++)
		ck_assert_int_eq(st.count[i], 0);
	{
		struct audit_filter f = {0};
		int64_t last = 0;

		ck_assert_int_eq(audit_query(q2, &f, NULL, NULL, &last), 0);
		ck_assert_int_eq(last, 0);
	}
	/* the lock is gone: the same enqueue now works */
	ck_assert_int_eq(queue_enqueue(q2, &n, &id, NULL), 0);
	ck_assert_int_gt(id, 0);
	queue_close(q2);
	tu_rmtree(dir);
}
END_TEST

START_TEST(locked_during_open)
{
	struct queue_opts o = {.actor = "test", .busy_timeout_ms = 100};
	char dir[256], db[320];
	struct queue *q = NULL;
	sqlite3 *h = NULL;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "queue.db");
	/* Another program creating the file holds it exclusively. */
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	tu_sql_exec(h, "BEGIN EXCLUSIVE; CREATE TABLE theirs (a)");
	open_fails(db, &o, -EBUSY);
	ck_assert_ptr_nonnull(strstr(queue_open_error(), "locked"));
	tu_sql_exec(h, "ROLLBACK");
	sqlite3_close(h);
	ck_assert_int_eq(queue_open(db, &o, &q), 0);
	ck_assert_int_eq(queue_schema_version(q), queue_schema_latest());
	queue_close(q);
	tu_rmtree(dir);
}
END_TEST

/*
 * An SQLite file of another program whose tables clash with ours: the
 * migration fails as a whole, none of our tables is left half-made and
 * its data is untouched.
 */
START_TEST(foreign_database)
{
	char dir[256], db[320];
	sqlite3 *h = NULL;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(db, sizeof(db), dir, "other.db");
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	tu_sql_exec(h,
	    "CREATE TABLE effects (x TEXT); "
	    "INSERT INTO effects VALUES ('theirs')");
	sqlite3_close(h);
	{
		struct queue *q = (struct queue *)&q;

		/* somebody else's database: refused before anything is written
		 */
		ck_assert_int_eq(queue_open(db, NULL, &q), -EBADMSG);
		ck_assert_ptr_eq(q, (struct queue *)&q);
	}
	ck_assert_ptr_nonnull(
	    strstr(queue_open_error(), "an SQLite database of something else"));
	ck_assert_ptr_nonnull(strstr(queue_open_error(), "left unchanged"));
	h = tu_sql_open(db);
	ck_assert_int_eq(tu_sql_int(h,
	                     "SELECT count(*) FROM sqlite_master "
	                     "WHERE name IN ('users', 'commands', "
	                     "'outbox', 'audit_log', 'drafts', "
	                     "'schema_version')"),
	    0);
	/* not even switched to WAL */
	ck_assert_int_eq(tu_sql_int(h,
	                     "SELECT journal_mode = 'delete' FROM "
	                     "pragma_journal_mode"),
	    1);
	ck_assert_int_eq(
	    tu_sql_int(h, "SELECT count(*) FROM effects WHERE x = 'theirs'"),
	    1);
	sqlite3_close(h);
	tu_rmtree(dir);
}
END_TEST

START_TEST(strerror_sentences)
{
	static const int codes[] = {-EISDIR, -ENOENT, -EACCES, -EROFS, -EBADMSG,
	    -EPROTO, -EBUSY, -ESTALE, -EINVAL, -ENOSPC, -ENOTSUP, -EIO};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *m = queue_strerror(codes[i]);

		ck_assert_ptr_nonnull(m);
		ck_assert_msg(strlen(m) > 8, "code %d: '%s'", codes[i], m);
		ck_assert_msg(
		    strstr(m, "Unknown error") == NULL, "code %d", codes[i]);
	}
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("open");

	tcase_add_test(tc, fresh_file);
	tcase_add_test(tc, wal_mode);
	tcase_add_test(tc, reopen_keeps_schema);
	tcase_add_test(tc, newer_schema);
	tcase_add_test(tc, garbage_file);
	tcase_add_test(tc, directory_path);
	tcase_add_test(tc, missing_folder);
	tcase_add_test(tc, unknown_backend);
	tcase_add_test(tc, locked_write);
	tcase_add_test(tc, locked_during_open);
	tcase_add_test(tc, foreign_database);
	tcase_add_test(tc, strerror_sentences);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(migrate_suite());
}
