/* draftbot audit tail [-f] [-n N] [--user ID] [--action A] [--since T] [--json] */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bot/cli.h"
#include "common/timeutil.h"
#include "queue/audit.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
print_entry(const struct audit_entry *e, void *arg)
{
	bool json = *(bool *)arg;
	char ts[TIME_ISO_MAX];

	time_format_iso(e->ts_ms, ts, sizeof(ts));
	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *d = json_tokener_parse(e->details);

		json_object_object_add(o, "id", json_object_new_int64(e->id));
		json_object_object_add(o, "ts", json_object_new_string(ts));
		json_object_object_add(o, "actor",
		    json_object_new_string(e->actor));
		json_object_object_add(o, "action",
		    json_object_new_string(e->action));
		json_object_object_add(o, "user_id",
		    e->user_id ? json_object_new_int64(e->user_id) : NULL);
		json_object_object_add(o, "chat_id",
		    e->chat_id ? json_object_new_int64(e->chat_id) : NULL);
		json_object_object_add(o, "entity_type",
		    e->entity_type ? json_object_new_string(e->entity_type)
				   : NULL);
		json_object_object_add(o, "entity_id",
		    e->entity_id ? json_object_new_string(e->entity_id) : NULL);
		json_object_object_add(o, "source_msg_id",
		    e->source_msg_id ? json_object_new_int64(e->source_msg_id)
				     : NULL);
		json_object_object_add(o, "details",
		    d ? d : json_object_new_object());
		printf("%s\n",
		    json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return 0;
	}
	printf("%s  %-6lld %-18s %-9s", ts, (long long)e->id, e->action,
	    e->actor);
	if (e->entity_type != NULL)
		printf(" %s %s", e->entity_type,
		    e->entity_id ? e->entity_id : "");
	if (e->user_id != 0)
		printf(" user=%lld", (long long)e->user_id);
	if (e->chat_id != 0)
		printf(" chat=%lld", (long long)e->chat_id);
	if (e->details != NULL && strcmp(e->details, "{}") != 0)
		printf(" %s", e->details);
	putchar('\n');
	return 0;
}

static int
audit_tail(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "lines", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "action", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
	    "draftbot audit tail [-f] [-n N] [--user ID] [--action A] "
	    "[--since ISO|DURATION] [--json]";
	struct audit_filter f = { .last = 10 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct queue *q = NULL;
	bool follow = false, json = false, since = false, lines = false;
	int64_t v, last_id = 0;
	int ch, code = -1, r, timeout_ms = 1000;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		switch (ch) {
		case 'f':
			follow = true;
			break;
		case 'n':
			if (cli_parse_int64(optarg, &v) < 0 || v < 0 ||
			    v > 1000000)
				return cli_usage("-n: '%s' is not a number "
						 "from 0 to 1000000",
				    optarg);
			f.last = (int)v;
			lines = true;
			break;
		case 'u':
			if (cli_parse_int64(optarg, &v) < 0 || v == 0)
				return cli_usage("--user: '%s' is not a user "
						 "id",
				    optarg);
			f.user_id = v;
			break;
		case 'a':
			f.action = optarg;
			break;
		case 's':
			if (time_parse_since(optarg, time_now_ms(),
				&f.since_ms) < 0)
				return cli_usage("--since: '%s' is neither an "
						 "ISO 8601 time nor a "
						 "duration such as 10m or 2d",
				    optarg);
			since = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return code;
		}
	}
	if (optind < argc)
		return cli_usage("audit tail: unexpected argument '%s'",
		    argv[optind]);
	/* --since alone means everything since then, not the last 10. */
	if (since && !lines)
		f.last = 0;
	r = cli_open_queue(cli, "operator", &q);
	if (r != 0)
		return r;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	if (f.last == 0 && lines) {
		/* -n 0: start at the end, print only what comes next */
		struct audit_filter end = { .last = 1 };

		r = audit_query(q, &end, NULL, NULL, &last_id);
	} else {
		r = audit_query(q, &f, print_entry, &json, &last_id);
	}
	fflush(stdout);
	f.last = 0;
	while (r >= 0 && follow && !stop) {
		int64_t seen = last_id;
		bool woke;

		r = audit_wait(q, timeout_ms);
		if (r < 0)
			break;
		/*
		 * Look after a time-out too.  The wake-up comes with the
		 * writer's write to the WAL, which is before its commit is
		 * visible to readers, and no later write need follow.  So a
		 * wake-up that finds nothing gets a second look soon, and
		 * every time-out a look of its own.
		 */
		woke = r > 0;
		f.after_id = last_id;
		r = audit_query(q, &f, print_entry, &json, &last_id);
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
		timeout_ms = woke && last_id == seen ? 50 : 1000;
	}
	if (r == -EINTR)
		r = 0;
	code = r < 0 ? cli_queue_error(cli, q, "audit tail", r) : 0;
	queue_close(q);
	return code;
}

static const struct cli_cmd audit_cmds[] = {
	{ "tail", audit_tail,
	    "the last audit rows; -f follows new ones as they are committed" },
	{ NULL, NULL, NULL },
};

int
cli_audit(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, audit_cmds, "draftbot audit", argc - 1,
	    argv + 1);
}
