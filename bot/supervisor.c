/* supervisor — `draftbot run`: check the token, run receiver and executor. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/procs.h"
#include "bot/supervisor.h"
#include "bot/tg.h"
#include "common/log.h"

#define SELF "/proc/self/exe"

const char supervisor_no_token[] =
    "draftbot: no Telegram bot token is set, so 'draftbot run' cannot talk "
    "to Telegram.\n"
    "Set one of these and run it again:\n"
    "  DRAFTBOT_TELEGRAM_TOKEN=<token>         the token @BotFather gave "
    "you\n"
    "  DRAFTBOT_TELEGRAM_TOKEN_FILE=<file>     a file holding it, readable "
    "only by you (chmod 600)\n"
    "To try draftbot without Telegram, run 'draftbot chat': it needs no "
    "token.\n";

/* A child: this binary again, with the global options and a subcommand. */
struct child {
	char **argv; /* argv[0], the global options, the subcommand, NULL */
};

static int
run_self(void *arg)
{
	struct child *c = arg;

	execv(SELF, c->argv);
	log_error("cannot run %s %s: %s", SELF, c->argv[0], strerror(errno));
	return 127;
}

/* argv[0] and the global options of cli, then words (NULL-terminated).
 * The caller frees the array (not the strings, which are borrowed). */
static char **
child_argv(const struct cli *cli, const char *const *words)
{
	size_t n = 0, k = 0;
	char **v;

	while (words[n] != NULL)
		n++;
	v = calloc((size_t)cli->nglobal + n + 2, sizeof(*v));
	if (v == NULL)
		return NULL;
	v[k++] = cli->argv[0];
	for (int i = 1; i <= cli->nglobal; i++)
		v[k++] = cli->argv[i];
	for (size_t i = 0; i < n; i++)
		v[k++] = (char *)words[i];
	v[k] = NULL;
	return v;
}

/* Check the token with getMe and say which bot this is.  0, or 1 after
 * saying why not. */
static int
check_token(struct cli *cli)
{
	struct json_object *me = NULL, *v;
	struct tg_error err = {0};
	struct tg *t = NULL;
	int r, code = 1;

	if (cli_open_tg(cli, &t) != 0)
		return 1;
	r = tg_call(t, "getMe", NULL, 0, &me, &err);
	if (r == -ENOENT)
		cli_error("Telegram does not accept this bot token (HTTP %d: "
		          "%s): check DRAFTBOT_TELEGRAM_TOKEN (or the token "
		          "file) against what @BotFather gave you",
		    err.http_status, err.description);
	else if (r < 0 && tg_retryable(r))
		cli_error("cannot reach Telegram at %s (%s): check the network "
		          "(or DRAFTBOT_TELEGRAM_API) and try again",
		    cfg_str(cli->cfg, "telegram_api"), err.description);
	else if (r < 0)
		cli_error("getMe failed (HTTP %d): %s", err.http_status,
		    err.description);
	else if (!json_object_object_get_ex(me, "username", &v) ||
	    !json_object_is_type(v, json_type_string))
		cli_error("getMe: Telegram's answer names no bot username");
	else {
		printf("draftbot: running as @%s\n", json_object_get_string(v));
		fflush(stdout);
		code = 0;
	}
	json_object_put(me);
	tg_close(t);
	return code;
}

int
cli_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"poll", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] = "draftbot run [--poll]";
	const char *receive[] = {"receive", NULL, NULL};
	const char *const execute[] = {"execute", NULL};
	struct child recv_child = {0}, exec_child_args = {0};
	struct proc procs[2];
	int ch, code = -1;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (ch != 'p')
			return code;
		receive[1] = "--poll";
	}
	if (optind < argc)
		return cli_usage(
		    "unexpected argument '%s'\nusage: %s", argv[optind], usage);
	if (cfg_str(cli->cfg, "telegram_token") == NULL &&
	    cfg_str(cli->cfg, "telegram_token_file") == NULL) {
		fputs(supervisor_no_token, stderr);
		return 1;
	}
	if (check_token(cli) != 0)
		return 1;
	recv_child.argv = child_argv(cli, receive);
	exec_child_args.argv = child_argv(cli, execute);
	if (recv_child.argv == NULL || exec_child_args.argv == NULL) {
		code = cli_error("out of memory");
		goto out;
	}
	procs[0] = (struct proc){
	    .name = "receiver", .main = run_self, .arg = &recv_child};
	procs[1] = (struct proc){
	    .name = "executor", .main = run_self, .arg = &exec_child_args};
	code = procs_run(procs, 2, NULL);
	if (code < 0)
		code = cli_error(
		    "cannot supervise the children: %s", strerror(-code));
out:
	free(recv_child.argv);
	free(exec_child_args.argv);
	return code;
}
