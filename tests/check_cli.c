/*
 * check_cli — the operator CLI end to end: every case runs the real draftbot
 * binary ($DRAFTBOT_BIN) against a database in its own scratch folder, and
 * reads stdout, stderr and the exit code the way an operator or a script
 * would.  Bad input must name the problem, exit 2 (usage) or 1 (runtime) and
 * leave the database as it was.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/settings.h"
#include "common/timeutil.h"
#include "queue/queue.h"
#include "tests/testutil.h"

#define OUT_MAX (1 << 16)
#define ERR_MAX 4096
#define WAIT_MS 10000 /* guards against hanging only; not a timing test */

/* What one run of draftbot produced. */
struct res {
	int code;
	char out[OUT_MAX];
	char err[ERR_MAX];
};

/* The case's scratch folder and database, set by the fixture. */
static char tmp[PATH_MAX], db[PATH_MAX], dbenv[PATH_MAX + 16];
static const char *db_only[] = {dbenv, NULL};

static void
setup(void)
{
	tu_tmpdir(tmp, sizeof(tmp));
	tu_path(db, sizeof(db), tmp, "d.db");
	snprintf(dbenv, sizeof(dbenv), "DRAFTBOT_DB=%s", db);
}

static void
runv(struct res *r, const char *const *env, const char *const *argv)
{
	r->code =
	    tu_run(argv, env, r->out, sizeof(r->out), r->err, sizeof(r->err));
}

/* RUN(&res, env, "queue", "stats") runs draftbot queue stats with env;
 * DB(&res, …) with only DRAFTBOT_DB=<case db>. */
#define RUN(r, env, ...)                                                       \
	runv((r), (env), (const char *const[]){__VA_ARGS__, NULL})
#define DB(r, ...) RUN((r), db_only, __VA_ARGS__)

/* Exit code, exact stderr, empty stdout. */
#define ck_refused(r, want_code, want_err)                                     \
	do {                                                                   \
		ck_assert_msg((r)->code == (want_code),                        \
		    "exit %d, want %d; stderr: %s", (r)->code, (want_code),    \
		    (r)->err);                                                 \
		ck_assert_str_eq((r)->err, (want_err));                        \
		ck_assert_str_eq((r)->out, "");                                \
	} while (0)

/* Exit 0 and nothing on stderr. */
#define ck_ok(r)                                                               \
	do {                                                                   \
		ck_assert_msg((r)->code == 0, "exit %d; stderr: %s",           \
		    (r)->code, (r)->err);                                      \
		ck_assert_str_eq((r)->err, "");                                \
	} while (0)

static struct json_object *
parse(const char *text, enum json_type want)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_msg(o != NULL, "not JSON: %s", text);
	ck_assert_msg(json_object_is_type(o, want), "not a %s: %s",
	    json_type_to_name(want), text);
	return o;
}

/* o[key], which must exist and be of type want (borrowed). */
static struct json_object *
field(struct json_object *o, const char *key, enum json_type want)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s in %s",
	    key, json_object_to_json_string(o));
	ck_assert_msg(json_object_is_type(v, want), "%s is not a %s in %s", key,
	    json_type_to_name(want), json_object_to_json_string(o));
	return v;
}

static int64_t
int_field(struct json_object *o, const char *key)
{
	return json_object_get_int64(field(o, key, json_type_int));
}

static const char *
str_field(struct json_object *o, const char *key)
{
	return json_object_get_string(field(o, key, json_type_string));
}

/* The count of status from `queue stats --json`. */
static int64_t
stat_count(const char *status)
{
	struct json_object *o;
	struct res r;
	int64_t n;

	DB(&r, "queue", "stats", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	n = int_field(o, status);
	json_object_put(o);
	return n;
}

/* Everything an operator can see of the database, as text to compare. */
static void
snapshot(char *buf, size_t len)
{
	struct res r;

	DB(&r, "queue", "list", "--limit", "100000", "--json");
	ck_ok(&r);
	snprintf(buf, len, "%s", r.out);
	DB(&r, "audit", "tail", "-n", "1000000", "--json");
	ck_ok(&r);
	ck_assert(strlen(buf) + strlen(r.out) + 1 < len);
	strcat(buf, r.out);
}

/* A database with one pending command "k1", as most cases start. */
static void
make_db(void)
{
	struct res r;

	DB(&r, "queue", "add", "--type", "message", "--key", "k1");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "command 1 added with key k1\n");
}

/* Split text into lines in place; returns how many (at most max). */
static int
split_lines(char *text, char **v, int max)
{
	char *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL && n < max;
	     line = strtok_r(NULL, "\n", &save))
		v[n++] = line;
	return n;
}

/* Does line show audit row "command_created" of command id? */
static bool
created_line(const char *line, int64_t id)
{
	char want[64];

	snprintf(want, sizeof(want), " command %lld ", (long long)id);
	return strstr(line, "command_created") != NULL &&
	    strstr(line, want) != NULL;
}

/*
 * Run a refused command twice: against a folder with no database (which must
 * stay without one), and against a database with one command (which must
 * look the same afterwards).  Each time: exit code, exact stderr, no stdout.
 */
static void
refused(const char *const *env, const char *const *argv, int want_code,
    const char *want_err)
{
	static char before[OUT_MAX * 2], after[OUT_MAX * 2];
	struct res r;

	runv(&r, env, argv);
	ck_refused(&r, want_code, want_err);
	ck_assert_int_eq(tu_file_size(db), -1);
	make_db();
	snapshot(before, sizeof(before));
	runv(&r, env, argv);
	ck_refused(&r, want_code, want_err);
	snapshot(after, sizeof(after));
	ck_assert_str_eq(before, after);
}

#define REFUSED(env, code, err, ...)                                           \
	refused((env), (const char *const[]){__VA_ARGS__, NULL}, (code), (err))

/* --- google and user: bad input ------------------------------------------ */

/* Remove the case's database (each refused() makes one). */
static void
drop_db(void)
{
	char p[PATH_MAX + 8];

	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-bell", db);
	tu_rmtree(p);
}

/* Google's commands refuse bad arguments, unreadable token files and a
 * missing Google configuration before touching the database. */
