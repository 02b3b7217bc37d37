/*
 * check_cfg.c — tests for common/cfg.c: sources and their precedence, file
 * syntax, every class of bad input (exact message, return code, *ret
 * untouched), secret masking in both print forms, durations and ranges.
 */
#include "common/cfg.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "tests/testutil.h"

#define SECRET "hunter2-do-not-print"

/* One entry of each type, plus an unset string and a secret. */
static const struct cfg_def table[] = {
    {.name = "db",
        .type = CFG_PATH,
        .def = "/var/lib/draftbot/queue.db",
        .help = "queue database"},
    {.name = "log_level",
        .type = CFG_ENUM,
        .def = "info",
        .choices = "debug|info|warn|error",
        .help = "least important message logged"},
    {.name = "max_attempts",
        .type = CFG_INT,
        .def = "5",
        .min = 1,
        .max = 100,
        .help = "tries before a command is dead"},
    {.name = "busy_timeout",
        .type = CFG_DURATION,
        .def = "5s",
        .min = 1,
        .max = 3600000,
        .help = "how long to wait for a locked database"},
    {.name = "dry_run",
        .type = CFG_BOOL,
        .def = "no",
        .help = "do not send anything"},
    {.name = "telegram_api",
        .type = CFG_URL,
        .def = "https://api.telegram.org",
        .help = "Bot API base URL"},
    {.name = "bot_name",
        .type = CFG_STRING,
        .def = "draftbot",
        .help = "name used in replies"},
    {.name = "owner", .type = CFG_STRING, .help = "owner's user name"},
    {.name = "telegram_token",
        .type = CFG_STRING,
        .secret = true,
        .help = "bot token from @BotFather"},
    {.name = NULL},
};

/* A dummy that a failed cfg_load must leave in *ret. */
static int sentinel;
#define SENTINEL ((struct cfg *)(void *)&sentinel)

static char tmp_paths[4][PATH_MAX];
static size_t n_tmp;

/* Remove every DRAFTBOT_ variable except the harness's own. */
static void
scrub_env(void)
{
	char name[256];
	char **ep;
	size_t len;

again:
	for (ep = environ; *ep != NULL; ep++) {
		if (strncmp(*ep, "DRAFTBOT_", 9) != 0 ||
		    strncmp(*ep, "DRAFTBOT_TEST_", 14) == 0 ||
		    strncmp(*ep, "DRAFTBOT_BIN=", 13) == 0 ||
		    strncmp(*ep, "DRAFTBOT_CORPORA=", 17) == 0)
			continue;
		len = strcspn(*ep, "=");
		ck_assert_uint_lt(len, sizeof(name));
		memcpy(name, *ep, len);
		name[len] = '\0';
		unsetenv(name);
		goto again;
	}
}

static void
setup(void)
{
	scrub_env();
	n_tmp = 0;
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < n_tmp; i++)
		unlink(tmp_paths[i]);
}

