/*
 * executor — workers, the sender process and the parent that holds them
 * and the scheduler.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bot/executor.h"
#include "llm/llm.h"
#include "bot/procs.h"
#include "bot/scheduler.h"
#include "bot/sender.h"
#include "bot/tg.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "queue/outbox.h"

#define WORKERS_MAX 64
#define QUEUE_PAUSE_MS 1000 /* after the database failed */
#define REASON_MAX 96

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* In a child: SIGINT/SIGTERM only set the flag, and interrupt a wait (no
 * SA_RESTART), so the command or message in hand is finished first. */
static void
catch_stop(void)
{
	struct sigaction sa = {.sa_handler = on_stop};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
exec_owner(const char *role, char *buf, size_t len)
{
	char host[256] = "localhost";

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	/* The owner must stay under QUEUE_OWNER_MAX: the pid and role are
	 * what tells workers apart, so the host name gives way. */
	snprintf(buf, len, "%s:%.40s:%d", role, host, (int)getpid());
}

/* ---- maintenance about the queue itself ---- */

/* Delete what the retention settings let go, in one transaction with the
 * completion, so a re-run finds it done. */
static int
task_prune(struct wf_env *env, const struct queue_cmd *c)
{
	int64_t now = queue_now(env->q), keep, audit_keep;
	int64_t done_before = 0, audit_before = 0, ncmds = 0, naudit = 0;
	char result[96];
	int r;

	keep = cfg_int(env->cfg, "completed_retention");
	audit_keep = cfg_int(env->cfg, "audit_retention");
	if (keep > 0)
		done_before = now - keep;
	if (audit_keep > 0)
		audit_before = now - audit_keep;
	r = queue_begin(env->q);
	if (r < 0)
		return r;
	r = queue_prune(env->q, done_before, audit_before, &ncmds, &naudit);
	snprintf(result, sizeof(result),
	    "{\"pruned\":%" PRId64 ",\"audit_pruned\":%" PRId64 "}", ncmds,
	    naudit);
	if (r == 0)
		r = queue_complete(env->q, c, result);
	if (r == 0)
		r = queue_commit(env->q);
	if (r < 0)
		queue_rollback(env->q);
	else
		log_info("pruned %" PRId64 " finished rows and %" PRId64
		         " audit rows",
		    ncmds, naudit);
	return r;
}

struct queue_task {
	const char *name;
	int (*run)(struct wf_env *env, const struct queue_cmd *c);
};

static const struct queue_task queue_tasks[] = {
    {"prune", task_prune},
};

/* The executor's own maintenance task c asks for, or NULL (then it is the
 * workflows'). */
static const struct queue_task *
queue_task(const struct queue_cmd *c)
{
	const struct queue_task *found = NULL;
	struct json_object *p, *v;

	if (strcmp(c->type, "maintenance") != 0)
		return NULL;
	p = json_tokener_parse(c->payload);
	if (json_object_object_get_ex(p, "task", &v) &&
	    json_object_is_type(v, json_type_string)) {
		for (size_t i = 0;
		     i < sizeof(queue_tasks) / sizeof(*queue_tasks); i++)
			if (strcmp(queue_tasks[i].name,
			        json_object_get_string(v)) == 0)
				found = &queue_tasks[i];
	}
	json_object_put(p);
	return found;
}

/* ---- failures ---- */

/* What went wrong, in words for the person who sent the command. */
static const char *
plain_reason(int r)
{
	static const struct {
		int code;
		const char *words;
	} reasons[] = {
	    {-EINVAL, "it was not in a form I can read"},
	    {-EBADMSG, "it was not in a form I can read"},
	    {-ENOENT, "what it refers to is gone"},
	    {-ENOTSUP, "I do not handle that kind of message"},
	    {-EPERM, "that is not allowed"},
	    {-EACCES, "that is not allowed"},
	    {-EMSGSIZE, "it is too long"},
	    {-E2BIG, "it is too long"},
	    {-EBUSY, "the database stayed busy"},
	    {-EAGAIN, "something kept failing on my side"},
	    {-ETIMEDOUT, "something kept timing out"},
	    {-EIO, "something kept failing on my side"},
	    {-ENOMEM, "I ran out of memory"},
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(*reasons); i++)
		if (reasons[i].code == r)
			return reasons[i].words;
	return "an internal error";
}

/* Queue the apology for command c to its chat (joins the open
 * transaction). */
static int
tell_user(struct queue *q, const struct queue_cmd *c, int err)
{
	struct json_object *p = json_object_new_object();
	char key[QUEUE_KEY_MAX + 1], text[256];
	struct queue_new n = {
	    .type = "sendMessage",
	    .key = key,
	    .chat_id = c->chat_id,
	    .user_id = c->user_id,
	};
	int r;

	if (p == NULL)
		return -ENOMEM;
	snprintf(key, sizeof(key), "cmd:%" PRId64 ":failed", c->id);
	snprintf(text, sizeof(text),
	    "Sorry — I couldn't process %s (%s). Nothing was changed.",
	    strcmp(c->type, "callback") == 0 ? "that button press"
	                                     : "that message",
	    plain_reason(err));
	json_object_object_add(p, "chat_id", json_object_new_int64(c->chat_id));
	json_object_object_add(p, "text", json_object_new_string(text));
	n.payload = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	r = outbox_add(q, &n, NULL, NULL);
	json_object_put(p);
	return r;
}

/*
 * wf_execute() failed with err and wrote nothing.  A retryable failure with
 * attempts left is retried; otherwise the command goes to dead and, when it
 * came from a chat, the chat is told, in the same transaction.
 */
static int
failed(struct wf_env *env, const struct queue_cmd *c, int err)
{
	enum queue_failure kind =
	    wf_retryable(err) ? QUEUE_RETRY : QUEUE_PERMANENT;
	bool final = kind == QUEUE_PERMANENT || c->attempts >= c->max_attempts;
	char why[QUEUE_ERROR_MAX];
	int r;

	snprintf(why, sizeof(why), "%s: %s", c->type, strerror(-err));
	if (!final || c->chat_id == 0) {
		log_warn("command %" PRId64 " (%s): %s; %s", c->id, c->type,
		    why, final ? "gave up" : "will retry");
		return queue_fail(env->q, c, kind, -1, why);
	}
	log_warn("command %" PRId64 " (%s) failed for good: %s", c->id, c->type,
	    why);
	r = queue_begin(env->q);
	if (r < 0) /* not even a transaction: fail it alone */
		return queue_fail(env->q, c, kind, -1, why);
	r = queue_fail(env->q, c, kind, -1, why);
	if (r == 0)
		r = tell_user(env->q, c, err);
	if (r == 0)
		r = queue_commit(env->q);
	if (r < 0)
		queue_rollback(env->q);
	return r;
}

int
exec_one(struct wf_env *env, const char *owner, int64_t lease_ms)
{
	const struct queue_task *task;
	struct queue_cmd *c = NULL;
	int r;

	r = queue_claim(env->q, owner, lease_ms, &c);
	if (r < 0) {
		log_error("cannot claim a command: %s", queue_errmsg(env->q));
		return r;
	}
	if (r == 0)
		return 0;
	task = queue_task(c);
	r = task != NULL ? task->run(env, c) : wf_execute(env, c);
	if (r == -ESTALE) {
		/* Our lease ran out and another worker took the command over:
		 * it is theirs now, and nothing of this run was written. */
		log_warn("command %" PRId64 ": the lease passed to another "
		         "worker",
		    c->id);
	} else if (r < 0) {
		r = failed(env, c, r);
		if (r < 0 && r != -ESTALE)
			log_error("command %" PRId64 ": cannot record the "
			          "failure: %s",
			    c->id, queue_errmsg(env->q));
	} else {
		log_debug("command %" PRId64 " (%s) done", c->id, c->type);
	}
	queue_cmd_free(c);
	return 1;
}

/* ---- the processes ---- */

struct exec {
	struct cli *cli;
	int workers;
	struct sched *sched;
};

static int
worker_main(void *arg)
{
	struct exec *x = arg;
	char owner[QUEUE_OWNER_MAX];
	struct wf_env env = {.cfg = x->cli->cfg};
	int64_t lease = cfg_int(x->cli->cfg, "lease");
	struct timespec pause = {.tv_sec = QUEUE_PAUSE_MS / 1000};
	int r;

	prctl(PR_SET_NAME, "draftbot-worker");
	catch_stop();
	if (cli_open_queue(x->cli, "executor", &env.q) != 0)
		return 1;
	exec_owner("exec", owner, sizeof(owner));
	while (!stopping) {
		r = exec_one(&env, owner, lease);
		if (r == 1)
			continue;
		/* After a database failure, or without a doorbell (its
		 * folder refused), a fixed pause instead of spinning. */
		if (r < 0 ||
		    (!stopping && queue_wait(env.q, -1) < 0 && !stopping))
			nanosleep(&pause, NULL);
	}
	wf_env_close(&env);
	queue_close(env.q);
	return 0;
}

static int
sender_main(void *arg)
{
	struct exec *x = arg;
	const struct cfg *cfg = x->cli->cfg;
	char owner[QUEUE_OWNER_MAX];
	struct sender_opts o = {
	    .owner = owner,
	    .lease_ms = cfg_int(cfg, "lease"),
	    .rate =
	        {
	            .global_per_s = (int)cfg_int(cfg, "send_rate_global"),
	            .chat_per_s = (int)cfg_int(cfg, "send_rate_chat"),
	            .chat_burst = (int)cfg_int(cfg, "send_burst_chat"),
	            .group_per_min = (int)cfg_int(cfg, "send_rate_group"),
	        },
	};
	struct sender *s = NULL;
	struct queue *q = NULL;
	struct tg *t = NULL;
	int code = 1, r;

	prctl(PR_SET_NAME, "draftbot-sender");
	catch_stop();
	exec_owner("send", owner, sizeof(owner));
	if (cli_open_queue(x->cli, "sender", &q) != 0 ||
	    cli_open_tg(x->cli, &t) != 0)
		goto out;
	r = sender_new(q, t, &o, &s);
	if (r < 0) {
		log_error("cannot start the sender: %s", strerror(-r));
		goto out;
	}
	code = sender_run(s, &stopping);
out:
	sender_free(s);
	tg_close(t);
	queue_close(q);
	return code;
}

static int64_t
tick(void *arg)
{
	struct exec *x = arg;

	return sched_tick(x->sched, time_now_ms(), procs_now_ms());
}

/* Fail at start-up, not in every child: the database and the token. */
/*
 * The LLM and Google settings, checked at start rather than at the first
 * message that needs them: a configured but unusable LLM or half a Google
 * client is an operator's mistake to fix, not something to fall back on
 * silently.  Neither configured is fine: the rules and the local store.
 */
static int
check_services(struct cli *cli)
{
	const struct cfg *c = cli->cfg;
	struct llm_opts o;
	char err[LLM_ERR_MAX];
	bool id = cfg_str(c, "google_client_id") != NULL;
	bool secret = cfg_str(c, "google_client_secret") != NULL;

	wf_llm_opts(c, &o);
	if (llm_opts_check(&o, err, sizeof(err)) == -EINVAL)
		return cli_error("the LLM settings are not usable: %s", err);
	if (id != secret)
		return cli_error("set both google_client_id and "
		                 "google_client_secret, or neither");
	if (id && cfg_str(c, "public_url") == NULL)
		log_warn("public_url is not set: /connect cannot offer a "
		         "sign-in link (draftbot google connect still works)");
	return 0;
}

static int
preflight(struct cli *cli)
{
	struct queue *q = NULL;
	struct tg *t = NULL;

	if (cli_open_queue(cli, "executor", &q) != 0)
		return 1;
	queue_close(q);
	if (cli_open_tg(cli, &t) != 0)
		return 1;
	tg_close(t);
	if (check_services(cli) != 0)
		return 1;
	if (cfg_int(cli->cfg, "lease") <= cfg_int(cli->cfg, "telegram_timeout"))
		log_warn("the lease (%s) is not longer than telegram_timeout "
		         "(%s): a slow Bot API call may see its message sent "
		         "twice",
		    cfg_str(cli->cfg, "lease"),
		    cfg_str(cli->cfg, "telegram_timeout"));
	return 0;
}

int
cli_execute(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"workers", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] = "draftbot execute [--workers N]";
	struct proc procs[WORKERS_MAX + 1];
	char names[WORKERS_MAX][24]; /* "worker N" */
	struct exec x = {.cli = cli};
	/* Shorter than `run`'s grace for the executor, so that a worker
	 * that does not stop is killed here, not orphaned there. */
	struct procs_opts po = {.grace_ms = 8000, .tick = tick, .tick_arg = &x};
	int64_t n = cfg_int(cli->cfg, "workers");
	int ch, code = -1;

	while ((ch = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (ch != 'w')
			return code;
		if (cli_parse_int64(optarg, &n) < 0 || n < 1 || n > WORKERS_MAX)
			return cli_usage("--workers: '%s' is not a number "
			                 "from 1 to %d",
			    optarg, WORKERS_MAX);
	}
	if (optind < argc)
		return cli_usage(
		    "unexpected argument '%s'\nusage: %s", argv[optind], usage);
	x.workers = (int)n;
	if (preflight(cli) != 0)
		return 1;
	if (sched_new(cli->cfg, procs_now_ms(), &x.sched) < 0)
		return cli_error("out of memory");
	memset(procs, 0, sizeof(procs));
	for (int i = 0; i < x.workers; i++) {
		snprintf(names[i], sizeof(names[i]), "worker %d", i + 1);
		procs[i] = (struct proc){
		    .name = names[i], .main = worker_main, .arg = &x};
	}
	procs[x.workers] =
	    (struct proc){.name = "sender", .main = sender_main, .arg = &x};
	log_info("executor: %d workers, a sender and the scheduler", x.workers);
	code = procs_run(procs, (size_t)x.workers + 1, &po);
	sched_free(x.sched);
	if (code < 0)
		return cli_error(
		    "cannot supervise the workers: %s", strerror(-code));
	return code;
}
