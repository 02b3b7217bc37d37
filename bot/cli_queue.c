/* draftbot queue add | stats | list | dead | retry | prune */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "bot/cli.h"
#include "common/timeutil.h"
#include "queue/outbox.h"

/*
 * Refuse what queue_enqueue() would refuse before the database is opened (or
 * created), so a mistyped argument is a usage error that changes nothing.
 */
static int
check_new(const struct queue_new *n)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t len;
	int code = 0;

	len = strlen(n->type);
	if (len == 0 || len > QUEUE_TYPE_MAX)
		return cli_usage("--type: the type is %zu bytes; it must be 1 "
		                 "to %d",
		    len, QUEUE_TYPE_MAX);
	len = strlen(n->key);
	if (len == 0 || len > QUEUE_KEY_MAX)
		return cli_usage("--key: the key is %zu bytes; it must be 1 "
		                 "to %d",
		    len, QUEUE_KEY_MAX);
	if (n->payload == NULL)
		return 0;
	len = strlen(n->payload);
	if (len > QUEUE_PAYLOAD_MAX)
		return cli_usage("--payload: the payload is %zu bytes; the "
		                 "limit is %d",
		    len, QUEUE_PAYLOAD_MAX);
	tok = json_tokener_new();
	if (tok == NULL)
		return cli_error("out of memory");
	/* Passing the NUL too ends a bare number or "true" at the end. */
	o = json_tokener_parse_ex(tok, n->payload, (int)len + 1);
	if (o == NULL)
		code = cli_usage("--payload: '%.80s' is not valid JSON (%s)",
		    n->payload,
		    json_tokener_error_desc(json_tokener_get_error(tok)));
	else if (!json_object_is_type(o, json_type_object))
		code = cli_usage("--payload: a JSON %s is not allowed; the "
		                 "payload must be an object such as "
		                 "{\"text\":\"hi\"}",
		    json_type_to_name(json_object_get_type(o)));
	else if (json_tokener_get_parse_end(tok) != len)
		code = cli_usage("--payload: unexpected text after the JSON "
		                 "object: '%.80s'",
		    n->payload + json_tokener_get_parse_end(tok));
	json_object_put(o);
	json_tokener_free(tok);
	return code;
}

static int
queue_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "chat", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "payload", required_argument, NULL, 'p' },
		{ "run-at", required_argument, NULL, 'r' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
	    "draftbot queue add --type T --key K [--chat ID] [--user ID] "
	    "[--payload JSON] [--run-at ISO] [--max-attempts N] [--json]";
	struct queue_new n = { 0 };
	struct queue *q = NULL;
	int64_t id, v;
	bool dup, json = false;
	int ch, code = -1, r;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 't':
			n.type = optarg;
			break;
		case 'k':
			n.key = optarg;
			break;
		case 'c':
		case 'u':
			if (cli_parse_int64(optarg, &v) < 0 || v == 0)
				return cli_usage("--%s: '%s' is not a "
						 "non-zero whole number",
				    ch == 'c' ? "chat" : "user", optarg);
			*(ch == 'c' ? &n.chat_id : &n.user_id) = v;
			break;
		case 'p':
			n.payload = optarg;
			break;
		case 'r':
			if (time_parse_iso(optarg, &n.run_at_ms) < 0)
				return cli_usage("--run-at: '%s' is not an ISO "
						 "8601 time such as "
						 "2026-11-21T18:30:00Z",
				    optarg);
			break;
		case 'm':
			if (cli_parse_int64(optarg, &v) < 0 || v < 1 ||
			    v > 100)
				return cli_usage("--max-attempts: '%s' is not "
						 "a number from 1 to 100",
				    optarg);
			n.max_attempts = (int)v;
			break;
		case 'j':
			json = true;
			break;
		default:
			return code;
		}
	}
	if (optind < argc)
		return cli_usage("queue add: unexpected argument '%s'",
		    argv[optind]);
	if (n.type == NULL || n.key == NULL)
		return cli_usage("queue add needs --type and --key\nusage: %s",
		    usage);
	code = check_new(&n);
	if (code != 0)
		return code;
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	r = queue_enqueue(q, &n, &id, &dup);
	if (r < 0) {
		code = cli_queue_error(cli, q, "queue add", r);
	} else if (json) {
		printf("{\"id\":%lld,\"duplicate\":%s}\n", (long long)id,
		    dup ? "true" : "false");
		code = 0;
	} else {
		printf(dup ? "command %lld already exists with key %s "
			     "(nothing added)\n"
			   : "command %lld added with key %s\n",
		    (long long)id, n.key);
		code = 0;
	}
	queue_close(q);
	return code;
}

