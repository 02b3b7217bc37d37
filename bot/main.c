/*
 * draftbot — one binary, subcommands from a table (like git or smtpctl).
 *
 *   draftbot [--config FILE] [--SETTING VALUE]… COMMAND [ARGS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/chat.h"
#include "bot/cli.h"
#include "bot/executor.h"
#include "bot/supervisor.h"
#include "common/log.h"
#include "common/settings.h"

static const struct cli_cmd commands[] = {
	{ "run", cli_run,
	    "supervise a receiver and the executor (--poll: getUpdates)" },
	{ "receive", cli_receive,
	    "Telegram webhook server, or --poll for getUpdates" },
	{ "execute", cli_execute,
	    "executor workers, outbox sender and scheduler" },
	{ "chat", cli_chat,
	    "talk to the bot in the terminal (no Telegram needed)" },
	{ "queue", cli_queue, "look into and repair the command queue" },
	{ "audit", cli_audit, "follow the audit log" },
	{ "migrate", cli_migrate,
	    "apply schema migrations and print the schema version" },
	{ "parse", cli_parse, "show what the date parser finds in text" },
	{ "extract-event", cli_extract_event,
	    "show the events of a web page or an .ics file" },
	{ "config", cli_config, "check and print the configuration" },
	{ "google", cli_google,
	    "connect a person's Google account (operators)" },
	{ "user", cli_user, "show a person: zone, backend, Google, LLM use" },
	{ "webhook", cli_webhook,
	    "set, show or delete the bot's Telegram webhook" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: draftbot [--config FILE] [--SETTING VALUE]... COMMAND "
	    "[ARGS]\n\ncommands:\n");
	for (const struct cli_cmd *c = commands; c->name != NULL; c++)
		fprintf(out, "  %-13s %s\n", c->name, c->summary);
	fprintf(out,
	    "\nEvery setting can be given as --NAME VALUE before the command,\n"
	    "as DRAFTBOT_NAME in the environment or as 'name = value' in the\n"
	    "config file; 'draftbot config check' shows them all.\n"
	    "'draftbot COMMAND --help' explains each command.\n");
}

/*
 * Global options come before the command: --config FILE, and --NAME VALUE
 * or --NAME=VALUE for any setting.  Returns the index of the command word,
 * or -1 after printing an error.
 */
static int
parse_globals(int argc, char **argv, const char **config,
    const char *sets[][2], int *nsets)
{
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *name = argv[i] + 2, *eq = strchr(name, '=');
		static char namebuf[128];
		const char *value;

		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "--version") == 0)
			return i;
		if (eq != NULL) {
			snprintf(namebuf, sizeof(namebuf), "%.*s",
			    (int)(eq - name), name);
			value = eq + 1;
		} else {
			if (i + 1 >= argc) {
				fprintf(stderr,
				    "draftbot: option --%s needs a value\n",
				    name);
				return -1;
			}
			snprintf(namebuf, sizeof(namebuf), "%s", name);
			value = argv[++i];
		}
		if (strcmp(namebuf, "config") == 0) {
			*config = value;
			continue;
		}
		if (*nsets >= 64) {
			fprintf(stderr, "draftbot: too many options\n");
			return -1;
		}
		sets[*nsets][0] = strdup(namebuf);
		sets[*nsets][1] = value;
		(*nsets)++;
	}
	return i;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *sets[64][2];
	char err[CFG_ERR_MAX];
	struct cli cli = { 0 };
	enum log_level level;
	int nsets = 0, first, code, r;

	first = parse_globals(argc, argv, &config, sets, &nsets);
	cli.argv = argv;
	cli.nglobal = first - 1;
	if (first < 0) {
		code = EXIT_USAGE;
		goto out;
	}
	if (first >= argc) {
		usage(stderr);
		code = EXIT_USAGE;
		goto out;
	}
	if (strcmp(argv[first], "--help") == 0 ||
	    strcmp(argv[first], "help") == 0) {
		usage(stdout);
		code = 0;
		goto out;
	}
	if (strcmp(argv[first], "--version") == 0) {
		printf("draftbot %s\n", DRAFTBOT_VERSION);
		code = 0;
		goto out;
	}
	if (strncmp(argv[first], "-", 1) == 0) {
		code = cli_usage(
		    "unknown option '%s' (see 'draftbot --help')", argv[first]);
		goto out;
	}
	r = cfg_load(settings_table, config, &cli.cfg, err, sizeof(err));
	if (r < 0) {
		code = cli_error("configuration: %s", err);
		goto out;
	}
	for (int i = 0; i < nsets; i++) {
		r = cfg_set(cli.cfg, sets[i][0], sets[i][1], err, sizeof(err));
		if (r < 0) {
			code = cli_usage("option --%s: %s", sets[i][0], err);
			goto out;
		}
	}
	if (log_level_parse(cfg_str(cli.cfg, "log_level"), &level) == 0)
		log_set_level(level);
	code = cli_dispatch(
	    &cli, commands, "draftbot", argc - first, argv + first);
out:
	for (int i = 0; i < nsets; i++)
		free((char *)sets[i][0]);
	cfg_free(cli.cfg);
	return code;
}
