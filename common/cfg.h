/*
 * cfg — settings from one table and three sources.
 *
 * Every setting has a name ("db", "log_level"), an environment variable
 * DRAFTBOT_<NAME> and a key <name> in an optional config file of
 * "name = value" lines ('#' starts a comment).  Precedence, lowest first:
 * the table's default, the file, the environment, then cfg_set() (command
 * line flags).  Values are checked against the table when they are set, so a
 * loaded cfg never holds an invalid value.
 */
#ifndef DRAFTBOT_CFG_H
#define DRAFTBOT_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cfg_type {
	CFG_STRING,   /* any text up to CFG_VALUE_MAX bytes */
	CFG_INT,      /* decimal integer within [min, max] */
	CFG_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	CFG_DURATION, /* "250ms", "5s", "10m", "2h", "30d" or bare seconds; kept in ms, within [min, max] ms */
	CFG_ENUM,     /* one of the '|'-separated words in choices */
	CFG_PATH,     /* a file system path, non-empty */
	CFG_URL,      /* http:// or https:// URL */
};

enum cfg_source { CFG_SRC_DEFAULT, CFG_SRC_FILE, CFG_SRC_ENV, CFG_SRC_FLAG };

#define CFG_VALUE_MAX 4096
#define CFG_ERR_MAX 512

struct cfg_def {
	const char *name;     /* lower case, '_' between words */
	enum cfg_type type;
	const char *def;      /* default as text; NULL = unset */
	int64_t min, max;     /* CFG_INT, CFG_DURATION (ms); both 0 = no limit */
	const char *choices;  /* CFG_ENUM: "debug|info|warn|error" */
	bool secret;          /* masked by cfg_print, never logged */
	const char *help;     /* one line for config check and the README */
};

struct cfg;

/*
 * Build a cfg from table (terminated by an entry with name NULL): defaults,
 * then the file at path (if path is NULL, the file named by DRAFTBOT_CONFIG;
 * none if that is unset too), then DRAFTBOT_<NAME> variables from environ.
 * On success store the handle in *ret and return 0.  On failure return a
 * negative errno code (-ENOENT/-EACCES unreadable file, -EINVAL bad value or
 * syntax, -ENOKEY unknown key or unknown DRAFTBOT_ variable), leave *ret
 * untouched and write one line naming the key/file and the problem into err.
 * The table must outlive the cfg.
 */
int cfg_load(const struct cfg_def *table, const char *path, struct cfg **ret,
    char *err, size_t errlen);

/*
 * Set name (with '_' or '-' between words) to value from the command line,
 * overriding every other source.  Returns 0, -ENOKEY for an unknown name or
 * -EINVAL for a bad value, with a message in err.  Nothing changes on error.
 */
int cfg_set(struct cfg *c, const char *name, const char *value, char *err,
    size_t errlen);

/* The value of name as text, borrowed from c; NULL if unset or unknown. */
const char *cfg_str(const struct cfg *c, const char *name);

/* CFG_INT value, CFG_DURATION in milliseconds, CFG_BOOL as 0/1; 0 if unset. */
int64_t cfg_int(const struct cfg *c, const char *name);

bool cfg_bool(const struct cfg *c, const char *name);

/* Where the current value of name came from. */
enum cfg_source cfg_source_of(const struct cfg *c, const char *name);

/* The config file that was read, or NULL. Borrowed. */
const char *cfg_file(const struct cfg *c);

/*
 * Print every setting with its value and source, secrets shown as "********"
 * (or "(unset)").  json: one object {"name": value, ...} with numbers for
 * CFG_INT/CFG_DURATION(ms)/CFG_BOOL as true/false.  Returns 0 or -EIO.
 */
int cfg_print(const struct cfg *c, FILE *out, bool json);

void cfg_free(struct cfg *c); /* NULL is a no-op; wipes secret values */

/* Parse a duration like "1500ms", "5s", "10m", "2h", "30d", "1w" or bare
 * seconds into milliseconds.  Returns 0 or -EINVAL. */
int cfg_parse_duration(const char *s, int64_t *ret_ms);

#endif