START_TEST(google_bad_input)
{
	char tok[PATH_MAX], empty[PATH_MAX], missing[PATH_MAX];
	char want[3 * PATH_MAX];
	FILE *fp;

	tu_path(tok, sizeof(tok), tmp, "tok");
	tu_path(empty, sizeof(empty), tmp, "empty");
	tu_path(missing, sizeof(missing), tmp, "missing");
	fp = fopen(tok, "w");
	fputs("1//refresh-token\n", fp);
	fclose(fp);
	fp = fopen(empty, "w");
	fclose(fp);
	REFUSED(db_only, 2,
	    "draftbot: google import-token needs --user and "
	    "--refresh-token-file\nusage: draftbot google import-token --user "
	    "ID --refresh-token-file FILE\n",
	    "google", "import-token");
	drop_db();
	REFUSED(db_only, 2,
	    "draftbot: --user needs a Telegram user id\n", "google",
	    "import-token", "--user", "ann", "--refresh-token-file", tok);
	drop_db();
	snprintf(want, sizeof(want),
	    "draftbot: cannot read %s: No such file or directory\n", missing);
	REFUSED(db_only, 1, want, "google", "import-token", "--user", "5",
	    "--refresh-token-file", missing);
	drop_db();
	snprintf(want, sizeof(want), "draftbot: %s is empty\n", empty);
	REFUSED(db_only, 1, want, "google", "import-token", "--user", "5",
	    "--refresh-token-file", empty);
	drop_db();
	REFUSED(db_only, 1,
	    "draftbot: Google is not configured: set google_client_id and "
	    "google_client_secret\n",
	    "google", "import-token", "--user", "5", "--refresh-token-file",
	    tok);
	drop_db();
	REFUSED(db_only, 2,
	    "draftbot: google connect needs --user\nusage: draftbot google "
	    "connect --user ID [--timeout DURATION]\n",
	    "google", "connect");
	drop_db();
	REFUSED(db_only, 2,
	    "draftbot: --timeout needs a duration (10m)\n", "google",
	    "connect", "--user", "5", "--timeout", "soon");
	drop_db();
	REFUSED(db_only, 1,
	    "draftbot: Google is not configured: set google_client_id and "
	    "google_client_secret\n",
	    "google", "connect", "--user", "5");
	drop_db();
}
END_TEST

/* user show: a bad id is a usage error; an unknown person is named and
 * the database is left as it was. */
START_TEST(user_show_bad_input)
{
	static char before[OUT_MAX * 2], after[OUT_MAX * 2];
	struct res r;

	REFUSED(db_only, 2,
	    "draftbot: user show needs a Telegram user id\n", "user", "show",
	    "abc");
	drop_db();
	make_db();
	snapshot(before, sizeof(before));
	DB(&r, "user", "show", "42", "--json");
	ck_refused(&r, 1,
	    "draftbot: no user 42 (they have not written to the bot)\n");
	snapshot(after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

/* --- help and version ---------------------------------------------------- */

START_TEST(help_lists_every_command)
{
	static const char *const cmds[] = {"run", "receive", "execute", "chat",
	    "queue", "audit", "migrate", "config", NULL};
	char want[64];
	struct res r;

	DB(&r, "--help");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "usage: draftbot ", 16) == 0);
	for (int i = 0; cmds[i] != NULL; i++) {
		snprintf(want, sizeof(want), "\n  %-10s ", cmds[i]);
		ck_assert_msg(strstr(r.out, want) != NULL, "no '%s' in %s",
		    cmds[i], r.out);
	}
	ck_assert_int_eq(tu_file_size(db), -1);
}
END_TEST

START_TEST(group_help)
{
	struct res r;

	DB(&r, "queue", "--help");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "usage: draftbot queue COMMAND", 29) == 0);
	for (const char *const *c = (const char *const[]){"add", "stats",
	         "list", "dead", "retry", "prune", NULL};
	     *c != NULL; c++) {
		char want[32];

		snprintf(want, sizeof(want), "\n  %-10s ", *c);
		ck_assert_msg(strstr(r.out, want) != NULL, "no %s", *c);
	}
	DB(&r, "queue", "add", "--help");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "usage: draftbot queue add --type T --key K",
	              42) == 0);
	DB(&r, "audit", "tail", "--help");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "usage: draftbot audit tail", 26) == 0);
	DB(&r, "config", "--help");
	ck_ok(&r);
	ck_assert(strstr(r.out, "\n  check ") != NULL);
	/* help never opens, let alone creates, the database */
	ck_assert_int_eq(tu_file_size(db), -1);
}
END_TEST

START_TEST(version)
{
	struct res r;

	DB(&r, "--version");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "draftbot ", 9) == 0);
	ck_assert(r.out[9] >= '0' && r.out[9] <= '9');
	ck_assert(r.out[strlen(r.out) - 1] == '\n');
	ck_assert(strchr(r.out, '\n') == r.out + strlen(r.out) - 1);
}
END_TEST

/* --- migrate ------------------------------------------------------------- */

START_TEST(migrate_prints_version)
{
	struct json_object *o;
	char want[PATH_MAX + 128];
	struct res r;
	int latest = queue_schema_latest();

	ck_assert_int_gt(latest, 0);
	DB(&r, "migrate");
	ck_ok(&r);
	snprintf(want, sizeof(want),
	    "%s: schema version %d (this draftbot knows up to %d)\n", db,
	    latest, latest);
	ck_assert_str_eq(r.out, want);
	ck_assert_int_gt(tu_file_size(db), 0);
	/* again: nothing left to apply, same answer */
	DB(&r, "migrate", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "schema_version"), latest);
	ck_assert_int_eq(int_field(o, "latest"), latest);
	ck_assert_str_eq(str_field(o, "db"), db);
	json_object_put(o);
}
END_TEST

/* A path with a quote and a backslash must still give valid JSON. */
START_TEST(migrate_json_odd_path)
{
	char path[PATH_MAX], env[PATH_MAX + 16];
	const char *envs[] = {env, NULL};
	struct json_object *o;
	struct res r;

	tu_path(path, sizeof(path), tmp, "we\"ird\\name.db");
	snprintf(env, sizeof(env), "DRAFTBOT_DB=%s", path);
	RUN(&r, envs, "migrate", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_str_eq(str_field(o, "db"), path);
	ck_assert_int_eq(int_field(o, "schema_version"), queue_schema_latest());
	json_object_put(o);
}
END_TEST

/* --- queue add ----------------------------------------------------------- */

START_TEST(add_is_idempotent)
{
	struct json_object *o;
	struct res r;

	make_db();
	DB(&r, "queue", "add", "--type", "message", "--key", "k1");
	ck_ok(&r);
	ck_assert_str_eq(
	    r.out, "command 1 already exists with key k1 (nothing added)\n");
	ck_assert_int_eq(stat_count("pending"), 1);

	DB(&r, "queue", "add", "--type", "message", "--key", "k1", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "id"), 1);
	ck_assert(
	    json_object_get_boolean(field(o, "duplicate", json_type_boolean)));
	json_object_put(o);

	DB(&r, "queue", "add", "--type", "message", "--key", "k2", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "id"), 2);
	ck_assert(
	    !json_object_get_boolean(field(o, "duplicate", json_type_boolean)));
	json_object_put(o);
	ck_assert_int_eq(stat_count("pending"), 2);

	/* the duplicates wrote no audit rows */
	DB(&r, "audit", "tail", "--action", "command_created");
	ck_ok(&r);
	{
		char *v[8];

		ck_assert_int_eq(split_lines(r.out, v, 8), 2);
		ck_assert(created_line(v[0], 1) && created_line(v[1], 2));
	}
}
END_TEST