static void
print_stats_human(const char *title, const struct queue_stats *st)
{
	printf("%s\n", title);
	for (int i = 0; i < QUEUE_NSTATUS; i++)
		printf("  %-11s %lld\n", queue_status_name(i),
		    (long long)st->count[i]);
	if (st->oldest_pending_age_ms >= 0)
		printf("  oldest pending: %.1f s ago\n",
		    st->oldest_pending_age_ms / 1000.0);
}

static struct json_object *
stats_json(const struct queue_stats *st)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < QUEUE_NSTATUS; i++)
		json_object_object_add(o, queue_status_name(i),
		    json_object_new_int64(st->count[i]));
	char age[32];

	snprintf(age, sizeof(age), "%.3f", st->oldest_pending_age_ms / 1000.0);
	json_object_object_add(o, "oldest_pending_age_s",
	    st->oldest_pending_age_ms < 0
		? NULL
		: json_object_new_double_s(st->oldest_pending_age_ms / 1000.0,
		      age));
	return o;
}

static int
queue_stats_cmd(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot queue stats [--json]";
	struct queue_stats st, ob;
	struct queue *q = NULL;
	bool json = false;
	int code, r;

	code = cli_json_args(argc, argv, "queue stats", usage, 0, &json);
	if (code >= 0)
		return code;
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	r = queue_stats(q, &st);
	if (r == 0)
		r = outbox_stats(q, &ob);
	if (r < 0) {
		code = cli_queue_error(cli, q, "queue stats", r);
	} else if (json) {
		struct json_object *o = stats_json(&st);

		json_object_object_add(o, "outbox", stats_json(&ob));
		printf("%s\n",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		code = 0;
	} else {
		print_stats_human("commands", &st);
		print_stats_human("outbox", &ob);
		code = 0;
	}
	queue_close(q);
	return code;
}

struct list_ctx {
	bool json;
	struct json_object *array;
	int n;
};

static int
print_cmd(const struct queue_cmd *c, void *arg)
{
	struct list_ctx *ctx = arg;
	char run_at[TIME_ISO_MAX], created[TIME_ISO_MAX];

	time_format_iso(c->run_at_ms, run_at, sizeof(run_at));
	time_format_iso(c->created_at_ms, created, sizeof(created));
	ctx->n++;
	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int64(c->id));
		json_object_object_add(o, "key",
		    json_object_new_string(c->key));
		json_object_object_add(o, "type",
		    json_object_new_string(c->type));
		json_object_object_add(o, "status",
		    json_object_new_string(queue_status_name(c->status)));
		json_object_object_add(o, "chat_id",
		    c->chat_id ? json_object_new_int64(c->chat_id) : NULL);
		json_object_object_add(o, "user_id",
		    c->user_id ? json_object_new_int64(c->user_id) : NULL);
		json_object_object_add(o, "attempts",
		    json_object_new_int(c->attempts));
		json_object_object_add(o, "max_attempts",
		    json_object_new_int(c->max_attempts));
		json_object_object_add(o, "run_at",
		    json_object_new_string(run_at));
		json_object_object_add(o, "created_at",
		    json_object_new_string(created));
		json_object_object_add(o, "lease_owner",
		    c->lease_owner ? json_object_new_string(c->lease_owner)
				   : NULL);
		json_object_object_add(o, "last_error",
		    c->last_error ? json_object_new_string(c->last_error)
				  : NULL);
		json_object_object_add(o, "payload",
		    json_tokener_parse(c->payload));
		json_object_array_add(ctx->array, o);
		return 0;
	}
	if (ctx->n == 1)
		printf("%-8s %-10s %-12s %-14s %-8s %-24s %s\n", "ID", "STATUS",
		    "TYPE", "CHAT", "ATTEMPT", "RUN AT", "KEY");
	printf("%-8lld %-10s %-12s %-14lld %d/%-6d %-24s %s\n",
	    (long long)c->id, queue_status_name(c->status), c->type,
	    (long long)c->chat_id, c->attempts, c->max_attempts, run_at,
	    c->key);
	if (c->last_error != NULL &&
	    (c->status == QUEUE_DEAD || c->status == QUEUE_FAILED))
		printf("         error: %s\n", c->last_error);
	return 0;
}