/* Write len bytes of data to a new temporary file; return its path. */
static const char *
write_tmp_n(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	ck_assert_uint_lt(n_tmp, sizeof(tmp_paths) / sizeof(tmp_paths[0]));
	path = tmp_paths[n_tmp];
	snprintf(path, PATH_MAX, "%s/check_cfg.XXXXXX",
	    dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	n_tmp++;
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static const char *
write_tmp(const char *text)
{
	return write_tmp_n(text, strlen(text));
}

/* Copy fmt into buf with each "FILE" replaced by path. */
static const char *
expand(char *buf, size_t buflen, const char *fmt, const char *path)
{
	const char *p = fmt, *hit;
	size_t off = 0;

	buf[0] = '\0';
	while ((hit = strstr(p, "FILE")) != NULL) {
		off += (size_t)snprintf(
		    buf + off, buflen - off, "%.*s%s", (int)(hit - p), p, path);
		ck_assert_uint_lt(off, buflen);
		p = hit + 4;
	}
	snprintf(buf + off, buflen - off, "%s", p);
	return buf;
}

/* Load table with path, failing the test on error. */
static struct cfg *
load_ok(const struct cfg_def *t, const char *path)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = NULL;
	int r;

	r = cfg_load(t, path, &c, err, sizeof(err));
	ck_assert_msg(r == 0, "cfg_load: %d %s", r, err);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Print c into a string the caller frees. */
static char *
print_to_string(const struct cfg *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(cfg_print(c, f, json), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_defaults)
{
	struct cfg *c = load_ok(table, NULL);

	ck_assert_str_eq(cfg_str(c, "db"), "/var/lib/draftbot/queue.db");
	ck_assert_str_eq(cfg_str(c, "log_level"), "info");
	ck_assert_str_eq(cfg_str(c, "max_attempts"), "5");
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 5);
	ck_assert_str_eq(cfg_str(c, "busy_timeout"), "5s");
	ck_assert_int_eq(cfg_int(c, "busy_timeout"), 5000);
	ck_assert_str_eq(cfg_str(c, "dry_run"), "false");
	ck_assert(!cfg_bool(c, "dry_run"));
	ck_assert_int_eq(cfg_int(c, "dry_run"), 0);
	ck_assert_str_eq(
	    cfg_str(c, "telegram_api"), "https://api.telegram.org");
	ck_assert_str_eq(cfg_str(c, "bot_name"), "draftbot");
	ck_assert_ptr_null(cfg_str(c, "owner"));
	ck_assert_int_eq(cfg_int(c, "owner"), 0);
	ck_assert_ptr_null(cfg_str(c, "telegram_token"));
	ck_assert_int_eq(cfg_source_of(c, "db"), CFG_SRC_DEFAULT);
	ck_assert_int_eq(cfg_source_of(c, "owner"), CFG_SRC_DEFAULT);
	ck_assert_ptr_null(cfg_file(c));
	/* '-' between words works for look-ups too; unknown names are NULL. */
	ck_assert_str_eq(cfg_str(c, "log-level"), "info");
	ck_assert_ptr_null(cfg_str(c, "nope"));
	ck_assert_int_eq(cfg_int(c, "nope"), 0);
	ck_assert(!cfg_bool(c, "nope"));
	cfg_free(c);
	cfg_free(NULL);
}
END_TEST

START_TEST(test_file_syntax)
{
	const char *path = write_tmp(
	    "\xEF\xBB\xBF# draftbot settings\n"
	    "   # an indented comment\n"
	    "\n"
	    "   \t  \n"
	    "db = /srv/draftbot/q.db   # where the queue lives\n"
	    "log-level=debug\n"
	    "telegram_api = https://example.org/bot#fragment\n"
	    "bot_name = \"  spaced # not a comment  \"   # a comment\n"
	    "max_attempts\t=\t7\r\n"
	    "dry-run = YES\n"
	    "busy_timeout = 250ms\n"
	    "owner = a#b");
	struct cfg *c = load_ok(table, path);

	ck_assert_str_eq(cfg_str(c, "db"), "/srv/draftbot/q.db");
	ck_assert_str_eq(cfg_str(c, "log_level"), "debug");
	ck_assert_str_eq(
	    cfg_str(c, "telegram_api"), "https://example.org/bot#fragment");
	ck_assert_str_eq(cfg_str(c, "bot_name"), "  spaced # not a comment  ");
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 7);
	ck_assert_str_eq(cfg_str(c, "dry_run"), "true");
	ck_assert(cfg_bool(c, "dry_run"));
	ck_assert_int_eq(cfg_int(c, "busy_timeout"), 250);
	ck_assert_str_eq(cfg_str(c, "owner"), "a#b");
	ck_assert_int_eq(cfg_source_of(c, "db"), CFG_SRC_FILE);
	ck_assert_int_eq(cfg_source_of(c, "owner"), CFG_SRC_FILE);
	ck_assert_int_eq(cfg_source_of(c, "telegram_token"), CFG_SRC_DEFAULT);
	ck_assert_ptr_null(cfg_str(c, "telegram_token"));
	ck_assert_str_eq(cfg_file(c), path);
	cfg_free(c);
}
END_TEST

START_TEST(test_file_edge_values)
{
	const char *path = write_tmp("bot_name =\n"
	                             "owner = # only a comment\n"
	                             "telegram_token = \"\"\n"
	                             "db = x=y\n"
	                             "telegram_api = http://h/a?b=c\n"
	                             "max_attempts = 1\n"
	                             "max_attempts = 2\n");
	struct cfg *c = load_ok(table, path);

	ck_assert_str_eq(cfg_str(c, "bot_name"), "");
	ck_assert_str_eq(cfg_str(c, "owner"), "");
	ck_assert_str_eq(cfg_str(c, "telegram_token"), "");
	ck_assert_str_eq(cfg_str(c, "db"), "x=y");
	ck_assert_str_eq(cfg_str(c, "telegram_api"), "http://h/a?b=c");
	/* The last line wins. */
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 2);
	cfg_free(c);
}
END_TEST

START_TEST(test_config_from_env)
{
	const char *path = write_tmp("bot_name = from-file\n");
	struct cfg *c;

	setenv("DRAFTBOT_CONFIG", path, 1);
	c = load_ok(table, NULL);
	ck_assert_str_eq(cfg_str(c, "bot_name"), "from-file");
	ck_assert_str_eq(cfg_file(c), path);
	cfg_free(c);

	/* An explicit path wins over DRAFTBOT_CONFIG. */
	setenv("DRAFTBOT_CONFIG", "/nonexistent/draftbot.conf", 1);
	c = load_ok(table, path);
	ck_assert_str_eq(cfg_file(c), path);
	cfg_free(c);

	/* Empty means no file. */
	setenv("DRAFTBOT_CONFIG", "", 1);
	c = load_ok(table, NULL);
	ck_assert_ptr_null(cfg_file(c));
	ck_assert_str_eq(cfg_str(c, "bot_name"), "draftbot");
	cfg_free(c);
}
END_TEST