START_TEST(add_with_every_option)
{
	struct json_object *a, *c, *p;
	struct res r;

	DB(&r, "queue", "add", "--type", "reminder", "--key", "opt", "--chat",
	    "-1001", "--user", "42", "--payload",
	    "{\"text\":\"hi\",\"n\":[1,2]}", "--run-at", "2030-01-02T03:04:05Z",
	    "--max-attempts", "3");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "command 1 added with key opt\n");
	DB(&r, "queue", "list", "--json");
	ck_ok(&r);
	a = parse(r.out, json_type_array);
	ck_assert_int_eq(json_object_array_length(a), 1);
	c = json_object_array_get_idx(a, 0);
	ck_assert_str_eq(str_field(c, "type"), "reminder");
	ck_assert_str_eq(str_field(c, "key"), "opt");
	ck_assert_int_eq(int_field(c, "chat_id"), -1001);
	ck_assert_int_eq(int_field(c, "user_id"), 42);
	ck_assert_int_eq(int_field(c, "max_attempts"), 3);
	ck_assert_str_eq(str_field(c, "run_at"), "2030-01-02T03:04:05.000Z");
	p = field(c, "payload", json_type_object);
	ck_assert_str_eq(str_field(p, "text"), "hi");
	ck_assert_int_eq(
	    json_object_array_length(field(p, "n", json_type_array)), 2);
	json_object_put(a);
}
END_TEST

/* --- queue stats --------------------------------------------------------- */

START_TEST(stats_json_and_human)
{
	static const char *const keys[] = {
	    "pending", "processing", "completed", "failed", "dead", NULL};
	struct json_object *o, *v;
	struct res r;

	DB(&r, "queue", "stats", "--json");
	ck_ok(&r);
	ck_assert(strchr(r.out, '\n') == r.out + strlen(r.out) - 1);
	o = parse(r.out, json_type_object);
	for (int i = 0; keys[i] != NULL; i++)
		ck_assert_int_eq(int_field(o, keys[i]), 0);
	field(o, "oldest_pending_age_s", json_type_null);
	json_object_put(o);

	make_db();
	DB(&r, "queue", "stats", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "pending"), 1);
	for (int i = 1; keys[i] != NULL; i++)
		ck_assert_int_eq(int_field(o, keys[i]), 0);
	ck_assert(json_object_object_get_ex(o, "oldest_pending_age_s", &v));
	ck_assert_msg(json_object_is_type(v, json_type_double) ||
	        json_object_is_type(v, json_type_int),
	    "oldest_pending_age_s is not a number: %s", r.out);
	ck_assert(json_object_get_double(v) >= 0);
	json_object_put(o);

	DB(&r, "queue", "stats");
	ck_ok(&r);
	ck_assert(strncmp(r.out, "commands\n", 9) == 0);
	ck_assert(strstr(r.out, "\n  pending     1\n") != NULL);
	for (int i = 1; keys[i] != NULL; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %-11s 0\n", keys[i]);
		ck_assert_msg(
		    strstr(r.out, want) != NULL, "no %s in %s", keys[i], r.out);
	}
	ck_assert(strstr(r.out, "\n  oldest pending: ") != NULL);
}
END_TEST

/* --- queue list, dead ---------------------------------------------------- */

START_TEST(list_forms)
{
	static const char *const keys[] = {"id", "key", "type", "status",
	    "chat_id", "user_id", "attempts", "max_attempts", "run_at",
	    "created_at", "lease_owner", "last_error", "payload", NULL};
	struct json_object *a, *c;
	struct res r;
	char *v[16];

	DB(&r, "queue", "list");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "no commands\n");
	make_db();
	DB(&r, "queue", "add", "--type", "message", "--key", "k2", "--chat",
	    "7");
	ck_ok(&r);
	DB(&r, "queue", "add", "--type", "message", "--key", "k3");
	ck_ok(&r);

	DB(&r, "queue", "list");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 16), 4);
	ck_assert(strncmp(v[0], "ID ", 3) == 0);
	/* newest first */
	ck_assert(strncmp(v[1], "3 ", 2) == 0 && strstr(v[1], " k3") != NULL);
	ck_assert(strncmp(v[2], "2 ", 2) == 0 && strstr(v[2], " 7 ") != NULL);
	ck_assert(strncmp(v[3], "1 ", 2) == 0 && strstr(v[3], "pending"));

	DB(&r, "queue", "list", "--limit", "2");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 16), 3);
	ck_assert(strncmp(v[2], "2 ", 2) == 0);

	DB(&r, "queue", "list", "--json", "--limit", "2");
	ck_ok(&r);
	a = parse(r.out, json_type_array);
	ck_assert_int_eq(json_object_array_length(a), 2);
	c = json_object_array_get_idx(a, 1);
	for (int i = 0; keys[i] != NULL; i++)
		ck_assert_msg(json_object_object_get_ex(c, keys[i], NULL),
		    "no %s in %s", keys[i], r.out);
	ck_assert_int_eq(int_field(c, "id"), 2);
	ck_assert_str_eq(str_field(c, "status"), "pending");
	ck_assert_int_eq(int_field(c, "chat_id"), 7);
	field(c, "user_id", json_type_null);
	field(c, "lease_owner", json_type_null);
	field(c, "payload", json_type_object);
	json_object_put(a);

	DB(&r, "queue", "list", "--status", "dead");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "no commands\n");
	DB(&r, "queue", "list", "--status", "dead", "--json");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "[]\n");
	DB(&r, "queue", "dead");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "no commands\n");
}
END_TEST

/* --- queue retry --------------------------------------------------------- */

/* Claim command 1 and fail it for good through the queue API, as a worker
 * in this process would: it goes to dead. */
static void
kill_command_1(void)
{
	struct queue_cmd *c = NULL;
	struct queue *q;

	q = tu_open(db, NULL);
	c = tu_claim(q, "test", 60000);
	ck_assert_int_eq(c->id, 1);
	ck_assert_int_eq(queue_fail(q, c, QUEUE_PERMANENT, 0, "boom"), 0);
	queue_cmd_free(c);
	queue_close(q);
}

/* Command 1 ("d"), enqueued by the CLI with one attempt, then dead. */
static void
make_dead(void)
{
	struct res r;

	DB(&r, "queue", "add", "--type", "message", "--key", "d",
	    "--max-attempts", "1");
	ck_ok(&r);
	kill_command_1();
}

