/* draftbot receive [--listen ADDR:PORT] [--poll]; draftbot webhook set | info
 * | delete */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/cli.h"
#include "bot/poll.h"
#include "bot/receiver.h"
#include "bot/tg.h"
#include "common/timeutil.h"

#define SECRET_TOKEN_MAX 256 /* Telegram's limit for secret_token */

static const char *const allowed_updates[] = {
    "message", "edited_message", "callback_query", "my_chat_member", NULL};

/*
 * Read the token from path: a regular file that neither group nor others
 * may read (a token is a password), one line, trailing newline removed.
 * Returns 0 or 1 after printing why.
 */
static int
read_token_file(const char *path, char *buf, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd, code = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cli_error(
		    "telegram_token_file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		code = cli_error(
		    "telegram_token_file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		code = cli_error(
		    "telegram_token_file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		code = cli_error("telegram_token_file %s can be read or "
		                 "changed by others (mode %04o); the token "
		                 "is a password: run 'chmod 600 %s'",
		    path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		code = cli_error(
		    "telegram_token_file %s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if ((size_t)n >= len - 2 || strchr(buf, '\n') != NULL) {
		code = cli_error("telegram_token_file %s holds more than one "
		                 "token (it must be the token alone, as "
		                 "@BotFather gave it)",
		    path);
		goto out;
	}
	if (n == 0)
		code = cli_error("telegram_token_file %s is empty", path);
out:
	close(fd);
	return code;
}

int
cli_open_tg(struct cli *cli, struct tg **ret)
{
	const char *token = cfg_str(cli->cfg, "telegram_token");
	const char *file = cfg_str(cli->cfg, "telegram_token_file");
	char buf[TG_TOKEN_MAX + 8];
	struct tg_opts o = {
	    .api_base = cfg_str(cli->cfg, "telegram_api"),
	    .timeout_ms = (long)cfg_int(cli->cfg, "telegram_timeout"),
	};
	int code = 0, r;

	if (token != NULL && file != NULL)
		return cli_error("both telegram_token and telegram_token_file "
		                 "are set; set only one of "
		                 "DRAFTBOT_TELEGRAM_TOKEN and "
		                 "DRAFTBOT_TELEGRAM_TOKEN_FILE");
	if (token == NULL && file == NULL)
		return cli_error("no Telegram bot token: set "
		                 "DRAFTBOT_TELEGRAM_TOKEN to the token from "
		                 "@BotFather, or DRAFTBOT_TELEGRAM_TOKEN_FILE "
		                 "to a file holding it (readable only by you)");
	if (token == NULL) {
		code = read_token_file(file, buf, sizeof(buf));
		if (code != 0)
			goto out;
		token = buf;
	}
	o.token = token;
	r = tg_open(&o, ret);
	if (r < 0 && tg_load_error() != NULL)
		code = cli_error("cannot talk to Telegram: %s; install libcurl "
		                 "7.56 or newer (Debian, Ubuntu: apt install "
		                 "libcurl4)",
		    tg_load_error());
	else if (r < 0)
		code = cli_error("cannot use the Telegram bot token from %s "
		                 "(%s): it should look like 123456789:AAE…, "
		                 "as @BotFather gave it",
		    file != NULL ? file : "telegram_token", strerror(-r));
out:
	explicit_bzero(buf, sizeof(buf));
	return code;
}

/* Say what a failed Bot API call means for the operator.  Returns 1. */
static int
tg_failed(struct cli *cli, const char *method, int r, const struct tg_error *e)
{
	const char *d = e->description[0] ? e->description : strerror(-r);

	if (r == -ENOENT)
		return cli_error("%s: Telegram does not know this bot token "
		                 "(404): check DRAFTBOT_TELEGRAM_TOKEN",
		    method);
	if (tg_retryable(r))
		return cli_error("%s: cannot reach Telegram at %s (%s); try "
		                 "again later",
		    method, cfg_str(cli->cfg, "telegram_api"), d);
	if (e->http_status != 0)
		return cli_error("%s: Telegram refused it (HTTP %d): %s",
		    method, e->http_status, d);
	return cli_error("%s failed: %s", method, d);
}

static int
receive(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"poll", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot receive [--listen ADDR:PORT] [--poll]\n"
	    "  webhook server (default 127.0.0.1:8080, path webhook_path), "
	    "or\n  --poll: getUpdates long polling (needs the bot token)";
	struct receiver_opts ro = {0};
	struct tg_error te = {0};
	struct queue *q = NULL;
	struct tg *t = NULL;
	char err[CFG_ERR_MAX];
	bool poll = false;
	int ch, code = -1, r;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 'l':
			if (cfg_set(cli->cfg, "listen", optarg, err,
			        sizeof(err)) < 0)
				return cli_usage("--listen: %s", err);
			break;
		case 'p':
			poll = true;
			break;
		default:
			return code;
		}
	}
	if (optind < argc)
		return cli_usage("receive: unexpected argument '%s'\nusage: %s",
		    argv[optind], usage);
	if (poll) {
		code = cli_open_tg(cli, &t);
		if (code != 0)
			return code;
	}
	code =
	    cli_open_queue_cache(cli, "receiver", poll ? 0 : RECV_CACHE_KB, &q);
	if (code != 0) {
		tg_close(t);
		return code;
	}
	if (poll) {
		r = poll_run(t, q, NULL, &te);
		if (r == -EEXIST)
			return cli_error("getUpdates: Telegram answered 409 "
			                 "Conflict: a webhook is set for this "
			                 "bot, and Telegram does not allow "
			                 "polling while it is.  Run 'draftbot "
			                 "webhook delete' to poll, or run "
			                 "'draftbot receive' without --poll to "
			                 "take updates by webhook");
		return r < 0 ? tg_failed(cli, "getUpdates", r, &te) : 0;
	}
	ro.listen = cfg_str(cli->cfg, "listen");
	ro.path = cfg_str(cli->cfg, "webhook_path");
	ro.secret = cfg_str(cli->cfg, "webhook_secret");
	if (ro.path == NULL || ro.path[0] != '/') {
		queue_close(q);
		return cli_error("webhook_path '%s' must start with '/'",
		    ro.path ? ro.path : "");
	}
	return receiver_run(q, &ro) < 0 ? 1 : 0;
}

