/*
 * cli_google — operators' commands for people's Google accounts and
 * accounts in general:
 *
 *   draftbot google connect --user ID [--timeout DURATION]
 *       the installed-app flow for a single operator without a public URL:
 *       a loopback redirect on 127.0.0.1 (any free port), the sign-in link
 *       printed to open in a browser, the code traded when Google
 *       redirects back;
 *   draftbot google import-token --user ID --refresh-token-file FILE
 *       store a refresh token obtained elsewhere (checked with Google
 *       first);
 *   draftbot user show ID [--json]
 *       a person: zone, status, where things go, Google, LLM use and cost.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bot/cli.h"
#include "common/timeutil.h"
#include "google/gapi.h"
#include "queue/store.h"
#include "workflows/workflow.h"

#define TOKEN_FILE_MAX 1024
#define CONNECT_TIMEOUT_MS (10 * 60 * 1000LL)
#define DAY_MS (24 * 3600 * 1000LL)

/* A Google client from the settings, or a message naming what to set. */
static int
open_gapi(struct cli *cli, struct gapi **ret)
{
	struct gapi_opts o;
	int r;

	wf_gapi_opts(cli->cfg, &o);
	if (o.client_id == NULL || o.client_secret == NULL)
		return cli_error("Google is not configured: set "
		                 "google_client_id and google_client_secret");
	r = gapi_open(&o, ret);
	if (r < 0)
		return cli_error("cannot make a Google client: %s",
		    strerror(-r));
	return 0;
}

/* Store t for user as the bot's own /connect would. */
static int
store_tokens(struct cli *cli, int64_t user, const struct gapi_tokens *t)
{
	struct wf_env env = {.cfg = cli->cfg};
	char err[256] = "";
	int r;

	if (cli_open_queue(cli, "operator", &env.q) != 0)
		return 1;
	r = wf_google_import(&env, user, t, err, sizeof(err));
	wf_env_close(&env);
	queue_close(env.q);
	if (r < 0)
		return cli_error("cannot store the token: %s",
		    err[0] ? err : strerror(-r));
	return 0;
}