START_TEST(retry_pending_refused)
{
	static char before[OUT_MAX * 2], after[OUT_MAX * 2];
	struct res r;

	make_db();
	snapshot(before, sizeof(before));
	DB(&r, "queue", "retry", "1");
	ck_refused(&r, 1,
	    "draftbot: queue retry: command 1 is pending; only dead or "
	    "failed ones can be retried\n");
	snapshot(after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

START_TEST(retry_unknown_refused)
{
	static char before[OUT_MAX * 2], after[OUT_MAX * 2];
	struct res r;

	make_db();
	snapshot(before, sizeof(before));
	DB(&r, "queue", "retry", "99");
	ck_refused(&r, 1, "draftbot: queue retry: there is no command 99\n");
	snapshot(after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

START_TEST(retry_dead)
{
	struct json_object *a, *c;
	struct res r;
	char *v[8];

	make_dead();
	ck_assert_int_eq(stat_count("dead"), 1);
	DB(&r, "queue", "dead");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 8), 3);
	ck_assert(strncmp(v[1], "1 ", 2) == 0 && strstr(v[1], "dead"));
	ck_assert_str_eq(v[2], "         error: boom");
	DB(&r, "queue", "list", "--status", "dead", "--json");
	ck_ok(&r);
	a = parse(r.out, json_type_array);
	ck_assert_int_eq(json_object_array_length(a), 1);
	c = json_object_array_get_idx(a, 0);
	ck_assert_str_eq(str_field(c, "status"), "dead");
	ck_assert_str_eq(str_field(c, "last_error"), "boom");
	ck_assert_int_eq(int_field(c, "attempts"), 1);
	json_object_put(a);

	DB(&r, "queue", "retry", "1");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "command 1 is pending again\n");
	ck_assert_int_eq(stat_count("pending"), 1);
	ck_assert_int_eq(stat_count("dead"), 0);
	DB(&r, "audit", "tail", "-n", "1", "--action", "command_requeued");
	ck_ok(&r);
	ck_assert(strstr(r.out, " command 1") != NULL);
	/* pending again, so a second retry is refused */
	DB(&r, "queue", "retry", "1");
	ck_refused(&r, 1,
	    "draftbot: queue retry: command 1 is pending; only dead or "
	    "failed ones can be retried\n");

	/* attempts were reset: it can die again; --json after the id */
	kill_command_1();
	DB(&r, "queue", "retry", "1", "--json");
	ck_ok(&r);
	a = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(a, "id"), 1);
	ck_assert_str_eq(str_field(a, "status"), "pending");
	json_object_put(a);
	ck_assert_int_eq(stat_count("pending"), 1);
}
END_TEST

/* --- queue prune --------------------------------------------------------- */

START_TEST(prune_forms)
{
	int64_t clock = time_now_ms() - 3600 * 1000;
	struct queue_cmd *c = NULL;
	struct json_object *o;
	struct queue *q;
	struct res r;

	DB(&r, "queue", "prune");
	ck_ok(&r);
	ck_assert_str_eq(
	    r.out, "pruned 0 completed commands/messages and 0 audit rows\n");
	/* a command completed an hour ago: created, claimed, executed */
	q = tu_open(db, &clock);
	tu_enqueue(q, "old", 0);
	c = tu_claim(q, "test", 60000);
	ck_assert_int_eq(queue_complete(q, c, NULL), 0);
	queue_cmd_free(c);
	queue_close(q);
	DB(&r, "queue", "add", "--type", "message", "--key", "new");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "command 2 added with key new\n");

	/* the defaults keep it */
	DB(&r, "queue", "prune", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "commands"), 0);
	ck_assert_int_eq(int_field(o, "audit_rows"), 0);
	json_object_put(o);
	ck_assert_int_eq(stat_count("completed"), 1);

	DB(&r, "--completed-retention", "30m", "--audit-retention", "30m",
	    "queue", "prune", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "commands"), 1);
	ck_assert_int_eq(int_field(o, "audit_rows"), 3);
	json_object_put(o);
	ck_assert_int_eq(stat_count("completed"), 0);
	ck_assert_int_eq(stat_count("pending"), 1);
}
END_TEST

/* --- audit tail ---------------------------------------------------------- */

/* n commands "k1".."kN" through the API; ids 1..n. user: user id of the even
 * ones (0 = none). */
static void
add_commands(int n, int64_t user)
{
	struct queue *q = tu_open(db, NULL);
	char key[32];

	for (int i = 1; i <= n; i++) {
		struct queue_new c = {.type = "message",
		    .key = key,
		    .user_id = i % 2 == 0 ? user : 0};
		int64_t id;

		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(queue_enqueue(q, &c, &id, NULL), 0);
		ck_assert_int_eq(id, i);
	}
	queue_close(q);
}

START_TEST(tail_default_ten)
{
	struct res r;
	char *v[32];

	add_commands(15, 0);
	DB(&r, "audit", "tail");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 10);
	for (int i = 0; i < 10; i++)
		ck_assert_msg(
		    created_line(v[i], 6 + i), "line %d: %s", i, v[i]);
}
END_TEST

START_TEST(tail_lines)
{
	struct res r;
	char *v[32];

	add_commands(15, 0);
	DB(&r, "audit", "tail", "-n", "3");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 3);
	for (int i = 0; i < 3; i++)
		ck_assert(created_line(v[i], 13 + i));
	DB(&r, "audit", "tail", "--lines", "20");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 15);
	DB(&r, "audit", "tail", "-n", "0");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(tail_action_and_user)
{
	struct queue_cmd *c = NULL;
	struct queue *q;
	struct res r;
	char *v[32];

	add_commands(6, 42);
	q = tu_open(db, NULL);
	c = tu_claim(q, "test", 60000);
	queue_cmd_free(c);
	queue_close(q);

	DB(&r, "audit", "tail", "--action", "command_claimed");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 1);
	ck_assert(strstr(v[0], " command_claimed ") != NULL);
	ck_assert(strstr(v[0], " command 1 ") != NULL);

	DB(&r, "audit", "tail", "--action", "command_created");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 6);

	DB(&r, "audit", "tail", "--user", "42");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert(created_line(v[i], 2 * (i + 1)));
		ck_assert(strstr(v[i], " user=42") != NULL);
	}
	DB(&r, "audit", "tail", "--user", "43");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "");
	DB(&r, "audit", "tail", "--user", "42", "--action", "command_claimed");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(tail_since)
{
	char iso[TIME_ISO_MAX];
	struct res r;
	char *v[32];

	add_commands(15, 0);
	/* --since alone shows everything since then, not only the last 10 */
	DB(&r, "audit", "tail", "--since", "1h");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 15);
	ck_assert(created_line(v[0], 1));
	DB(&r, "audit", "tail", "--since", "1h", "-n", "2");
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 2);
	ck_assert(created_line(v[1], 15));

	ck_assert_int_eq(
	    time_format_iso(time_now_ms() - 3600 * 1000, iso, sizeof(iso)), 0);
	DB(&r, "audit", "tail", "--since", iso);
	ck_ok(&r);
	ck_assert_int_eq(split_lines(r.out, v, 32), 15);
	ck_assert_int_eq(
	    time_format_iso(time_now_ms() + 3600 * 1000, iso, sizeof(iso)), 0);
	DB(&r, "audit", "tail", "--since", iso);
	ck_ok(&r);
	ck_assert_str_eq(r.out, "");
}
END_TEST