START_TEST(test_precedence)
{
	const char *path = write_tmp("max_attempts = 7\n"
	                             "bot_name = file\n"
	                             "log_level = warn\n");
	char err[CFG_ERR_MAX] = "";
	struct cfg *c;

	setenv("DRAFTBOT_MAX_ATTEMPTS", "9", 1);
	setenv("DRAFTBOT_BOT_NAME", "env", 1);
	setenv("DRAFTBOT_DRY_RUN", "on", 1);
	c = load_ok(table, path);
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 9);
	ck_assert_int_eq(cfg_source_of(c, "max_attempts"), CFG_SRC_ENV);
	ck_assert_str_eq(cfg_str(c, "bot_name"), "env");
	ck_assert_str_eq(cfg_str(c, "log_level"), "warn");
	ck_assert_int_eq(cfg_source_of(c, "log_level"), CFG_SRC_FILE);
	ck_assert(cfg_bool(c, "dry_run"));
	ck_assert_int_eq(cfg_source_of(c, "dry_run"), CFG_SRC_ENV);

	ck_assert_int_eq(cfg_set(c, "max-attempts", "11", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 11);
	ck_assert_str_eq(cfg_str(c, "max_attempts"), "11");
	ck_assert_int_eq(cfg_source_of(c, "max_attempts"), CFG_SRC_FLAG);
	ck_assert_int_eq(cfg_set(c, "owner", "me", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg_str(c, "owner"), "me");
	ck_assert_int_eq(cfg_source_of(c, "owner"), CFG_SRC_FLAG);
	cfg_free(c);
}
END_TEST

START_TEST(test_set_errors)
{
	char err[CFG_ERR_MAX];
	struct cfg *c = load_ok(table, NULL);

	ck_assert_int_eq(cfg_set(c, "max_attempts", "11", err, sizeof(err)), 0);

	strcpy(err, "");
	ck_assert_int_eq(
	    cfg_set(c, "max_attempts", "abc", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "max_attempts: 'abc' is not a whole number");
	ck_assert_str_eq(cfg_str(c, "max_attempts"), "11");
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 11);
	ck_assert_int_eq(cfg_source_of(c, "max_attempts"), CFG_SRC_FLAG);

	ck_assert_int_eq(
	    cfg_set(c, "log_level", "loud", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(
	    err, "log_level: 'loud' is not one of debug|info|warn|error");
	ck_assert_str_eq(cfg_str(c, "log_level"), "info");
	ck_assert_int_eq(cfg_source_of(c, "log_level"), CFG_SRC_DEFAULT);

	ck_assert_int_eq(cfg_set(c, "nope", "1", err, sizeof(err)), -ENOKEY);
	ck_assert_str_eq(err, "unknown setting 'nope'");
	ck_assert_int_eq(
	    cfg_set(c, "Max_Attempts", "1", err, sizeof(err)), -ENOKEY);
	ck_assert_str_eq(err, "unknown setting 'Max_Attempts'");

	ck_assert_int_eq(
	    cfg_set(c, "bot_name", NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "bot_name: no value");
	ck_assert_str_eq(cfg_str(c, "bot_name"), "draftbot");

	/* A NULL or tiny error buffer is allowed. */
	ck_assert_int_eq(cfg_set(c, "max_attempts", "x", NULL, 0), -EINVAL);
	ck_assert_int_eq(cfg_set(c, "max_attempts", "x", err, 4), -EINVAL);
	ck_assert_str_eq(err, "max");
	ck_assert_int_eq(cfg_int(c, "max_attempts"), 11);
	cfg_free(c);
}
END_TEST

START_TEST(test_value_length)
{
	char *big = malloc(CFG_VALUE_MAX + 2);
	char err[CFG_ERR_MAX];
	struct cfg *c = load_ok(table, NULL);

	ck_assert_ptr_nonnull(big);
	memset(big, 'v', CFG_VALUE_MAX);
	big[CFG_VALUE_MAX] = '\0';
	ck_assert_int_eq(cfg_set(c, "bot_name", big, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(cfg_str(c, "bot_name")), CFG_VALUE_MAX);

	big[CFG_VALUE_MAX] = 'v';
	big[CFG_VALUE_MAX + 1] = '\0';
	ck_assert_int_eq(cfg_set(c, "owner", big, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "owner: value is too long (max 4096 bytes)");
	ck_assert_ptr_null(cfg_str(c, "owner"));
	cfg_free(c);
	free(big);
}
END_TEST

/* Bad input in a file or the environment: exact error, *ret untouched. */
struct bad_case {
	const char *file; /* config file text; NULL = no file */
	const char *var;  /* environment variable to set, or NULL */
	const char *val;
	int r;
	const char *msg; /* "FILE" stands for the config file's path */
};

static const struct bad_case bad_cases[] = {
    {"db = /x\nnonsense\n", NULL, NULL, -EINVAL,
        "FILE:2: expected 'name = value'"},
    {"# db = /x\n", NULL, NULL, 0, NULL},
    {"db /x # = y\n", NULL, NULL, -EINVAL, "FILE:1: expected 'name = value'"},
    {"  = 5\n", NULL, NULL, -EINVAL, "FILE:1: expected 'name = value'"},
    {"\n\nfoo = 1\n", NULL, NULL, -ENOKEY, "FILE:3: unknown setting 'foo'"},
    {"DB = /x\n", NULL, NULL, -ENOKEY, "FILE:1: unknown setting 'DB'"},
    {"log_level = loud\n", NULL, NULL, -EINVAL,
        "FILE:1: log_level: 'loud' is not one of debug|info|warn|error"},
    {"max_attempts = abc\n", NULL, NULL, -EINVAL,
        "FILE:1: max_attempts: 'abc' is not a whole number"},
    {"max-attempts = 500\n", NULL, NULL, -EINVAL,
        "FILE:1: max_attempts: 500 is out of range (1..100)"},
    {"busy_timeout = 5 parsecs\n", NULL, NULL, -EINVAL,
        "FILE:1: busy_timeout: '5 parsecs' is not a duration (e.g. 250ms, "
        "5s, 10m, 2h, 30d)"},
    {"busy_timeout = 2h\n", NULL, NULL, -EINVAL,
        "FILE:1: busy_timeout: 2h is out of range (1ms..1h)"},
    {"busy_timeout = 0\n", NULL, NULL, -EINVAL,
        "FILE:1: busy_timeout: 0 is out of range (1ms..1h)"},
    {"telegram_api = ftp://x\n", NULL, NULL, -EINVAL,
        "FILE:1: telegram_api: 'ftp://x' is not an http(s) URL"},
    {"telegram_api = https://\n", NULL, NULL, -EINVAL,
        "FILE:1: telegram_api: 'https://' is not an http(s) URL"},
    {"dry_run = maybe\n", NULL, NULL, -EINVAL,
        "FILE:1: dry_run: 'maybe' is not a boolean (true/false, yes/no, "
        "on/off, 1/0)"},
    {"db = \"\"\n", NULL, NULL, -EINVAL, "FILE:1: db: the path is empty"},
    {"bot_name = \"abc\n", NULL, NULL, -EINVAL,
        "FILE:1: bot_name: missing closing '\"'"},
    {"bot_name = \"abc\" def\n", NULL, NULL, -EINVAL,
        "FILE:1: bot_name: text after closing '\"'"},
    {NULL, "DRAFTBOT_MAX_ATTEMPTS", "abc", -EINVAL,
        "DRAFTBOT_MAX_ATTEMPTS: max_attempts: 'abc' is not a whole number"},
    {NULL, "DRAFTBOT_LOG_LEVEL", "loud", -EINVAL,
        "DRAFTBOT_LOG_LEVEL: log_level: 'loud' is not one of "
        "debug|info|warn|error"},
    {NULL, "DRAFTBOT_BUSY_TIMEOUT", "-5s", -EINVAL,
        "DRAFTBOT_BUSY_TIMEOUT: busy_timeout: '-5s' is not a duration "
        "(e.g. 250ms, 5s, 10m, 2h, 30d)"},
    {NULL, "DRAFTBOT_FOO", "1", -ENOKEY,
        "unknown setting DRAFTBOT_FOO (environment)"},
    {NULL, "DRAFTBOT_log_level", "info", -ENOKEY,
        "unknown setting DRAFTBOT_log_level (environment)"},
    {NULL, "DRAFTBOT_BINARY", "/x", -ENOKEY,
        "unknown setting DRAFTBOT_BINARY (environment)"},
    {NULL, "DRAFTBOT_", "x", -ENOKEY,
        "unknown setting DRAFTBOT_ (environment)"},
    /* The environment is read after the file: its error comes second. */
    {"max_attempts = 7\n", "DRAFTBOT_MAX_ATTEMPTS", "0", -EINVAL,
        "DRAFTBOT_MAX_ATTEMPTS: max_attempts: 0 is out of range (1..100)"},
    {"max_attempts = 0\n", "DRAFTBOT_MAX_ATTEMPTS", "7", -EINVAL,
        "FILE:1: max_attempts: 0 is out of range (1..100)"},
};

START_TEST(test_bad_input)
{
	const struct bad_case *bc = &bad_cases[_i];
	const char *path = NULL;
	char err[CFG_ERR_MAX] = "";
	char want[CFG_ERR_MAX];
	struct cfg *c = SENTINEL;
	int r;

	if (bc->file != NULL)
		path = write_tmp(bc->file);
	if (bc->var != NULL)
		ck_assert_int_eq(setenv(bc->var, bc->val, 1), 0);
	r = cfg_load(table, path, &c, err, sizeof(err));
	if (bc->r == 0) {
		ck_assert_msg(r == 0, "case %d: %d %s", _i, r, err);
		cfg_free(c);
		return;
	}
	ck_assert_msg(
	    r == bc->r, "case %d: r = %d, want %d (%s)", _i, r, bc->r, err);
	ck_assert_str_eq(err,
	    expand(want, sizeof(want), bc->msg, path != NULL ? path : "?"));
	ck_assert_ptr_eq(c, SENTINEL);
}
END_TEST

START_TEST(test_env_ignored)
{
	struct cfg *c;

	setenv("DRAFTBOT_TEST_ANYTHING", "1", 1);
	setenv("DRAFTBOT_TEST_", "1", 1);
	setenv("DRAFTBOT_BIN", "/usr/bin/draftbot", 1);
	setenv("DRAFTBOT_CORPORA", "/srv/corpora", 1);
	setenv("DRAFTBOT_CONFIG", "", 1);
	setenv("DRAFTBOTX", "1", 1);
	setenv("DRAFTBOT_OWNER", "env-owner", 1);
	c = load_ok(table, NULL);
	ck_assert_str_eq(cfg_str(c, "owner"), "env-owner");
	ck_assert_int_eq(cfg_source_of(c, "owner"), CFG_SRC_ENV);
	cfg_free(c);
}
END_TEST

START_TEST(test_bad_default)
{
	static const struct cfg_def bad_int[] = {
	    {.name = "ok", .type = CFG_STRING, .def = "x"},
	    {.name = "max_attempts", .type = CFG_INT, .def = "abc"},
	    {.name = NULL},
	};
	static const struct cfg_def bad_enum[] = {
	    {.name = "log_level",
	        .type = CFG_ENUM,
	        .def = "loud",
	        .choices = "debug|info"},
	    {.name = NULL},
	};
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = SENTINEL;

	ck_assert_int_eq(
	    cfg_load(bad_int, NULL, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(
	    err, "(default): max_attempts: 'abc' is not a whole number");
	ck_assert_ptr_eq(c, SENTINEL);

	ck_assert_int_eq(
	    cfg_load(bad_enum, NULL, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(
	    err, "(default): log_level: 'loud' is not one of debug|info");
	ck_assert_ptr_eq(c, SENTINEL);
}
END_TEST

START_TEST(test_unreadable_file)
{
	const char *dir = getenv("TMPDIR");
	char want[CFG_ERR_MAX], err[CFG_ERR_MAX] = "";
	struct cfg *c = SENTINEL;
	const char *path;

	ck_assert_int_eq(
	    cfg_load(table, "/nonexistent/draftbot.conf", &c, err, sizeof(err)),
	    -ENOENT);
	ck_assert_str_eq(err,
	    "cannot read config file /nonexistent/draftbot.conf: No such "
	    "file or directory");
	ck_assert_ptr_eq(c, SENTINEL);

	setenv("DRAFTBOT_CONFIG", "/nonexistent/env.conf", 1);
	ck_assert_int_eq(cfg_load(table, NULL, &c, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err,
	    "cannot read config file /nonexistent/env.conf: No such file or "
	    "directory");
	ck_assert_ptr_eq(c, SENTINEL);
	unsetenv("DRAFTBOT_CONFIG");

	/* A directory opens but cannot be read. */
	path = dir != NULL && dir[0] != '\0' ? dir : "/tmp";
	ck_assert_int_eq(cfg_load(table, path, &c, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "cannot read config file %s: %s", path,
	    strerror(EISDIR));
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(c, SENTINEL);
}
END_TEST

START_TEST(test_long_and_nul_lines)
{
	static const char head[] = "# x\n\n";
	static const char key[] = "bot_name = ";
	size_t size = sizeof(head) + CFG_VALUE_MAX + 16;
	char *text = malloc(size);
	char err[CFG_ERR_MAX] = "", want[CFG_ERR_MAX];
	struct cfg *c = SENTINEL;
	const char *path;
	size_t off, vlen;

	ck_assert_ptr_nonnull(text);
	/* A line of exactly CFG_VALUE_MAX bytes is fine... */
	off = (size_t)snprintf(text, size, "%s%s", head, key);
	vlen = CFG_VALUE_MAX - (sizeof(key) - 1);
	memset(text + off, 'x', vlen);
	strcpy(text + off + vlen, "\nowner = o\n");
	path = write_tmp(text);
	c = load_ok(table, path);
	ck_assert_uint_eq(strlen(cfg_str(c, "bot_name")), vlen);
	ck_assert_str_eq(cfg_str(c, "owner"), "o");
	cfg_free(c);

	/* ...one more byte is not, with or without a final newline. */
	memset(text + off, 'x', vlen + 1);
	strcpy(text + off + vlen + 1, "\n");
	path = write_tmp(text);
	c = SENTINEL;
	ck_assert_int_eq(cfg_load(table, path, &c, err, sizeof(err)), -EINVAL);
	snprintf(
	    want, sizeof(want), "%s:3: line is longer than 4096 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(c, SENTINEL);

	text[off + vlen + 1] = '\0';
	path = write_tmp(text);
	ck_assert_int_eq(cfg_load(table, path, &c, err, sizeof(err)), -EINVAL);
	snprintf(
	    want, sizeof(want), "%s:3: line is longer than 4096 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(c, SENTINEL);

	path = write_tmp_n("owner = a\0b\n", 12);
	ck_assert_int_eq(cfg_load(table, path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: NUL byte in line", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(c, SENTINEL);
	free(text);
}
END_TEST

START_TEST(test_secret_not_in_errors)
{
	static const struct cfg_def t[] = {
	    {.name = "webhook_url", .type = CFG_URL, .secret = true},
	    {.name = "pin", .type = CFG_INT, .secret = true},
	    {.name = NULL},
	};
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = SENTINEL;

	setenv("DRAFTBOT_WEBHOOK_URL", "ftp://" SECRET, 1);
	ck_assert_int_eq(cfg_load(t, NULL, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err,
	    "DRAFTBOT_WEBHOOK_URL: webhook_url: '********' "
	    "is not an http(s) URL");
	ck_assert_ptr_null(strstr(err, SECRET));
	ck_assert_ptr_eq(c, SENTINEL);
	unsetenv("DRAFTBOT_WEBHOOK_URL");

	c = load_ok(t, NULL);
	ck_assert_int_eq(cfg_set(c, "pin", "12x34", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "pin: '********' is not a whole number");
	cfg_free(c);
}
END_TEST

START_TEST(test_print_human)
{
	const char *path = write_tmp("db = /srv/q.db\nowner = \" o # x\"\n");
	char err[CFG_ERR_MAX] = "", want[2048];
	struct cfg *c;
	char *out;

	setenv("DRAFTBOT_TELEGRAM_TOKEN", SECRET, 1);
	c = load_ok(table, path);
	ck_assert_str_eq(cfg_str(c, "telegram_token"), SECRET);
	ck_assert_int_eq(cfg_set(c, "max_attempts", "9", err, sizeof(err)), 0);
	out = print_to_string(c, false);
	snprintf(want, sizeof(want),
	    "db             = /srv/q.db                 # file %s\n"
	    "log_level      = info                      # default\n"
	    "max_attempts   = 9                         # flag\n"
	    "busy_timeout   = 5s                        # default\n"
	    "dry_run        = false                     # default\n"
	    "telegram_api   = https://api.telegram.org  # default\n"
	    "bot_name       = draftbot                  # default\n"
	    "owner          = \" o # x\"                  # file %s\n"
	    "telegram_token = ********                  # env "
	    "DRAFTBOT_TELEGRAM_TOKEN\n",
	    path, path);
	ck_assert_str_eq(out, want);
	ck_assert_ptr_null(strstr(out, SECRET));
	free(out);
	cfg_free(c);

	/* Unset secret and unset string. */
	unsetenv("DRAFTBOT_TELEGRAM_TOKEN");
	c = load_ok(table, NULL);
	out = print_to_string(c, false);
	ck_assert_ptr_nonnull(strstr(out, "\nowner          = (unset)  "));
	ck_assert_ptr_nonnull(strstr(
	    out, "\ntelegram_token = (unset)                     # default\n"));
	free(out);
	cfg_free(c);
}
END_TEST

START_TEST(test_print_json)
{
	struct json_object *root, *v;
	struct cfg *c;
	char *out;

	setenv("DRAFTBOT_TELEGRAM_TOKEN", SECRET, 1);
	setenv("DRAFTBOT_DB", "/srv/q.db", 1);
	c = load_ok(table, NULL);
	out = print_to_string(c, true);
	ck_assert_ptr_null(strstr(out, SECRET));
	/* One line, newline-terminated, PLAIN (no spaces after ':'). */
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	ck_assert_ptr_nonnull(strstr(out, "\"max_attempts\":5,"));
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(json_object_object_length(root), 9);

	ck_assert(json_object_object_get_ex(root, "db", &v));
	ck_assert(json_object_is_type(v, json_type_string));
	ck_assert_str_eq(json_object_get_string(v), "/srv/q.db");
	ck_assert(json_object_object_get_ex(root, "log_level", &v));
	ck_assert_str_eq(json_object_get_string(v), "info");
	ck_assert(json_object_object_get_ex(root, "max_attempts", &v));
	ck_assert(json_object_is_type(v, json_type_int));
	ck_assert_int_eq(json_object_get_int64(v), 5);
	ck_assert(json_object_object_get_ex(root, "busy_timeout", &v));
	ck_assert(json_object_is_type(v, json_type_int));
	ck_assert_int_eq(json_object_get_int64(v), 5000);
	ck_assert(json_object_object_get_ex(root, "dry_run", &v));
	ck_assert(json_object_is_type(v, json_type_boolean));
	ck_assert(!json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(root, "telegram_api", &v));
	ck_assert_str_eq(json_object_get_string(v), "https://api.telegram.org");
	ck_assert(json_object_object_get_ex(root, "owner", &v));
	ck_assert_ptr_null(v);
	ck_assert(json_object_object_get_ex(root, "telegram_token", &v));
	ck_assert(json_object_is_type(v, json_type_string));
	ck_assert_str_eq(json_object_get_string(v), "********");
	json_object_put(root);
	free(out);
	cfg_free(c);

	/* An unset secret is null. */
	unsetenv("DRAFTBOT_TELEGRAM_TOKEN");
	c = load_ok(table, NULL);
	out = print_to_string(c, true);
	ck_assert_ptr_nonnull(strstr(out, "\"telegram_token\":null}\n"));
	free(out);
	cfg_free(c);
}
END_TEST

START_TEST(test_print_error)
{
	struct cfg *c = load_ok(table, NULL);
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		return; /* no /dev/full here */
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(cfg_print(c, f, false), -EIO);
	clearerr(f);
	ck_assert_int_eq(cfg_print(c, f, true), -EIO);
	fclose(f);
	cfg_free(c);
}
END_TEST

static const struct {
	const char *text;
	int r;
	int64_t ms;
} durations[] = {
    {"250ms", 0, 250},
    {"5s", 0, 5000},
    {"10m", 0, 600000},
    {"2h", 0, 7200000},
    {"30d", 0, 2592000000LL},
    {"1w", 0, 604800000},
    {"7", 0, 7000},
    {"0", 0, 0},
    {"0ms", 0, 0},
    {"007s", 0, 7000},
    {"9223372036854775807ms", 0, INT64_MAX},
    {"9223372036854775s", 0, 9223372036854775000LL},
    {"9223372036854776s", -EINVAL, 0},
    {"9223372036854775808ms", -EINVAL, 0},
    {"99999999999999999999999", -EINVAL, 0},
    {"", -EINVAL, 0},
    {"ms", -EINVAL, 0},
    {"s", -EINVAL, 0},
    {"-5s", -EINVAL, 0},
    {"+5s", -EINVAL, 0},
    {" 5s", -EINVAL, 0},
    {"5s ", -EINVAL, 0},
    {"5 s", -EINVAL, 0},
    {"5S", -EINVAL, 0},
    {"1.5s", -EINVAL, 0},
    {"5sm", -EINVAL, 0},
    {"5y", -EINVAL, 0},
    {"5 parsecs", -EINVAL, 0},
    {"0x10s", -EINVAL, 0},
};

START_TEST(test_durations)
{
	int64_t ms = -42;

	ck_assert_msg(
	    cfg_parse_duration(durations[_i].text, &ms) == durations[_i].r,
	    "'%s'", durations[_i].text);
	if (durations[_i].r == 0)
		ck_assert_int_eq(ms, durations[_i].ms);
	else
		ck_assert_int_eq(ms, -42);
}
END_TEST

START_TEST(test_duration_null)
{
	int64_t ms = 1;

	ck_assert_int_eq(cfg_parse_duration(NULL, &ms), -EINVAL);
	ck_assert_int_eq(cfg_parse_duration("5s", NULL), -EINVAL);
	ck_assert_int_eq(ms, 1);
}
END_TEST

static const struct {
	const char *text;
	int64_t want; /* 0: expect msg */
	const char *msg;
} ints[] = {
    {"1", 1, NULL},
    {"100", 100, NULL},
    {"+7", 7, NULL},
    {"007", 7, NULL},
    {"0", 0, "max_attempts: 0 is out of range (1..100)"},
    {"101", 0, "max_attempts: 101 is out of range (1..100)"},
    {"-1", 0, "max_attempts: -1 is out of range (1..100)"},
    {"99999999999999999999", 0,
        "max_attempts: 99999999999999999999 is out of range (1..100)"},
    {"abc", 0, "max_attempts: 'abc' is not a whole number"},
    {"12abc", 0, "max_attempts: '12abc' is not a whole number"},
    {"", 0, "max_attempts: '' is not a whole number"},
    {" 5", 0, "max_attempts: ' 5' is not a whole number"},
    {"5 ", 0, "max_attempts: '5 ' is not a whole number"},
    {"0x10", 0, "max_attempts: '0x10' is not a whole number"},
    {"1e2", 0, "max_attempts: '1e2' is not a whole number"},
    {"-", 0, "max_attempts: '-' is not a whole number"},
    {"--1", 0, "max_attempts: '--1' is not a whole number"},
};

START_TEST(test_int_range)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = load_ok(table, NULL);
	int r;

	r = cfg_set(c, "max_attempts", ints[_i].text, err, sizeof(err));
	if (ints[_i].msg == NULL) {
		ck_assert_msg(r == 0, "'%s': %s", ints[_i].text, err);
		ck_assert_int_eq(cfg_int(c, "max_attempts"), ints[_i].want);
		ck_assert_int_eq(
		    cfg_source_of(c, "max_attempts"), CFG_SRC_FLAG);
	} else {
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_str_eq(err, ints[_i].msg);
		ck_assert_int_eq(cfg_int(c, "max_attempts"), 5);
		ck_assert_int_eq(
		    cfg_source_of(c, "max_attempts"), CFG_SRC_DEFAULT);
	}
	cfg_free(c);
}
END_TEST

START_TEST(test_int_unlimited)
{
	static const struct cfg_def t[] = {
	    {.name = "n", .type = CFG_INT, .def = "0"},
	    {.name = "wait", .type = CFG_DURATION, .def = "0"},
	    {.name = NULL},
	};
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = load_ok(t, NULL);

	ck_assert_int_eq(
	    cfg_set(c, "n", "-9223372036854775808", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_int(c, "n"), INT64_MIN);
	ck_assert_int_eq(
	    cfg_set(c, "n", "9223372036854775807", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_int(c, "n"), INT64_MAX);
	ck_assert_int_eq(
	    cfg_set(c, "n", "9223372036854775808", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err,
	    "n: 9223372036854775808 is out of range "
	    "(-9223372036854775808..9223372036854775807)");
	ck_assert_int_eq(cfg_int(c, "n"), INT64_MAX);

	ck_assert_int_eq(cfg_set(c, "wait", "52w", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg_int(c, "wait"), 52LL * 7 * 86400000);
	ck_assert_int_eq(
	    cfg_set(c, "wait", "99999999999999999d", err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(
	    err, "wait: 99999999999999999d is too long a duration");
	ck_assert_int_eq(cfg_int(c, "wait"), 52LL * 7 * 86400000);
	cfg_free(c);
}
END_TEST

START_TEST(test_bool_spellings)
{
	static const char *const yes[] = {
	    "true", "TRUE", "Yes", "on", "ON", "1"};
	static const char *const no[] = {
	    "false", "False", "NO", "off", "Off", "0"};
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = load_ok(table, NULL);
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		ck_assert_int_eq(
		    cfg_set(c, "dry_run", yes[i], err, sizeof(err)), 0);
		ck_assert_str_eq(cfg_str(c, "dry_run"), "true");
		ck_assert(cfg_bool(c, "dry_run"));
		ck_assert_int_eq(cfg_int(c, "dry_run"), 1);
		ck_assert_int_eq(
		    cfg_set(c, "dry_run", no[i], err, sizeof(err)), 0);
		ck_assert_str_eq(cfg_str(c, "dry_run"), "false");
		ck_assert(!cfg_bool(c, "dry_run"));
	}
	ck_assert_int_eq(cfg_set(c, "dry_run", "2", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(cfg_set(c, "dry_run", "", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err,
	    "dry_run: '' is not a boolean (true/false, "
	    "yes/no, on/off, 1/0)");
	cfg_free(c);
}
END_TEST

START_TEST(test_enum_and_url)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg *c = load_ok(table, NULL);

	/* Case does not matter; the table's spelling is kept. */
	ck_assert_int_eq(cfg_set(c, "log_level", "WARN", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg_str(c, "log_level"), "warn");
	ck_assert_int_eq(
	    cfg_set(c, "log_level", "inf", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(
	    cfg_set(c, "log_level", "info|warn", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(
	    cfg_set(c, "log_level", "", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(cfg_str(c, "log_level"), "warn");

	ck_assert_int_eq(cfg_set(c, "telegram_api", "http://127.0.0.1:8081",
	                     err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg_set(c, "telegram_api", "HTTPS://Example.org/x",
	                     err, sizeof(err)),
	    0);
	ck_assert_int_eq(
	    cfg_set(c, "telegram_api", "https://a b", err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(
	    cfg_set(c, "telegram_api", "example.org", err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(
	    err, "telegram_api: 'example.org' is not an http(s) URL");
	ck_assert_str_eq(cfg_str(c, "telegram_api"), "HTTPS://Example.org/x");
	cfg_free(c);
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_file_syntax);
	tcase_add_test(tc, test_file_edge_values);
	tcase_add_test(tc, test_config_from_env);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_set_errors);
	tcase_add_test(tc, test_value_length);
	tcase_add_loop_test(tc, test_bad_input, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_env_ignored);
	tcase_add_test(tc, test_bad_default);
	tcase_add_test(tc, test_unreadable_file);
	tcase_add_test(tc, test_long_and_nul_lines);
	tcase_add_test(tc, test_secret_not_in_errors);
	tcase_add_test(tc, test_print_human);
	tcase_add_test(tc, test_print_json);
	tcase_add_test(tc, test_print_error);
	tcase_add_loop_test(tc, test_durations, 0,
	    (int)(sizeof(durations) / sizeof(durations[0])));
	tcase_add_test(tc, test_duration_null);
	tcase_add_loop_test(
	    tc, test_int_range, 0, (int)(sizeof(ints) / sizeof(ints[0])));
	tcase_add_test(tc, test_int_unlimited);
	tcase_add_test(tc, test_bool_spellings);
	tcase_add_test(tc, test_enum_and_url);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(cfg_suite());
}