/* Telegram's rule for secret_token: 1-256 of A-Z a-z 0-9 _ -. */
static int
check_secret(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SECRET_TOKEN_MAX ||
	    strspn(s,
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789_-") != n)
		return cli_error("webhook_secret must be 1 to %d characters "
		                 "of A-Z, a-z, 0-9, '_' and '-' (Telegram's "
		                 "rule for secret_token); generate one with "
		                 "'openssl rand -hex 32'",
		    SECRET_TOKEN_MAX);
	return 0;
}

static int
webhook_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"certificate", required_argument, NULL, 'c'},
	    {"max-connections", required_argument, NULL, 'm'},
	    {"drop-pending-updates", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot webhook set URL [--certificate FILE] "
	    "[--max-connections N] [--drop-pending-updates]";
	const char *cert = NULL, *secret = cfg_str(cli->cfg, "webhook_secret");
	struct json_object *params = NULL, *kinds, *res = NULL;
	struct tg_error te = {0};
	struct tg *t = NULL;
	int64_t maxc = 0;
	bool drop = false;
	int ch, code = -1, r;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 'c':
			cert = optarg;
			break;
		case 'm':
			if (cli_parse_int64(optarg, &maxc) < 0 || maxc < 1 ||
			    maxc > 100)
				return cli_usage("--max-connections: '%s' is "
				                 "not a number from 1 to 100",
				    optarg);
			break;
		case 'd':
			drop = true;
			break;
		default:
			return code;
		}
	}
	if (argc - optind != 1)
		return cli_usage(
		    "webhook set needs exactly one URL\nusage: %s", usage);
	if (strncmp(argv[optind], "https://", 8) != 0)
		return cli_usage("webhook set: '%s' is not an https:// URL "
		                 "(Telegram delivers webhooks over HTTPS only)",
		    argv[optind]);
	if (cert != NULL && access(cert, R_OK) < 0)
		return cli_error("--certificate %s: %s", cert, strerror(errno));
	if (secret != NULL && check_secret(secret) != 0)
		return 1;
	code = cli_open_tg(cli, &t);
	if (code != 0)
		return code;
	params = json_object_new_object();
	json_object_object_add(
	    params, "url", json_object_new_string(argv[optind]));
	if (secret != NULL)
		json_object_object_add(
		    params, "secret_token", json_object_new_string(secret));
	kinds = json_object_new_array();
	for (int i = 0; allowed_updates[i] != NULL; i++)
		json_object_array_add(
		    kinds, json_object_new_string(allowed_updates[i]));
	json_object_object_add(params, "allowed_updates", kinds);
	if (maxc > 0)
		json_object_object_add(
		    params, "max_connections", json_object_new_int((int)maxc));
	if (drop)
		json_object_object_add(params, "drop_pending_updates",
		    json_object_new_boolean(true));
	if (cert != NULL)
		r = tg_call_multipart(t, "setWebhook",
		    json_object_to_json_string_ext(
		        params, JSON_C_TO_STRING_PLAIN),
		    "certificate", cert, &res, &te);
	else
		r = tg_call(t, "setWebhook",
		    json_object_to_json_string_ext(
		        params, JSON_C_TO_STRING_PLAIN),
		    0, &res, &te);
	/* The secret is in params' text: wipe it before letting go. */
	if (secret != NULL) {
		const char *text = json_object_to_json_string_ext(
		    params, JSON_C_TO_STRING_PLAIN);

		explicit_bzero((char *)text, strlen(text));
	}
	if (r < 0) {
		code = tg_failed(cli, "setWebhook", r, &te);
	} else {
		printf("webhook set: Telegram will POST updates to %s%s\n",
		    argv[optind],
		    secret != NULL ? " with the secret token" : "");
		if (secret == NULL)
			fprintf(stderr,
			    "draftbot: warning: webhook_secret is not set, so "
			    "the receiver cannot tell Telegram's requests "
			    "from anyone else's; set DRAFTBOT_WEBHOOK_SECRET "
			    "and run this again\n");
		code = 0;
	}
	json_object_put(res);
	json_object_put(params);
	tg_close(t);
	return code;
}

