/*
 * cfg.c — settings from one table and three sources (see cfg.h).
 *
 * Every value passes through set_value(), which checks it against the
 * table entry and only then stores it, so a loaded cfg never holds an
 * invalid value and a failed cfg_set() changes nothing.  Messages are built
 * as "KEY: PROBLEM" and prefixed with where the value came from
 * ("FILE:LINE", "DRAFTBOT_X", "(default)"); cfg_set() adds no prefix so the
 * caller can name the flag.
 */
#include "common/cfg.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json.h>

#define ENV_PREFIX "DRAFTBOT_"
#define NAME_MAX_LEN 64 /* longest setting name we accept in a table */
#define MASK "********"
#define UNSET "(unset)"

struct cfg_entry {
	bool set; /* false: no value (NULL default, never set) */
	enum cfg_source src;
	int64_t num; /* CFG_INT, CFG_DURATION (ms), CFG_BOOL (0/1) */
	char text[CFG_VALUE_MAX + 1];
};

struct cfg {
	const struct cfg_def *table;
	size_t n;
	char *file; /* config file that was read, or NULL; owned */
	struct cfg_entry e[];
};

static void errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Is given ('_' or '-' between words) the name of table entry defname? */
static bool
name_matches(const char *defname, const char *given)
{
	size_t i;

	for (i = 0; given[i] != '\0'; i++) {
		char g = given[i] == '-' ? '_' : given[i];

		if (defname[i] != g)
			return false;
	}
	return defname[i] == '\0';
}

/* Index of the entry called name, or -1. */
static ssize_t
find(const struct cfg *c, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < c->n; i++)
		if (name_matches(c->table[i].name, name))
			return (ssize_t)i;
	return -1;
}

/* Write "DRAFTBOT_<NAME>" for setting name into buf (size >= NAME_MAX_LEN +
 * sizeof(ENV_PREFIX)); names are checked against NAME_MAX_LEN at load. */
static void
env_name(const char *name, char *buf, size_t buflen)
{
	size_t i, off = strlen(ENV_PREFIX);

	memcpy(buf, ENV_PREFIX, off);
	for (i = 0; name[i] != '\0' && off + 1 < buflen; i++)
		buf[off++] = (char)toupper((unsigned char)name[i]);
	buf[off] = '\0';
}

/* Render ms in the largest unit that divides it exactly: "90s", "2h". */
static void
fmt_duration(int64_t ms, char *buf, size_t buflen)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
	    {"w", 7 * 86400000LL},
	    {"d", 86400000LL},
	    {"h", 3600000LL},
	    {"m", 60000LL},
	    {"s", 1000LL},
	};
	size_t i;

	if (ms > 0) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (ms % units[i].ms == 0) {
				snprintf(buf, buflen, "%" PRId64 "%s",
				    ms / units[i].ms, units[i].unit);
				return;
			}
		}
	}
	snprintf(buf, buflen, "%" PRId64 "ms", ms);
}

/*
 * Parse a duration into ms.  Returns 0, -EINVAL for bad syntax or -ERANGE
 * when the value does not fit in int64 milliseconds.
 */
static int
parse_duration(const char *s, int64_t *ret_ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
	    {"", 1000LL}, /* bare number: seconds */
	    {"ms", 1LL},
	    {"s", 1000LL},
	    {"m", 60000LL},
	    {"h", 3600000LL},
	    {"d", 86400000LL},
	    {"w", 7 * 86400000LL},
	};
	long long n;
	char *end;
	size_t i;

	/* strtoll would accept leading blanks and a sign; we do not. */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	n = strtoll(s, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (errno == ERANGE || n > INT64_MAX / units[i].ms)
			return -ERANGE;
		*ret_ms = (int64_t)n * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

int
cfg_parse_duration(const char *s, int64_t *ret_ms)
{
	int r;

	if (s == NULL || ret_ms == NULL)
		return -EINVAL;
	r = parse_duration(s, ret_ms);
	return r < 0 ? -EINVAL : 0;
}

static bool
in_range(const struct cfg_def *d, int64_t v)
{
	if (d->min == 0 && d->max == 0)
		return true;
	return v >= d->min && v <= d->max;
}

/* Find s (case-insensitively) among the '|'-separated words of choices;
 * return a pointer to the word in choices and its length in *ret_len. */
static const char *
find_choice(const char *choices, const char *s, size_t *ret_len)
{
	size_t slen = strlen(s);
	const char *p = choices;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

		if (len == slen && len > 0 && strncasecmp(p, s, len) == 0) {
			*ret_len = len;
			return p;
		}
		p = bar != NULL ? bar + 1 : NULL;
	}
	return NULL;
}

