/*
 * cli — what the draftbot subcommands share: the loaded configuration,
 * opening the queue with a clear message, number parsing, usage errors.
 * Exit codes: 0 done, 1 failed (the reason on stderr), 2 usage error or not
 * built yet.
 */
#ifndef DRAFTBOT_CLI_H
#define DRAFTBOT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cfg.h"
#include "queue/queue.h"

#define EXIT_USAGE 2

struct cli {
	struct cfg *cfg;
	char **argv; /* the whole command line, to run this binary again */
	int nglobal; /* argv[1..nglobal] are the global options */
};

/* A subcommand or sub-subcommand: name, handler, one line of help. */
struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

/*
 * Find argv[0] in table and run it; print the table as help for "--help",
 * "help" or no argument, and a usage error for an unknown name.  group is
 * the words before ("draftbot queue").  Returns the exit code.
 */
int cli_dispatch(struct cli *cli, const struct cli_cmd *table,
    const char *group, int argc, char **argv);

/* Open the configured database as actor; on failure print why (naming the
 * path) and return non-zero. */
int cli_open_queue(struct cli *cli, const char *actor, struct queue **ret);

/* The same with a page cache of cache_kb KiB (queue_opts.cache_kb). */
int cli_open_queue_cache(
    struct cli *cli, const char *actor, int cache_kb, struct queue **ret);

/* Print why queue call what ("queue add") failed with r, from
 * queue_errmsg(q); a lock time-out names the busy timeout.  Returns 1. */
int cli_queue_error(struct cli *cli, struct queue *q, const char *what, int r);

/* Print "draftbot: …" on stderr and return 1 (or EXIT_USAGE from
 * cli_usage). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict decimal parse of a whole int64 ("12", "-5"); 0 or -EINVAL. */
int cli_parse_int64(const char *s, int64_t *ret);

/*
 * getopt_long over argv (argv[0] is the sub-command name).  Returns the
 * option's value, or -1 at the end.  On --help it prints usage and returns
 * 'h' with *ret_code 0; on an unknown option or a missing value it prints
 * the error and returns '?' or ':' with *ret_code EXIT_USAGE.
 */
int cli_getopt(int argc, char **argv, const struct option *opts,
    const char *usage, int *ret_code);

/*
 * Parse the options of a command that takes only --json (and --help) and
 * exactly nargs plain arguments, found at argv[optind…] afterwards.  name is
 * the command's words for messages ("queue retry").  Returns -1 to go on, or
 * the exit code to return: 0 after --help, EXIT_USAGE after an error.
 */
int cli_json_args(int argc, char **argv, const char *name, const char *usage,
    int nargs, bool *json);

/* The subcommand groups, each in its own file. */
int cli_queue(struct cli *cli, int argc, char **argv);
int cli_audit(struct cli *cli, int argc, char **argv);
int cli_parse(struct cli *cli, int argc, char **argv);
int cli_extract_event(struct cli *cli, int argc, char **argv);
int cli_migrate(struct cli *cli, int argc, char **argv);
int cli_config(struct cli *cli, int argc, char **argv);
int cli_receive(struct cli *cli, int argc, char **argv);
int cli_webhook(struct cli *cli, int argc, char **argv);
int cli_google(struct cli *cli, int argc, char **argv);
int cli_user(struct cli *cli, int argc, char **argv);

struct tg;

/*
 * A Bot API client from telegram_api, telegram_timeout and the token in
 * telegram_token or in telegram_token_file (which group and others must
 * not be able to read).  On failure print what to set or fix and return
 * non-zero; the caller closes *ret with tg_close().
 */
int cli_open_tg(struct cli *cli, struct tg **ret);

#endif