/* ts must be "YYYY-MM-DDTHH:MM:SS.mmmZ", UTC. */
static void
check_iso_utc(const char *ts)
{
	int64_t ms;

	ck_assert_msg(
	    strlen(ts) == 24 && ts[10] == 'T' && ts[23] == 'Z', "ts %s", ts);
	ck_assert_int_eq(time_parse_iso(ts, &ms), 0);
	ck_assert(ms > time_now_ms() - 3600 * 1000 && ms <= time_now_ms());
}

START_TEST(tail_json)
{
	struct json_object *o, *d;
	struct res r;
	char *v[32];
	int n;

	add_commands(4, 7);
	DB(&r, "audit", "tail", "--json", "-n", "3");
	ck_ok(&r);
	n = split_lines(r.out, v, 32);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++) {
		char key[16];

		o = parse(v[i], json_type_object);
		ck_assert_int_eq(int_field(o, "id"), 2 + i);
		check_iso_utc(str_field(o, "ts"));
		ck_assert_str_eq(str_field(o, "action"), "command_created");
		ck_assert_str_eq(str_field(o, "actor"), "test");
		if ((2 + i) % 2 == 0)
			ck_assert_int_eq(int_field(o, "user_id"), 7);
		else
			field(o, "user_id", json_type_null);
		ck_assert_str_eq(str_field(o, "entity_type"), "command");
		snprintf(key, sizeof(key), "%d", 2 + i);
		ck_assert_str_eq(str_field(o, "entity_id"), key);
		d = field(o, "details", json_type_object);
		snprintf(key, sizeof(key), "k%d", 2 + i);
		ck_assert_str_eq(str_field(d, "key"), key);
		json_object_put(o);
	}
}
END_TEST

/* --- audit tail -f ------------------------------------------------------- */

/* Start draftbot with argv and env, stdout into a pipe (*ret_fd), stderr
 * into the file errpath.  It dies with this process. */