static int
list_common(struct cli *cli, int argc, char **argv, int status,
    const char *usage)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_ctx ctx = { 0 };
	struct queue *q = NULL;
	enum queue_status st;
	int64_t limit = 20;
	int ch, code = -1, r;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 's':
			if (queue_status_parse(optarg, &st) < 0)
				return cli_usage("--status: '%s' is not one of "
						 "pending, processing, "
						 "completed, failed, dead",
				    optarg);
			status = (int)st;
			break;
		case 'l':
			if (cli_parse_int64(optarg, &limit) < 0 || limit < 1 ||
			    limit > 100000)
				return cli_usage("--limit: '%s' is not a "
						 "number from 1 to 100000",
				    optarg);
			break;
		case 'j':
			ctx.json = true;
			break;
		default:
			return code;
		}
	}
	if (optind < argc)
		return cli_usage("unexpected argument '%s'", argv[optind]);
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	if (ctx.json)
		ctx.array = json_object_new_array();
	r = queue_list(q, status, (int)limit, print_cmd, &ctx);
	if (r < 0) {
		code = cli_queue_error(cli, q, "queue list", r);
	} else {
		if (ctx.json)
			printf("%s\n",
			    json_object_to_json_string_ext(ctx.array,
				JSON_C_TO_STRING_PLAIN));
		else if (ctx.n == 0)
			printf("no commands\n");
		code = 0;
	}
	json_object_put(ctx.array);
	queue_close(q);
	return code;
}

static int
queue_list_cmd(struct cli *cli, int argc, char **argv)
{
	return list_common(cli, argc, argv, -1,
	    "draftbot queue list [--status S] [--limit N] [--json]");
}

static int
queue_dead_cmd(struct cli *cli, int argc, char **argv)
{
	return list_common(cli, argc, argv, QUEUE_DEAD,
	    "draftbot queue dead [--limit N] [--json]");
}

static int
queue_retry_cmd(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot queue retry ID [--json]";
	struct queue *q = NULL;
	bool json = false;
	int64_t id;
	int code, r;

	code = cli_json_args(argc, argv, "queue retry", usage, 1, &json);
	if (code >= 0)
		return code;
	if (cli_parse_int64(argv[optind], &id) < 0 || id <= 0)
		return cli_usage("queue retry: '%s' is not a command id",
		    argv[optind]);
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	r = queue_retry(q, id);
	if (r < 0) {
		code = cli_queue_error(cli, q, "queue retry", r);
	} else {
		if (json)
			printf("{\"id\":%lld,\"status\":\"pending\"}\n",
			    (long long)id);
		else
			printf("command %lld is pending again\n",
			    (long long)id);
		code = 0;
	}
	queue_close(q);
	return code;
}

static int
queue_prune_cmd(struct cli *cli, int argc, char **argv)
{
	static const char usage[] = "draftbot queue prune [--json]  (keeps "
				    "completed_retention and audit_retention)";
	struct queue *q = NULL;
	int64_t now, cmds = 0, audit = 0, keep_done, keep_audit;
	bool json = false;
	int code, r;

	code = cli_json_args(argc, argv, "queue prune", usage, 0, &json);
	if (code >= 0)
		return code;
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	now = queue_now(q);
	keep_done = cfg_int(cli->cfg, "completed_retention");
	keep_audit = cfg_int(cli->cfg, "audit_retention");
	/* 0 keeps rows of that kind for ever */
	r = queue_prune(q, keep_done ? now - keep_done : 0,
	    keep_audit ? now - keep_audit : 0, &cmds, &audit);
	if (r < 0) {
		code = cli_queue_error(cli, q, "queue prune", r);
	} else {
		if (json)
			printf("{\"commands\":%lld,\"audit_rows\":%lld}\n",
			    (long long)cmds, (long long)audit);
		else
			printf("pruned %lld completed commands/messages and "
			       "%lld audit rows\n",
			    (long long)cmds, (long long)audit);
		code = 0;
	}
	queue_close(q);
	return code;
}

static const struct cli_cmd queue_cmds[] = {
	{ "add", queue_add, "enqueue a command (idempotent by --key)" },
	{ "stats", queue_stats_cmd, "counts by status, oldest pending" },
	{ "list", queue_list_cmd, "newest commands, optionally by --status" },
	{ "dead", queue_dead_cmd, "commands that gave up, with the reason" },
	{ "retry", queue_retry_cmd, "re-queue a dead or failed command" },
	{ "prune", queue_prune_cmd,
	    "delete completed commands and old audit rows" },
	{ NULL, NULL, NULL },
};

int
cli_queue(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, queue_cmds, "draftbot queue", argc - 1,
	    argv + 1);
}