static void
print_time_field(struct json_object *info, const char *field, const char *label)
{
	struct json_object *v;
	char iso[TIME_ISO_MAX];

	if (!json_object_object_get_ex(info, field, &v) ||
	    json_object_get_int64(v) <= 0)
		return;
	if (time_format_iso(
	        json_object_get_int64(v) * 1000, iso, sizeof(iso)) == 0)
		printf("%-22s %s\n", label, iso);
}

static void
print_field(struct json_object *info, const char *field, const char *label)
{
	struct json_object *v;

	if (!json_object_object_get_ex(info, field, &v) || v == NULL)
		return;
	printf("%-22s %s\n", label,
	    json_object_is_type(v, json_type_string)
	        ? json_object_get_string(v)
	        : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static int
webhook_info(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot webhook info [--json]";
	struct json_object *res = NULL, *url;
	struct tg_error te = {0};
	struct tg *t = NULL;
	bool json = false;
	int code, r;

	code = cli_json_args(argc, argv, "webhook info", usage, 0, &json);
	if (code >= 0)
		return code;
	code = cli_open_tg(cli, &t);
	if (code != 0)
		return code;
	r = tg_call(t, "getWebhookInfo", NULL, 0, &res, &te);
	if (r < 0) {
		code = tg_failed(cli, "getWebhookInfo", r, &te);
		goto out;
	}
	if (!json_object_is_type(res, json_type_object)) {
		code = cli_error("getWebhookInfo: Telegram's answer is not an "
		                 "object");
		goto out;
	}
	if (json) {
		printf("%s\n",
		    json_object_to_json_string_ext(res,
		        JSON_C_TO_STRING_PLAIN |
		            JSON_C_TO_STRING_NOSLASHESCAPE));
		goto out;
	}
	if (!json_object_object_get_ex(res, "url", &url) ||
	    json_object_get_string_len(url) == 0)
		printf("%-22s %s\n", "url",
		    "(none: no webhook is set; 'draftbot receive --poll' can "
		    "poll)");
	else
		print_field(res, "url", "url");
	print_field(res, "has_custom_certificate", "custom certificate");
	print_field(res, "pending_update_count", "pending updates");
	print_field(res, "max_connections", "max connections");
	print_field(res, "ip_address", "ip address");
	print_field(res, "allowed_updates", "allowed updates");
	print_time_field(res, "last_error_date", "last error at");
	print_field(res, "last_error_message", "last error");
	print_time_field(
	    res, "last_synchronization_error_date", "last sync error at");
out:
	json_object_put(res);
	tg_close(t);
	return code;
}

static int
webhook_delete(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"drop-pending-updates", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot webhook delete [--drop-pending-updates]";
	struct json_object *res = NULL;
	struct tg_error te = {0};
	struct tg *t = NULL;
	bool drop = false;
	int ch, code = -1, r;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (ch != 'd')
			return code;
		drop = true;
	}
	if (optind < argc)
		return cli_usage("webhook delete: unexpected argument '%s'\n"
		                 "usage: %s",
		    argv[optind], usage);
	code = cli_open_tg(cli, &t);
	if (code != 0)
		return code;
	r = tg_call(t, "deleteWebhook",
	    drop ? "{\"drop_pending_updates\":true}" : "{}", 0, &res, &te);
	if (r < 0) {
		code = tg_failed(cli, "deleteWebhook", r, &te);
	} else {
		printf("webhook deleted%s; 'draftbot receive --poll' can now "
		       "take updates\n",
		    drop ? " and pending updates dropped" : "");
		code = 0;
	}
	json_object_put(res);
	tg_close(t);
	return code;
}

static const struct cli_cmd webhook_cmds[] = {
    {"set", webhook_set, "point Telegram at this receiver's URL"},
    {"info", webhook_info, "show the webhook Telegram has"},
    {"delete", webhook_delete, "remove the webhook (to poll instead)"},
    {NULL, NULL, NULL},
};

int
cli_receive(struct cli *cli, int argc, char **argv)
{
	return receive(cli, argc, argv);
}

int
cli_webhook(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(
	    cli, webhook_cmds, "draftbot webhook", argc - 1, argv + 1);
}