static bool
is_http_url(const char *s)
{
	size_t skip, i;

	if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else
		return false;
	/* A host must follow, and no blanks or control characters anywhere. */
	if (s[skip] == '\0' || s[skip] == '/')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (isspace((unsigned char)s[i]) ||
		    iscntrl((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Check text against d.  On success store the canonical text in canon
 * (CFG_VALUE_MAX + 1 bytes) and the number in *ret_num and return 0; on
 * failure return -EINVAL with "KEY: PROBLEM" in msg.  Secret values are
 * never echoed into msg.
 */
static int
check_value(const struct cfg_def *d, const char *text, char *canon,
    int64_t *ret_num, char *msg, size_t msglen)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	const char *shown = d->secret ? MASK : text;
	const char *word;
	char lo[32], hi[32];
	int64_t num = 0;
	long long ll;
	size_t len, i;
	char *end;
	int r;

	len = strnlen(text, CFG_VALUE_MAX + 1);
	if (len > CFG_VALUE_MAX) {
		errf(msg, msglen, "%s: value is too long (max %d bytes)",
		    d->name, CFG_VALUE_MAX);
		return -EINVAL;
	}
	switch (d->type) {
	case CFG_STRING:
		break;
	case CFG_INT:
		if (!isdigit((unsigned char)text[0]) &&
		    !((text[0] == '-' || text[0] == '+') &&
		        isdigit((unsigned char)text[1]))) {
			errf(msg, msglen, "%s: '%s' is not a whole number",
			    d->name, shown);
			return -EINVAL;
		}
		errno = 0;
		ll = strtoll(text, &end, 10);
		if (*end != '\0') {
			errf(msg, msglen, "%s: '%s' is not a whole number",
			    d->name, shown);
			return -EINVAL;
		}
		if (errno == ERANGE || !in_range(d, ll)) {
			int64_t mn = d->min, mx = d->max;

			if (mn == 0 && mx == 0) {
				mn = INT64_MIN;
				mx = INT64_MAX;
			}
			errf(msg, msglen,
			    "%s: %s is out of range (%" PRId64 "..%" PRId64 ")",
			    d->name, shown, mn, mx);
			return -EINVAL;
		}
		num = ll;
		break;
	case CFG_DURATION:
		r = parse_duration(text, &num);
		if (r == -EINVAL) {
			errf(msg, msglen,
			    "%s: '%s' is not a duration (e.g. 250ms, 5s, 10m, "
			    "2h, 30d)",
			    d->name, shown);
			return -EINVAL;
		}
		if (r == -ERANGE || !in_range(d, num)) {
			if (d->min == 0 && d->max == 0) {
				errf(msg, msglen,
				    "%s: %s is too long a duration", d->name,
				    shown);
			} else {
				fmt_duration(d->min, lo, sizeof(lo));
				fmt_duration(d->max, hi, sizeof(hi));
				errf(msg, msglen,
				    "%s: %s is out of range (%s..%s)", d->name,
				    shown, lo, hi);
			}
			return -EINVAL;
		}
		break;
	case CFG_BOOL:
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcasecmp(text, yes[i]) == 0) {
				snprintf(canon, CFG_VALUE_MAX + 1, "true");
				*ret_num = 1;
				return 0;
			}
			if (strcasecmp(text, no[i]) == 0) {
				snprintf(canon, CFG_VALUE_MAX + 1, "false");
				*ret_num = 0;
				return 0;
			}
		}
		errf(msg, msglen,
		    "%s: '%s' is not a boolean (true/false, yes/no, on/off, "
		    "1/0)",
		    d->name, shown);
		return -EINVAL;
	case CFG_ENUM:
		word = find_choice(
		    d->choices != NULL ? d->choices : "", text, &len);
		if (word == NULL) {
			errf(msg, msglen, "%s: '%s' is not one of %s", d->name,
			    shown, d->choices != NULL ? d->choices : "(none)");
			return -EINVAL;
		}
		/* Store the table's spelling so "INFO" reads back as "info". */
		memcpy(canon, word, len);
		canon[len] = '\0';
		*ret_num = 0;
		return 0;
	case CFG_PATH:
		if (text[0] == '\0') {
			errf(msg, msglen, "%s: the path is empty", d->name);
			return -EINVAL;
		}
		break;
	case CFG_URL:
		if (!is_http_url(text)) {
			errf(msg, msglen, "%s: '%s' is not an http(s) URL",
			    d->name, shown);
			return -EINVAL;
		}
		break;
	default:
		errf(msg, msglen, "%s: unknown setting type %d", d->name,
		    (int)d->type);
		return -EINVAL;
	}
	memcpy(canon, text, len + 1);
	*ret_num = num;
	return 0;
}

/*
 * Check text for entry i and store it with source src.  where, if not NULL,
 * prefixes the message ("FILE:LINE", "DRAFTBOT_X").  Nothing changes on
 * error.
 */
static int
set_value(struct cfg *c, size_t i, const char *text, enum cfg_source src,
    const char *where, char *err, size_t errlen)
{
	char canon[CFG_VALUE_MAX + 1];
	char msg[CFG_ERR_MAX];
	int64_t num = 0;
	int r;

	r = check_value(&c->table[i], text, canon, &num, msg, sizeof(msg));
	if (r < 0) {
		if (where != NULL)
			errf(err, errlen, "%s: %s", where, msg);
		else
			errf(err, errlen, "%s", msg);
		goto out;
	}
	memcpy(c->e[i].text, canon, strlen(canon) + 1);
	c->e[i].num = num;
	c->e[i].src = src;
	c->e[i].set = true;
out:
	explicit_bzero(canon, sizeof(canon));
	return r;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/*
 * Cut line at a comment: '#' at the start of the line or after a blank.
 * from is where to start looking.
 */
static void
cut_comment(char *line, char *from)
{
	char *p;

	for (p = from; *p != '\0'; p++) {
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/*
 * Apply one line of a config file.  Returns 0 (also for blank and comment
 * lines), -EINVAL or -ENOKEY with "FILE:LINE: ..." in err.
 */
static int
parse_line(
    struct cfg *c, char *line, const char *where, char *err, size_t errlen)
{
	char *p, *eq, *name, *value, *close;
	ssize_t i;

	/* A comment before any '=' hides it: "# db = /x" is all comment. */
	for (p = line; *p != '\0' && *p != '='; p++) {
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
	eq = *p == '=' ? p : NULL;
	if (eq == NULL) {
		if (*trim(line) == '\0')
			return 0;
		errf(err, errlen, "%s: expected 'name = value'", where);
		return -EINVAL;
	}
	*eq = '\0';
	name = trim(line);
	if (*name == '\0') {
		errf(err, errlen, "%s: expected 'name = value'", where);
		return -EINVAL;
	}
	i = find(c, name);
	if (i < 0) {
		errf(err, errlen, "%s: unknown setting '%s'", where, name);
		return -ENOKEY;
	}
	value = eq + 1;
	while (isspace((unsigned char)*value))
		value++;
	if (*value == '"') {
		/* Quoted: take everything up to the closing quote, '#' too. */
		value++;
		close = strchr(value, '"');
		if (close == NULL) {
			errf(err, errlen, "%s: %s: missing closing '\"'", where,
			    name);
			return -EINVAL;
		}
		*close = '\0';
		close++;
		while (isspace((unsigned char)*close))
			close++;
		if (*close != '\0' && *close != '#') {
			errf(err, errlen, "%s: %s: text after closing '\"'",
			    where, name);
			return -EINVAL;
		}
	} else {
		cut_comment(line, value);
		value = trim(value);
	}
	return set_value(c, (size_t)i, value, CFG_SRC_FILE, where, err, errlen);
}

/*
 * Read config file path into c.  Lines are read byte by byte into a bounded
 * buffer so an over-long line is reported, not split.
 */
static int
load_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	/* Longer than CFG_VALUE_MAX, plus one byte to notice, plus NUL. */
	char line[CFG_VALUE_MAX + 2];
	char where[CFG_ERR_MAX / 2];
	unsigned long lineno = 0;
	bool eof = false;
	FILE *f = NULL;
	size_t len;
	int r = 0, ch;

	c->file = strdup(path);
	if (c->file == NULL) {
		r = -ENOMEM;
		errf(err, errlen, "out of memory");
		goto out;
	}
	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		errf(err, errlen, "cannot read config file %s: %s", path,
		    strerror(-r));
		goto out;
	}
	errno = 0;
	while (!eof) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		len = 0;
		for (;;) {
			ch = getc(f);
			if (ch == EOF) {
				eof = true;
				break;
			}
			if (ch == '\n')
				break;
			if (ch == '\0') {
				r = -EINVAL;
				errf(
				    err, errlen, "%s: NUL byte in line", where);
				goto out;
			}
			if (len > CFG_VALUE_MAX) {
				r = -EINVAL;
				errf(err, errlen,
				    "%s: line is longer than %d bytes", where,
				    CFG_VALUE_MAX);
				goto out;
			}
			line[len++] = (char)ch;
		}
		if (len > CFG_VALUE_MAX) {
			r = -EINVAL;
			errf(err, errlen, "%s: line is longer than %d bytes",
			    where, CFG_VALUE_MAX);
			goto out;
		}
		line[len] = '\0';
		if (eof && ferror(f)) {
			/* getc() set errno when it failed. */
			r = errno != 0 ? -errno : -EIO;
			errf(err, errlen, "cannot read config file %s: %s",
			    path, strerror(-r));
			goto out;
		}
		/* Editors on some systems start UTF-8 files with a BOM. */
		if (lineno == 1 && len >= 3 &&
		    memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, len - 2);
		r = parse_line(c, line, where, err, errlen);
		if (r < 0)
			goto out;
	}
out:
	explicit_bzero(line, sizeof(line));
	if (f != NULL)
		fclose(f);
	return r;
}

static bool
env_ignored(const char *var, size_t len)
{
	static const char *const names[] = {
	    ENV_PREFIX "CONFIG",
	    ENV_PREFIX "BIN",
	    ENV_PREFIX "CORPORA",
	};
	static const char test[] = ENV_PREFIX "TEST_";
	size_t i;

	/* The test harness passes its own DRAFTBOT_TEST_* and paths. */
	if (len >= sizeof(test) - 1 && memcmp(var, test, sizeof(test) - 1) == 0)
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(var, names[i], len) == 0)
			return true;
	return false;
}

/* Is var (len bytes, "DRAFTBOT_...") the variable of a table entry? */
static bool
env_known(const struct cfg *c, const char *var, size_t len)
{
	char buf[NAME_MAX_LEN + sizeof(ENV_PREFIX)];
	size_t i;

	for (i = 0; i < c->n; i++) {
		env_name(c->table[i].name, buf, sizeof(buf));
		if (strlen(buf) == len && memcmp(buf, var, len) == 0)
			return true;
	}
	return false;
}

static int
load_env(struct cfg *c, char *err, size_t errlen)
{
	char var[NAME_MAX_LEN + sizeof(ENV_PREFIX)];
	const char *value;
	char **ep;
	size_t i, len;
	int r;

	/* A misspelt variable would silently do nothing; refuse it. */
	for (ep = environ; ep != NULL && *ep != NULL; ep++) {
		if (strncmp(*ep, ENV_PREFIX, strlen(ENV_PREFIX)) != 0)
			continue;
		len = strcspn(*ep, "=");
		if (env_ignored(*ep, len) || env_known(c, *ep, len))
			continue;
		errf(err, errlen, "unknown setting %.*s (environment)",
		    (int)(len < 200 ? len : 200), *ep);
		return -ENOKEY;
	}
	for (i = 0; i < c->n; i++) {
		env_name(c->table[i].name, var, sizeof(var));
		value = getenv(var);
		if (value == NULL)
			continue;
		r = set_value(c, i, value, CFG_SRC_ENV, var, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int
cfg_load(const struct cfg_def *table, const char *path, struct cfg **ret,
    char *err, size_t errlen)
{
	struct cfg *c = NULL;
	const char *env;
	size_t n, i;
	int r;

	if (table == NULL || ret == NULL) {
		errf(err, errlen, "cfg_load: no table");
		return -EINVAL;
	}
	for (n = 0; table[n].name != NULL; n++) {
		if (strlen(table[n].name) > NAME_MAX_LEN) {
			errf(err, errlen, "%.*s...: setting name too long",
			    NAME_MAX_LEN, table[n].name);
			return -EINVAL;
		}
	}
	c = calloc(1, sizeof(*c) + n * sizeof(c->e[0]));
	if (c == NULL) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->table = table;
	c->n = n;
	for (i = 0; i < n; i++) {
		c->e[i].src = CFG_SRC_DEFAULT;
		if (table[i].def == NULL)
			continue;
		r = set_value(c, i, table[i].def, CFG_SRC_DEFAULT, "(default)",
		    err, errlen);
		if (r < 0)
			goto out;
	}
	if (path == NULL) {
		env = getenv(ENV_PREFIX "CONFIG");
		if (env != NULL && env[0] != '\0')
			path = env;
	}
	if (path != NULL) {
		r = load_file(c, path, err, errlen);
		if (r < 0)
			goto out;
	}
	r = load_env(c, err, errlen);
	if (r < 0)
		goto out;
	*ret = c;
	c = NULL;
out:
	cfg_free(c);
	return r;
}

int
cfg_set(struct cfg *c, const char *name, const char *value, char *err,
    size_t errlen)
{
	ssize_t i;

	if (c == NULL || name == NULL) {
		errf(err, errlen, "cfg_set: no setting name");
		return -EINVAL;
	}
	i = find(c, name);
	if (i < 0) {
		errf(err, errlen, "unknown setting '%s'", name);
		return -ENOKEY;
	}
	if (value == NULL) {
		errf(err, errlen, "%s: no value", c->table[i].name);
		return -EINVAL;
	}
	return set_value(c, (size_t)i, value, CFG_SRC_FLAG, NULL, err, errlen);
}

const char *
cfg_str(const struct cfg *c, const char *name)
{
	ssize_t i = c != NULL ? find(c, name) : -1;

	if (i < 0 || !c->e[i].set)
		return NULL;
	return c->e[i].text;
}

int64_t
cfg_int(const struct cfg *c, const char *name)
{
	ssize_t i = c != NULL ? find(c, name) : -1;

	if (i < 0 || !c->e[i].set)
		return 0;
	return c->e[i].num;
}

bool
cfg_bool(const struct cfg *c, const char *name)
{
	return cfg_int(c, name) != 0;
}

enum cfg_source
cfg_source_of(const struct cfg *c, const char *name)
{
	ssize_t i = c != NULL ? find(c, name) : -1;

	if (i < 0)
		return CFG_SRC_DEFAULT;
	return c->e[i].src;
}

const char *
cfg_file(const struct cfg *c)
{
	return c != NULL ? c->file : NULL;
}

/* Describe where entry i came from: "default", "file PATH", "env X". */
static void
source_text(const struct cfg *c, size_t i, char *buf, size_t buflen)
{
	char var[NAME_MAX_LEN + sizeof(ENV_PREFIX)];

	switch (c->e[i].src) {
	case CFG_SRC_FILE:
		snprintf(
		    buf, buflen, "file %s", c->file != NULL ? c->file : "?");
		break;
	case CFG_SRC_ENV:
		env_name(c->table[i].name, var, sizeof(var));
		snprintf(buf, buflen, "env %s", var);
		break;
	case CFG_SRC_FLAG:
		snprintf(buf, buflen, "flag");
		break;
	case CFG_SRC_DEFAULT:
	default:
		snprintf(buf, buflen, "default");
		break;
	}
}

/* The text cfg_print shows for entry i (masked, "(unset)"). */
static const char *
shown_value(const struct cfg *c, size_t i)
{
	if (!c->e[i].set)
		return UNSET;
	if (c->table[i].secret)
		return MASK;
	return c->e[i].text;
}

/* Would a file reader get back something else than s unquoted? */
static bool
needs_quotes(const char *s)
{
	size_t len = strlen(s);

	return len == 0 || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[len - 1]) || s[0] == '"' ||
	    strchr(s, '#') != NULL;
}

static int
print_human(const struct cfg *c, FILE *out)
{
	/* Keep the '#' column near, even when one value is very long. */
	enum { VALUE_COL_MAX = 40 };
	char src[CFG_ERR_MAX];
	size_t i, namew = 0, valw = 0, len;
	const char *v;
	int q, r;

	for (i = 0; i < c->n; i++) {
		len = strlen(c->table[i].name);
		namew = len > namew ? len : namew;
		v = shown_value(c, i);
		len = strlen(v) + (c->e[i].set && needs_quotes(v) ? 2 : 0);
		valw = len > valw ? len : valw;
	}
	valw = valw < VALUE_COL_MAX ? valw : VALUE_COL_MAX;
	for (i = 0; i < c->n; i++) {
		v = shown_value(c, i);
		q = c->e[i].set && needs_quotes(v);
		source_text(c, i, src, sizeof(src));
		len = strlen(v) + (q ? 2 : 0);
		r = fprintf(out, "%-*s = %s%s%s%*s  # %s\n", (int)namew,
		    c->table[i].name, q ? "\"" : "", v, q ? "\"" : "",
		    (int)(len < valw ? valw - len : 0), "", src);
		if (r < 0)
			return -EIO;
	}
	return 0;
}

static int
print_json(const struct cfg *c, FILE *out)
{
	struct json_object *root, *v;
	const struct cfg_def *d;
	const char *text;
	int r = 0;
	size_t i;

	root = json_object_new_object();
	if (root == NULL)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		d = &c->table[i];
		if (!c->e[i].set)
			v = NULL; /* json null */
		else if (d->secret)
			v = json_object_new_string(MASK);
		else if (d->type == CFG_INT || d->type == CFG_DURATION)
			v = json_object_new_int64(c->e[i].num);
		else if (d->type == CFG_BOOL)
			v = json_object_new_boolean(c->e[i].num != 0);
		else
			v = json_object_new_string(c->e[i].text);
		if (c->e[i].set && v == NULL) {
			r = -ENOMEM;
			goto out;
		}
		if (json_object_object_add(root, d->name, v) < 0) {
			json_object_put(v);
			r = -ENOMEM;
			goto out;
		}
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (fprintf(out, "%s\n", text) < 0)
		r = -EIO;
out:
	json_object_put(root);
	return r;
}

int
cfg_print(const struct cfg *c, FILE *out, bool json)
{
	int r;

	if (c == NULL || out == NULL)
		return -EINVAL;
	r = json ? print_json(c, out) : print_human(c, out);
	if (r == 0 && ferror(out))
		r = -EIO;
	return r;
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	/* Wipe every value, not only secrets: a token may sit in a string. */
	explicit_bzero(c->e, c->n * sizeof(c->e[0]));
	free(c->file);
	free(c);
}
