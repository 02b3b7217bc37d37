#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bot/cli.h"

static void
vreport(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "draftbot: %s\n", line);
}

int
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return 1;
}

int
cli_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int
cli_parse_int64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

static void
print_table(const struct cli_cmd *table, const char *group, FILE *out)
{
	fprintf(out, "usage: %s COMMAND [ARGS]\n\ncommands:\n", group);
	for (const struct cli_cmd *c = table; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'%s COMMAND --help' explains each.\n", group);
}

int
cli_dispatch(struct cli *cli, const struct cli_cmd *table, const char *group,
    int argc, char **argv)
{
	if (argc < 1) {
		print_table(table, group, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		print_table(table, group, stdout);
		return 0;
	}
	for (const struct cli_cmd *c = table; c->name != NULL; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->run(cli, argc, argv);
	return cli_usage("unknown command '%s %s' (see '%s --help')", group,
	    argv[0], group);
}

/*
 * SQLite says only "unable to open database file" when the file is missing
 * and cannot be created; name the folder, which is what the operator has to
 * fix (it does not exist, or, like /proc, takes no new files).
 */
static int
cannot_create(const char *path)
{
	char copy[PATH_MAX];
	struct stat st;
	const char *dir;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (stat(dir, &st) < 0)
		return cli_error("cannot open database %s: folder %s: %s", path,
		    dir, strerror(errno));
	return cli_error("cannot create database %s: the folder %s does not "
	                 "take new files (%s)",
	    path, dir, queue_open_error());
}

/* A lock time-out: say which timeout ran out and what to do about it. */
static int
busy_error(struct cli *cli, const char *what, const char *detail)
{
	return cli_error("%s: the database stayed locked past the busy "
	                 "timeout of %s (%s); another process holds the "
	                 "write lock: try again, or raise --busy-timeout",
	    what, cfg_str(cli->cfg, "busy_timeout"), detail);
}

int
cli_open_queue(struct cli *cli, const char *actor, struct queue **ret)
{
	return cli_open_queue_cache(cli, actor, 0, ret);
}

int
cli_open_queue_cache(
    struct cli *cli, const char *actor, int cache_kb, struct queue **ret)
{
	struct queue_opts o = {
		.busy_timeout_ms = (int)cfg_int(cli->cfg, "busy_timeout"),
		.max_attempts = (int)cfg_int(cli->cfg, "max_attempts"),
		.cache_kb = cache_kb,
		.actor = actor,
	};
	const char *path = cfg_str(cli->cfg, "db");
	char what[PATH_MAX + 32];
	int r;

	r = queue_open(path, &o, ret);
	if (r == -ENOENT)
		return cannot_create(path);
	if (r == -EBUSY) {
		snprintf(what, sizeof(what), "cannot open database %s", path);
		return busy_error(cli, what, queue_open_error());
	}
	if (r < 0)
		return cli_error("cannot open database %s: %s (%s)", path,
		    queue_strerror(r), queue_open_error());
	return 0;
}

int
cli_queue_error(struct cli *cli, struct queue *q, const char *what, int r)
{
	if (r == -EBUSY)
		return busy_error(cli, what, queue_errmsg(q));
	return cli_error("%s: %s", what, queue_errmsg(q));
}

int
cli_getopt(int argc, char **argv, const struct option *opts, const char *usage,
    int *ret_code)
{
	/* ':' first: a missing value is reported as such.  No '+': options
	 * may follow the arguments, as in "queue retry 12 --json". */
	char shorts[64] = ":";
	size_t n = strlen(shorts);
	int ch;

	/* Every long option whose value is a letter has that letter as its
	 * short form (-f, -n, -j, -h). */
	for (const struct option *o = opts; o->name != NULL; o++) {
		if (o->flag != NULL || o->val < 'a' || o->val > 'z' ||
		    n + 3 > sizeof(shorts))
			continue;
		shorts[n++] = (char)o->val;
		if (o->has_arg == required_argument)
			shorts[n++] = ':';
	}
	shorts[n] = '\0';
	opterr = 0;
	ch = getopt_long(argc, argv, shorts, opts, NULL);
	if (ch == 'h') {
		printf("usage: %s\n", usage);
		*ret_code = 0;
	} else if (ch == '?' || ch == ':') {
		*ret_code = cli_usage("%s '%s'\nusage: %s",
		    ch == ':' ? "missing value for option"
			      : "unknown option",
		    argv[optind - 1], usage);
	}
	return ch;
}


int
cli_json_args(int argc, char **argv, const char *name, const char *usage,
    int nargs, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, code = -1;

	*json = false;
	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (ch != 'j')
			return code;
		*json = true;
	}
	if (argc - optind > nargs)
		return cli_usage("%s: unexpected argument '%s'\nusage: %s",
		    name, argv[optind + nargs], usage);
	if (argc - optind < nargs)
		return cli_usage("%s: missing argument\nusage: %s", name,
		    usage);
	return -1;
}