static pid_t
spawn(const char *const *argv, const char *const *env, const char *errpath,
    int *ret_fd)
{
	const char *bin = getenv("DRAFTBOT_BIN"), *args[32];
	int p[2], n = 0;
	pid_t pid;

	ck_assert(bin != NULL);
	args[n++] = bin;
	for (int i = 0; argv[i] != NULL && n < 31; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	ck_assert(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (in < 0 || err < 0 || dup2(in, 0) < 0 || dup2(p[1], 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(127);
		for (int i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	close(p[1]);
	*ret_fd = p[0];
	return pid;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Read fd into buf (at *used, NUL-terminated) until pred(buf) holds, EOF,
 * or WAIT_MS pass.  Returns whether pred held.
 */
static bool
read_until(
    int fd, char *buf, size_t len, size_t *used, bool (*pred)(const char *text))
{
	int64_t end = mono_ms() + WAIT_MS;

	buf[*used] = '\0';
	while (!pred(buf)) {
		struct pollfd p = {fd, POLLIN, 0};
		int64_t left = end - mono_ms();
		ssize_t n;

		if (left <= 0 || *used + 1 >= len)
			return false;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + *used, len - 1 - *used);
		if (n == 0)
			return false;
		if (n < 0) {
			ck_assert_int_eq(errno, EINTR);
			continue;
		}
		*used += (size_t)n;
		buf[*used] = '\0';
	}
	return true;
}

static bool
has_two(const char *text)
{
	return strstr(text, " command 2 ") != NULL;
}

static bool
has_three(const char *text)
{
	return strstr(text, " command 3 ") != NULL;
}

/* utime + stime of pid in seconds. */
static double
cpu_seconds(pid_t pid)
{
	char path[64], stat[1024], *p;
	unsigned long ut = 0, st = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert(fd >= 0);
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	ck_assert(n > 0);
	stat[n] = '\0';
	/* fields after "(comm)": state ppid pgrp session tty tpgid flags
	 * minflt cminflt majflt cmajflt utime stime */
	p = strrchr(stat, ')');
	ck_assert(p != NULL);
	ck_assert_int_eq(sscanf(p + 2,
	                     "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                     "%lu %lu",
	                     &ut, &st),
	    2);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Wait up to WAIT_MS for pid to exit; its wait status, or -1. */
static int
reap(pid_t pid)
{
	int64_t end = mono_ms() + WAIT_MS;
	int status;

	while (mono_ms() < end) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		ck_assert(w == 0);
		usleep(10 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

START_TEST(tail_follow)
{
	static char buf[OUT_MAX];
	char errpath[PATH_MAX];
	struct timespec idle = {1, 0};
	size_t used = 0;
	double cpu0, cpu1;
	struct res r;
	int fd, status;
	pid_t pid;

	add_commands(2, 0);
	tu_path(errpath, sizeof(errpath), tmp, "tail.err");
	pid = spawn((const char *const[]){"audit", "tail", "-f", NULL}, db_only,
	    errpath, &fd);
	ck_assert_msg(read_until(fd, buf, sizeof(buf), &used, has_two),
	    "no initial output: '%s'", buf);

	/* idle: it waits for the database to change, it does not spin */
	cpu0 = cpu_seconds(pid);
	while (nanosleep(&idle, &idle) < 0 && errno == EINTR)
		;
	cpu1 = cpu_seconds(pid);
	ck_assert_msg(
	    cpu1 - cpu0 < 0.3, "%.2f s of CPU in 1 s idle", cpu1 - cpu0);

	/* a command added by another process shows up */
	DB(&r, "queue", "add", "--type", "message", "--key", "live");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "command 3 added with key live\n");
	ck_assert_msg(read_until(fd, buf, sizeof(buf), &used, has_three),
	    "command 3 did not arrive: '%s'", buf);
	{
		char *v[8];
		int n = split_lines(buf, v, 8);

		ck_assert_int_eq(n, 3);
		ck_assert(created_line(v[0], 1) && created_line(v[1], 2) &&
		    created_line(v[2], 3));
		ck_assert(strstr(v[2], " operator ") != NULL);
	}

	ck_assert_int_eq(kill(pid, SIGINT), 0);
	status = reap(pid);
	ck_assert_msg(status != -1, "audit tail -f ignored SIGINT");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "audit tail -f ended with status %#x", status);
	close(fd);
	ck_assert_int_eq(tu_file_size(errpath), 0);
}
END_TEST

/* --- config check -------------------------------------------------------- */

/* The line of config check's output for setting name (copied into line). */
static void
config_line(const char *out, const char *name, char *line, size_t len)
{
	size_t nl = strlen(name);
	const char *p, *end;

	for (p = out; *p != '\0'; p = end + 1) {
		end = strchr(p, '\n');
		ck_assert(end != NULL);
		if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
			snprintf(line, len, "%.*s", (int)(end - p), p);
			return;
		}
	}
	ck_abort_msg("no line for %s in %s", name, out);
}

/* Setting name has value, from source ("default", "env DRAFTBOT_X", …). */
static void
ck_setting(
    const char *out, const char *name, const char *value, const char *source)
{
	char line[1024], want[256];
	const char *hash;

	config_line(out, name, line, sizeof(line));
	hash = strstr(line, "  # ");
	ck_assert_msg(hash != NULL, "no source in '%s'", line);
	ck_assert_str_eq(hash + 4, source);
	if (value != NULL) {
		snprintf(want, sizeof(want), " = %s ", value);
		ck_assert_msg(
		    strstr(line, want) != NULL, "'%s' lacks '%s'", line, want);
	}
}

START_TEST(config_check_every_setting)
{
	struct res r;
	int n = 0;

	DB(&r, "config", "check");
	ck_ok(&r);
	for (const struct cfg_def *d = settings_table; d->name != NULL; d++) {
		bool is_db = strcmp(d->name, "db") == 0;

		ck_setting(r.out, d->name, is_db ? db : d->def,
		    is_db ? "env DRAFTBOT_DB" : "default");
		n++;
	}
	ck_assert_int_gt(n, 5);
	ck_assert_int_eq(split_lines(r.out, (char *[64]){0}, 64), n);
	/* checking the configuration does not create the database */
	ck_assert_int_eq(tu_file_size(db), -1);
}
END_TEST

START_TEST(config_env_override)
{
	const char *env[] = {dbenv, "DRAFTBOT_BUSY_TIMEOUT=250ms",
	    "DRAFTBOT_LOG_LEVEL=WARN", NULL};
	struct res r;

	RUN(&r, env, "config", "check");
	ck_ok(&r);
	ck_setting(r.out, "busy_timeout", "250ms", "env DRAFTBOT_BUSY_TIMEOUT");
	ck_setting(r.out, "log_level", "warn", "env DRAFTBOT_LOG_LEVEL");
	ck_setting(r.out, "lease", "60s", "default");
}
END_TEST

START_TEST(config_file)
{
	char conf[PATH_MAX], src[PATH_MAX + 8], cenv[PATH_MAX + 32];
	const char *env[] = {dbenv, cenv, NULL};
	FILE *f;
	struct res r;

	tu_path(conf, sizeof(conf), tmp, "draftbot.conf");
	f = fopen(conf, "w");
	ck_assert(f != NULL);
	fputs("# operator settings\nmax_attempts = 3\nlease = 2m  # two\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(src, sizeof(src), "file %s", conf);

	DB(&r, "--config", conf, "config", "check");
	ck_ok(&r);
	ck_setting(r.out, "max_attempts", "3", src);
	ck_setting(r.out, "lease", "2m", src);
	ck_setting(r.out, "db", db, "env DRAFTBOT_DB");

	snprintf(cenv, sizeof(cenv), "DRAFTBOT_CONFIG=%s", conf);
	RUN(&r, env, "config", "check");
	ck_ok(&r);
	ck_setting(r.out, "max_attempts", "3", src);
	ck_setting(r.out, "busy_timeout", "5s", "default");
}
END_TEST

START_TEST(config_flag_over_env)
{
	const char *env[] = {dbenv, "DRAFTBOT_MAX_ATTEMPTS=6", NULL};
	struct json_object *o;
	struct res r;

	RUN(&r, env, "config", "check");
	ck_ok(&r);
	ck_setting(r.out, "max_attempts", "6", "env DRAFTBOT_MAX_ATTEMPTS");
	RUN(&r, env, "--max-attempts", "7", "config", "check");
	ck_ok(&r);
	ck_setting(r.out, "max_attempts", "7", "flag");
	RUN(&r, env, "--max-attempts=7", "config", "check", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	ck_assert_int_eq(int_field(o, "max_attempts"), 7);
	json_object_put(o);
}
END_TEST

START_TEST(config_json)
{
	struct json_object *o;
	struct res r;
	int n = 0;

	DB(&r, "config", "check", "--json");
	ck_ok(&r);
	o = parse(r.out, json_type_object);
	for (const struct cfg_def *d = settings_table; d->name != NULL; d++) {
		ck_assert_msg(json_object_object_get_ex(o, d->name, NULL),
		    "no %s", d->name);
		n++;
	}
	ck_assert_int_eq(json_object_object_length(o), n);
	ck_assert_str_eq(str_field(o, "db"), db);
	ck_assert_str_eq(str_field(o, "log_level"), "info");
	ck_assert_int_eq(int_field(o, "busy_timeout"), 5000);
	ck_assert_int_eq(int_field(o, "max_attempts"), 5);
	json_object_put(o);
}
END_TEST

/* --- bad input ----------------------------------------------------------- */

START_TEST(bad_unknown_command)
{
	REFUSED(db_only, 2,
	    "draftbot: unknown command 'draftbot frobnicate' (see 'draftbot "
	    "--help')\n",
	    "frobnicate");
}
END_TEST

START_TEST(bad_unknown_subcommand)
{
	REFUSED(db_only, 2,
	    "draftbot: unknown command 'draftbot queue frob' (see 'draftbot "
	    "queue --help')\n",
	    "queue", "frob");
}
END_TEST

START_TEST(bad_unknown_flag)
{
	REFUSED(db_only, 2,
	    "draftbot: unknown option '--bogus'\n"
	    "usage: draftbot queue stats [--json]\n",
	    "queue", "stats", "--bogus");
}
END_TEST

START_TEST(bad_unknown_global_flag)
{
	REFUSED(db_only, 2,
	    "draftbot: option --bogus: unknown setting 'bogus'\n", "--bogus",
	    "1", "queue", "stats");
}
END_TEST

START_TEST(bad_missing_value)
{
	REFUSED(db_only, 2,
	    "draftbot: missing value for option '--type'\n"
	    "usage: draftbot queue add --type T --key K [--chat ID] "
	    "[--user ID] [--payload JSON] [--run-at ISO] [--max-attempts N] "
	    "[--json]\n",
	    "queue", "add", "--key", "k9", "--type");
}
END_TEST

START_TEST(bad_missing_global_value)
{
	REFUSED(db_only, 2, "draftbot: option --busy-timeout needs a value\n",
	    "--db", "/nonexistent/x.db", "--busy-timeout");
}
END_TEST

START_TEST(bad_payload_syntax)
{
	REFUSED(db_only, 2,
	    "draftbot: --payload: '{bad' is not valid JSON (quoted object "
	    "property name expected)\n",
	    "queue", "add", "--type", "message", "--key", "k9", "--payload",
	    "{bad");
}
END_TEST

START_TEST(bad_payload_array)
{
	REFUSED(db_only, 2,
	    "draftbot: --payload: a JSON array is not allowed; the payload "
	    "must be an object such as {\"text\":\"hi\"}\n",
	    "queue", "add", "--type", "message", "--key", "k9", "--payload",
	    "[1,2]");
}
END_TEST

START_TEST(key_length_limit)
{
	char key[QUEUE_KEY_MAX + 2], want[128];
	struct res r;

	memset(key, 'x', QUEUE_KEY_MAX + 1);
	key[QUEUE_KEY_MAX + 1] = '\0';
	snprintf(want, sizeof(want),
	    "draftbot: --key: the key is %d bytes; it must be 1 to %d\n",
	    QUEUE_KEY_MAX + 1, QUEUE_KEY_MAX);
	REFUSED(db_only, 2, want, "queue", "add", "--type", "message", "--key",
	    key);
	/* exactly at the limit is fine */
	key[QUEUE_KEY_MAX] = '\0';
	DB(&r, "queue", "add", "--type", "message", "--key", key, "--json");
	ck_ok(&r);
	ck_assert_str_eq(r.out, "{\"id\":2,\"duplicate\":false}\n");
	ck_assert_int_eq(stat_count("pending"), 2);
}
END_TEST

START_TEST(bad_chat)
{
	REFUSED(db_only, 2,
	    "draftbot: --chat: 'abc' is not a non-zero whole number\n", "queue",
	    "add", "--type", "message", "--key", "k9", "--chat", "abc");
}
END_TEST

START_TEST(bad_run_at)
{
	REFUSED(db_only, 2,
	    "draftbot: --run-at: 'yesterday' is not an ISO 8601 time such as "
	    "2026-11-21T18:30:00Z\n",
	    "queue", "add", "--type", "message", "--key", "k9", "--run-at",
	    "yesterday");
}
END_TEST

START_TEST(bad_max_attempts)
{
	REFUSED(db_only, 2,
	    "draftbot: --max-attempts: '0' is not a number from 1 to 100\n",
	    "queue", "add", "--type", "message", "--key", "k9",
	    "--max-attempts", "0");
}
END_TEST

START_TEST(bad_since)
{
	REFUSED(db_only, 2,
	    "draftbot: --since: 'nonsense' is neither an ISO 8601 time nor a "
	    "duration such as 10m or 2d\n",
	    "audit", "tail", "--since", "nonsense");
}
END_TEST

START_TEST(bad_lines)
{
	REFUSED(db_only, 2,
	    "draftbot: -n: '-1' is not a number from 0 to 1000000\n", "audit",
	    "tail", "-n", "-1");
}
END_TEST

START_TEST(bad_retry_id)
{
	REFUSED(db_only, 2,
	    "draftbot: queue retry: 'abc' is not a command id\n", "queue",
	    "retry", "abc");
}
END_TEST

START_TEST(bad_env_unknown_setting)
{
	const char *env[] = {dbenv, "DRAFTBOT_NOPE=1", NULL};

	REFUSED(env, 1,
	    "draftbot: configuration: unknown setting DRAFTBOT_NOPE "
	    "(environment)\n",
	    "queue", "stats");
}
END_TEST

START_TEST(bad_env_number)
{
	const char *env[] = {dbenv, "DRAFTBOT_MAX_ATTEMPTS=abc", NULL};

	REFUSED(env, 1,
	    "draftbot: configuration: DRAFTBOT_MAX_ATTEMPTS: max_attempts: "
	    "'abc' is not a whole number\n",
	    "queue", "add", "--type", "message", "--key", "k9");
}
END_TEST

START_TEST(bad_config_unknown_key)
{
	char conf[PATH_MAX], want[PATH_MAX + 128];
	FILE *f;

	tu_path(conf, sizeof(conf), tmp, "bad.conf");
	f = fopen(conf, "w");
	ck_assert(f != NULL);
	fputs("max_attempts = 3\nmax_atempts = 4\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(want, sizeof(want),
	    "draftbot: configuration: %s:2: unknown setting 'max_atempts'\n",
	    conf);
	REFUSED(db_only, 1, want, "--config", conf, "queue", "add", "--type",
	    "message", "--key", "k9");
}
END_TEST

START_TEST(bad_config_unreadable)
{
	char conf[PATH_MAX], cenv[PATH_MAX + 32], want[PATH_MAX + 128];
	const char *env[] = {dbenv, cenv, NULL};

	tu_path(conf, sizeof(conf), tmp, "missing.conf");
	snprintf(want, sizeof(want),
	    "draftbot: configuration: cannot read config file %s: No such "
	    "file or directory\n",
	    conf);
	REFUSED(db_only, 1, want, "--config", conf, "queue", "stats");
	setup(); /* a fresh folder without a database for the second form */
	snprintf(cenv, sizeof(cenv), "DRAFTBOT_CONFIG=%s", conf);
	REFUSED(env, 1, want, "queue", "stats");
}
END_TEST

START_TEST(db_is_directory)
{
	char dir[PATH_MAX], env[PATH_MAX + 16], want[3 * PATH_MAX];
	const char *envs[] = {env, NULL};
	struct res r;

	tu_path(dir, sizeof(dir), tmp, "dir.db");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(env, sizeof(env), "DRAFTBOT_DB=%s", dir);
	RUN(&r, envs, "queue", "add", "--type", "message", "--key", "k9");
	snprintf(want, sizeof(want),
	    "draftbot: cannot open database %s: the database path is a "
	    "directory (%s is a directory, not a database file)\n",
	    dir, dir);
	ck_refused(&r, 1, want);
	ck_assert_int_eq(rmdir(dir), 0); /* still empty */
}
END_TEST

START_TEST(db_folder_missing)
{
	char dir[PATH_MAX], path[PATH_MAX], env[PATH_MAX + 16];
	char want[3 * PATH_MAX];
	const char *envs[] = {env, NULL};
	struct res r;

	tu_path(dir, sizeof(dir), tmp, "nope");
	tu_path(path, sizeof(path), dir, "d.db");
	snprintf(env, sizeof(env), "DRAFTBOT_DB=%s", path);
	RUN(&r, envs, "queue", "add", "--type", "message", "--key", "k9");
	snprintf(want, sizeof(want),
	    "draftbot: cannot open database %s: folder %s: No such file or "
	    "directory\n",
	    path, dir);
	ck_refused(&r, 1, want);
	ck_assert_int_eq(tu_file_size(dir), -1);
}
END_TEST

START_TEST(db_corrupt)
{
	static char junk[8192], back[sizeof(junk) + 1];
	char want[2 * PATH_MAX];
	struct res r;
	FILE *f;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	f = fopen(db, "w");
	ck_assert(f != NULL);
	ck_assert_int_eq(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	ck_assert_int_eq(fclose(f), 0);

	DB(&r, "queue", "add", "--type", "message", "--key", "k9");
	snprintf(want, sizeof(want),
	    "draftbot: cannot open database %s: the file is not a draftbot "
	    "database (corrupt or not SQLite) (",
	    db);
	ck_assert_int_eq(r.code, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(
	    strncmp(r.err, want, strlen(want)) == 0, "stderr: %s", r.err);
	DB(&r, "migrate");
	ck_assert_int_eq(r.code, 1);
	ck_assert_msg(
	    strncmp(r.err, want, strlen(want)) == 0, "stderr: %s", r.err);

	f = fopen(db, "r");
	ck_assert(f != NULL);
	ck_assert_int_eq(fread(back, 1, sizeof(back), f), sizeof(junk));
	fclose(f);
	ck_assert(memcmp(junk, back, sizeof(junk)) == 0);
}
END_TEST

/* We run as root in CI, so permissions stop nothing; /proc takes no new
 * files for anyone. */
START_TEST(db_unwritable)
{
	const char *env[] = {"DRAFTBOT_DB=/proc/draftbot-test.db", NULL};
	static const char want[] =
	    "draftbot: cannot create database /proc/draftbot-test.db: the "
	    "folder /proc does not take new files (";
	struct res r;

	RUN(&r, env, "queue", "add", "--type", "message", "--key", "k9");
	ck_assert_int_eq(r.code, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_msg(
	    strncmp(r.err, want, strlen(want)) == 0, "stderr: %s", r.err);
	ck_assert_int_eq(tu_file_size("/proc/draftbot-test.db"), -1);
}
END_TEST

START_TEST(db_locked)
{
	static char before[OUT_MAX * 2], after[OUT_MAX * 2];
	sqlite3 *h = NULL;
	struct res r;

	make_db();
	snapshot(before, sizeof(before));
	h = tu_sql_open(db);
	tu_sql_exec(h,
	    "BEGIN IMMEDIATE; INSERT INTO audit_log(ts, actor, "
	    "action) VALUES (1, 'x', 'y')");
	DB(&r, "--busy-timeout", "200ms", "queue", "add", "--type", "message",
	    "--key", "k9");
	ck_refused(&r, 1,
	    "draftbot: queue add: the database stayed locked past the busy "
	    "timeout of 200ms (begin: database is locked); another process "
	    "holds the write lock: try again, or raise --busy-timeout\n");
	tu_sql_exec(h, "ROLLBACK");
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
	snapshot(after, sizeof(after));
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(stat_count("pending"), 1);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *ok = tcase_create("commands"), *bad = tcase_create("bad input");

	tcase_add_checked_fixture(ok, setup, NULL);
	tcase_add_checked_fixture(bad, setup, NULL);
	tcase_set_timeout(ok, 60);
	tcase_set_timeout(bad, 60);

	tcase_add_test(ok, help_lists_every_command);
	tcase_add_test(ok, group_help);
	tcase_add_test(ok, version);
	tcase_add_test(ok, migrate_prints_version);
	tcase_add_test(ok, migrate_json_odd_path);
	tcase_add_test(ok, add_is_idempotent);
	tcase_add_test(ok, add_with_every_option);
	tcase_add_test(ok, stats_json_and_human);
	tcase_add_test(ok, list_forms);
	tcase_add_test(ok, retry_pending_refused);
	tcase_add_test(ok, retry_unknown_refused);
	tcase_add_test(ok, retry_dead);
	tcase_add_test(ok, prune_forms);
	tcase_add_test(ok, tail_default_ten);
	tcase_add_test(ok, tail_lines);
	tcase_add_test(ok, tail_action_and_user);
	tcase_add_test(ok, tail_since);
	tcase_add_test(ok, tail_json);
	tcase_add_test(ok, tail_follow);
	tcase_add_test(ok, config_check_every_setting);
	tcase_add_test(ok, config_env_override);
	tcase_add_test(ok, config_file);
	tcase_add_test(ok, config_flag_over_env);
	tcase_add_test(ok, config_json);

	tcase_add_test(bad, bad_unknown_command);
	tcase_add_test(bad, bad_unknown_subcommand);
	tcase_add_test(bad, bad_unknown_flag);
	tcase_add_test(bad, bad_unknown_global_flag);
	tcase_add_test(bad, bad_missing_value);
	tcase_add_test(bad, bad_missing_global_value);
	tcase_add_test(bad, bad_payload_syntax);
	tcase_add_test(bad, bad_payload_array);
	tcase_add_test(bad, key_length_limit);
	tcase_add_test(bad, bad_chat);
	tcase_add_test(bad, bad_run_at);
	tcase_add_test(bad, bad_max_attempts);
	tcase_add_test(bad, bad_since);
	tcase_add_test(bad, bad_lines);
	tcase_add_test(bad, bad_retry_id);
	tcase_add_test(bad, bad_env_unknown_setting);
	tcase_add_test(bad, bad_env_number);
	tcase_add_test(bad, bad_config_unknown_key);
	tcase_add_test(bad, bad_config_unreadable);
	tcase_add_test(bad, db_is_directory);
	tcase_add_test(bad, db_folder_missing);
	tcase_add_test(bad, db_corrupt);
	tcase_add_test(bad, db_unwritable);
	tcase_add_test(bad, db_locked);
	tcase_add_test(bad, google_bad_input);
	tcase_add_test(bad, user_show_bad_input);

	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	/* Settings of whoever runs the tests must not leak into the cases. */
	unsetenv("DRAFTBOT_CONFIG");
	for (const struct cfg_def *d = settings_table; d->name != NULL; d++) {
		char var[96];

		snprintf(var, sizeof(var), "DRAFTBOT_%s", d->name);
		for (char *p = var; *p != '\0'; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		unsetenv(var);
	}

	return tu_run_suite(cli_suite());
}