/* Read a token file: at most TOKEN_FILE_MAX bytes, trimmed. */
static int
read_token(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t used = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_error("cannot read %s: %s", path, strerror(errno));
	while (used + 1 < len &&
	    (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = '\0';
	while (used > 0 && strchr(" \t\r\n", buf[used - 1]) != NULL)
		buf[--used] = '\0';
	if (used == 0)
		return cli_error("%s is empty", path);
	if (used + 1 >= len || strpbrk(buf, " \t\r\n") != NULL) {
		explicit_bzero(buf, len);
		return cli_error("%s does not hold one refresh token", path);
	}
	return 0;
}

static int
import_token(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"refresh-token-file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = "draftbot google import-token --user ID "
	                    "--refresh-token-file FILE";
	char token[TOKEN_FILE_MAX];
	struct gapi_tokens t = {0};
	struct gapi_error gerr = {0};
	struct gapi *g = NULL;
	const char *file = NULL;
	int64_t user = 0;
	int c, code = 0, r;

	while ((c = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (c == 'u' && cli_parse_int64(optarg, &user) < 0)
			return cli_usage("--user needs a Telegram user id");
		if (c == 'f')
			file = optarg;
		if (c == 'h' || c == '?' || c == ':')
			return code;
	}
	if (user <= 0 || file == NULL || optind != argc)
		return cli_usage("google import-token needs --user and "
		                 "--refresh-token-file\nusage: %s",
		    usage);
	if (read_token(file, token, sizeof(token)) != 0)
		return 1;
	r = open_gapi(cli, &g);
	if (r != 0)
		goto out;
	/* Check it with Google before keeping it. */
	r = gapi_refresh(g, token, time_now_ms(), &t, &gerr);
	if (r == -EKEYREJECTED) {
		r = cli_error("Google refused this refresh token (%s); nothing "
		              "was stored",
		    gerr.message[0] ? gerr.message : "invalid_grant");
		goto out;
	}
	if (r < 0) {
		r = cli_error("cannot check the token with Google (%s); nothing "
		              "was stored",
		    gerr.message[0] ? gerr.message : strerror(-r));
		goto out;
	}
	r = store_tokens(cli, user, &t);
	if (r == 0)
		printf("Google connected for user %" PRId64 ".\n", user);
out:
	explicit_bzero(token, sizeof(token));
	gapi_tokens_wipe(&t);
	gapi_close(g);
	return r;
}

/* ---- the loopback redirect ---- */

struct loopback {
	pthread_mutex_t lock;
	pthread_cond_t done;
	const char *state;
	char code[1024];
	char error[64];
	bool got;
};

static enum MHD_Result
on_redirect(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	static const char ok[] = "<!doctype html><p>draftbot got the sign-in; "
	                         "you can close this page.</p>";
	static const char bad[] = "<!doctype html><p>Not a draftbot sign-in."
	                          "</p>";
	struct loopback *lb = cls;
	struct MHD_Response *resp;
	const char *state, *code, *error;
	bool mine;
	enum MHD_Result ret;

	(void)url;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	state = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "state");
	code = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "code");
	error = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "error");
	mine = strcmp(method, "GET") == 0 && state != NULL &&
	    strcmp(state, lb->state) == 0 && (code != NULL || error != NULL);
	if (mine) {
		pthread_mutex_lock(&lb->lock);
		if (!lb->got) {
			snprintf(lb->code, sizeof(lb->code), "%s",
			    code != NULL ? code : "");
			snprintf(lb->error, sizeof(lb->error), "%s",
			    error != NULL ? error : "");
			lb->got = true;
			pthread_cond_signal(&lb->done);
		}
		pthread_mutex_unlock(&lb->lock);
	}
	resp = MHD_create_response_from_buffer(mine ? sizeof(ok) - 1
	                                            : sizeof(bad) - 1,
	    (void *)(mine ? ok : bad), MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
	ret = MHD_queue_response(
	    conn, mine ? MHD_HTTP_OK : MHD_HTTP_BAD_REQUEST, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Wait for the redirect until deadline (CLOCK_REALTIME ms). */
static bool
wait_redirect(struct loopback *lb, int64_t timeout_ms)
{
	struct timespec ts;
	bool got;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lb->lock);
	while (!lb->got &&
	    pthread_cond_timedwait(&lb->done, &lb->lock, &ts) == 0)
		;
	got = lb->got;
	pthread_mutex_unlock(&lb->lock);
	return got;
}

static int
connect_user(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = "draftbot google connect --user ID "
	                    "[--timeout DURATION]";
	char state[GAPI_STATE_MAX], verifier[GAPI_VERIFIER_MAX];
	char challenge[GAPI_CHALLENGE_MAX], redirect[64];
	struct loopback lb = {.lock = PTHREAD_MUTEX_INITIALIZER,
	    .done = PTHREAD_COND_INITIALIZER, .state = state};
	struct gapi_tokens t = {0};
	struct gapi_error gerr = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	struct gapi *g = NULL;
	char *url = NULL;
	int64_t user = 0, timeout = CONNECT_TIMEOUT_MS;
	int c, code = 0, r;

	while ((c = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (c == 'u' && cli_parse_int64(optarg, &user) < 0)
			return cli_usage("--user needs a Telegram user id");
		if (c == 't' && (cfg_parse_duration(optarg, &timeout) < 0 ||
		                    timeout <= 0))
			return cli_usage("--timeout needs a duration (10m)");
		if (c == 'h' || c == '?' || c == ':')
			return code;
	}
	if (user <= 0 || optind != argc)
		return cli_usage("google connect needs --user\nusage: %s", usage);
	r = open_gapi(cli, &g);
	if (r != 0)
		return r;
	if (gapi_random_token(state, sizeof(state)) < 0 ||
	    gapi_pkce(verifier, challenge) < 0) {
		r = cli_error("cannot make random values");
		goto out;
	}
	/* 127.0.0.1 only: the redirect must not be reachable from outside
	 * this machine; port 0: any free one (Google accepts any port on a
	 * loopback redirect of a desktop client). */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    on_redirect, &lb, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	info = d != NULL ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)
	                 : NULL;
	if (info == NULL) {
		r = cli_error("cannot listen on 127.0.0.1 for Google's redirect");
		goto out;
	}
	snprintf(redirect, sizeof(redirect), "http://127.0.0.1:%u/",
	    (unsigned)info->port);
	if (gapi_auth_url(g, redirect, state, challenge, &url) < 0) {
		r = cli_error("cannot make the sign-in link");
		goto out;
	}
	printf("Open this link in a browser on this machine and allow "
	       "access:\n%s\n",
	    url);
	fflush(stdout);
	if (!wait_redirect(&lb, timeout)) {
		r = cli_error("no sign-in arrived in time; nothing was stored");
		goto out;
	}
	if (lb.error[0] != '\0' || lb.code[0] == '\0') {
		r = cli_error("Google sign-in was refused (%s); nothing was "
		              "stored",
		    lb.error[0] ? lb.error : "no code");
		goto out;
	}
	r = gapi_exchange_code(g, lb.code, verifier, redirect, time_now_ms(),
	    &t, &gerr);
	if (r == 0 && t.refresh_token[0] == '\0')
		r = -EKEYREJECTED;
	if (r < 0) {
		r = cli_error("Google did not trade the code (%s); nothing was "
		              "stored",
		    gerr.message[0] ? gerr.message : strerror(-r));
		goto out;
	}
	r = store_tokens(cli, user, &t);
	if (r == 0)
		printf("Google connected for user %" PRId64 ".\n", user);
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	explicit_bzero(verifier, sizeof(verifier));
	explicit_bzero(lb.code, sizeof(lb.code));
	gapi_tokens_wipe(&t);
	gapi_close(g);
	free(url);
	return r;
}

static const struct cli_cmd google_cmds[] = {
	{ "connect", connect_user,
	    "sign a person in with a loopback redirect on 127.0.0.1" },
	{ "import-token", import_token,
	    "store a refresh token obtained elsewhere" },
	{ NULL, NULL, NULL },
};

int
cli_google(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(
	    cli, google_cmds, "draftbot google", argc - 1, argv + 1);
}

/* ---- user show ---- */

static void
add_totals(struct json_object *o, const char *name,
    const struct store_llm_totals *t)
{
	struct json_object *v = json_object_new_object();

	json_object_object_add(v, "requests", json_object_new_int64(t->requests));
	json_object_object_add(
	    v, "prompt_tokens", json_object_new_int64(t->prompt_tokens));
	json_object_object_add(v, "completion_tokens",
	    json_object_new_int64(t->completion_tokens));
	json_object_object_add(
	    v, "cost_micros", json_object_new_int64(t->cost_micros));
	json_object_object_add(o, name, v);
}

static int
user_show(struct cli *cli, int argc, char **argv)
{
	const char *usage = "draftbot user show ID [--json]";
	struct store_llm_totals day, month, all;
	struct store_user u;
	struct queue *q = NULL;
	struct json_object *o = NULL, *s = NULL, *v;
	char *settings = NULL;
	void *box = NULL;
	size_t n = 0;
	int64_t id, now;
	bool json = false, google;
	int r;

	r = cli_json_args(argc, argv, "user show", usage, 1, &json);
	if (r >= 0)
		return r;
	if (cli_parse_int64(argv[optind], &id) < 0)
		return cli_usage("user show needs a Telegram user id");
	if (cli_open_queue(cli, "operator", &q) != 0)
		return 1;
	r = store_user_get(q, id, &u);
	if (r == 0) {
		r = cli_error("no user %" PRId64 " (they have not written to "
		              "the bot)",
		    id);
		goto out;
	}
	now = queue_now(q);
	if (r < 0 || (r = store_user_settings_get(q, id, &settings)) < 0 ||
	    (r = store_cred_get(q, id, "google", &box, &n)) < 0 ||
	    store_llm_usage_sum(q, id, now - DAY_MS, &day) < 0 ||
	    store_llm_usage_sum(q, id, now - 30 * DAY_MS, &month) < 0 ||
	    store_llm_usage_sum(q, id, 0, &all) < 0) {
		r = cli_queue_error(cli, q, "user show", r < 0 ? r : -EIO);
		goto out;
	}
	google = r == 1;
	s = settings != NULL ? json_tokener_parse(settings) : NULL;
	if (s == NULL || !json_object_is_type(s, json_type_object)) {
		json_object_put(s);
		s = json_object_new_object();
	}
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(u.id));
		json_object_object_add(
		    o, "chat_id", json_object_new_int64(u.chat_id));
		json_object_object_add(
		    o, "name", json_object_new_string(u.display_name));
		json_object_object_add(
		    o, "timezone", json_object_new_string(u.timezone));
		json_object_object_add(
		    o, "status", json_object_new_string(u.status));
		json_object_object_add(o, "settings", json_object_get(s));
		json_object_object_add(
		    o, "google_connected", json_object_new_boolean(google));
		v = json_object_new_object();
		add_totals(v, "day", &day);
		add_totals(v, "days30", &month);
		add_totals(v, "all", &all);
		json_object_object_add(o, "llm", v);
		printf("%s\n",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		printf("user %" PRId64 " %s\n  chat %" PRId64
		       ", time zone %s, %s\n",
		    u.id, u.display_name, u.chat_id, u.timezone, u.status);
		printf("  confirmed things go to: %s; Google %s\n",
		    json_object_object_get_ex(s, "backend", &v)
		        ? json_object_get_string(v)
		        : "local",
		    google ? "connected" : "not connected");
		printf("  LLM requests: %" PRId64 " today, %" PRId64
		       " in 30 days, %" PRId64 " in all\n",
		    day.requests, month.requests, all.requests);
		printf("  LLM tokens in all: %" PRId64 " prompt, %" PRId64
		       " completion; cost %" PRId64 ".%06" PRId64
		       " (micro-units %" PRId64 ")\n",
		    all.prompt_tokens, all.completion_tokens,
		    all.cost_micros / 1000000, all.cost_micros % 1000000,
		    all.cost_micros);
	}
	r = 0;
out:
	json_object_put(o);
	json_object_put(s);
	free(settings);
	free(box);
	queue_close(q);
	return r;
}

static const struct cli_cmd user_cmds[] = {
	{ "show", user_show, "a person: zone, backend, Google, LLM use" },
	{ NULL, NULL, NULL },
};

int
cli_user(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, user_cmds, "draftbot user", argc - 1, argv + 1);
}
