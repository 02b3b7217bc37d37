/*
 * bench_llm — the rules' part of the LLM fallback, measured on the
 * realistic message set (tests/data/llm/messages.jsonl).
 *
 *   bench_llm [--quick] [--data PATH] [--show wrong|llm|all]
 *
 * For every message: wf_classify(), and for a task or an event the draft
 * the bot would show (draft_task_from_text).  Reports
 *
 *  - rules_share: the share of messages the rules handle alone
 *    (wf_confident), i.e. without asking the LLM;
 *  - rules_accuracy: among those, the share that agrees with the expected
 *    draft (kind; for a task or event title, due date and time; see
 *    tests/msgset.h);
 *  - throughput of classify+draft per message, on one core, over the set
 *    repeated (200 times, 20 with --quick).
 *
 * --show prints one line per message: the handled ones that disagree
 * (wrong), the ones left to the LLM (llm), or all.  The last line is
 *   RULES rules_share=… rules_accuracy=… handled=… agree=… messages=…
 *   msgs_per_s=… us_per_msg=…
 * which scripts/bench-llm folds into its RESULT line.  Exit status 0, 1
 * when the set cannot be read or a call fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/msgset.h"

enum show { SHOW_NONE, SHOW_WRONG, SHOW_LLM, SHOW_ALL };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One line of text without newlines, cut to 70 bytes. */
static void
oneline(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 1 < len && o < 70; s++)
		buf[o++] = *s == '\n' ? '/' : *s;
	buf[o] = '\0';
}

static void
show_one(const struct msg *m, const struct msg_outcome *o)
{
	char text[96];

	oneline(m->text, text, sizeof(text));
	printf("%-5s %-7s %3d %-4s | %-70s | %s%s%s\n",
	    o->handled ? (o->agree ? "ok" : "WRONG") : "llm",
	    wf_kind_name(o->reading.kind), o->reading.confidence,
	    o->agree ? "" : "diff", text, o->reading.why,
	    o->detail[0] ? " — " : "", o->detail);
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	enum show show = SHOW_NONE;
	int rounds = 200, bad = 0, r;
	struct msg *set = NULL;
	size_t n = 0, handled = 0, agree = 0, kind_ok = 0;
	size_t by_kind[6] = {0}, handled_kind[6] = {0};
	double t0, secs;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			rounds = 20;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--show") == 0 && i + 1 < argc) {
			i++;
			show = strcmp(argv[i], "all") == 0 ? SHOW_ALL
			    : strcmp(argv[i], "llm") == 0  ? SHOW_LLM
			                                   : SHOW_WRONG;
		} else {
			fprintf(stderr,
			    "usage: bench_llm [--quick] [--data PATH] "
			    "[--show wrong|llm|all]\n");
			return 2;
		}
	}
	r = msgset_load(path, &set, &n, &bad);
	if (r < 0 || n == 0) {
		fprintf(stderr,
		    "bench_llm: cannot read the message set%s: %s "
		    "(line %d)\n",
		    path ? "" : " ($DRAFTBOT_TEST_DATA/llm)",
		    strerror(r < 0 ? -r : ENOENT), bad);
		return 1;
	}
	for (size_t k = 0; k < n; k++) {
		struct msg_outcome o;

		r = msgset_run(&set[k], &o);
		if (r < 0) {
			fprintf(stderr, "bench_llm: line %d: %s\n", set[k].line,
			    strerror(-r));
			msgset_free(set, n);
			return 1;
		}
		by_kind[set[k].kind]++;
		kind_ok += o.reading.kind == set[k].kind;
		if (o.handled) {
			handled++;
			handled_kind[set[k].kind]++;
			agree += o.agree;
		}
		if (show == SHOW_ALL ||
		    (show == SHOW_WRONG && o.handled && !o.agree) ||
		    (show == SHOW_LLM && !o.handled))
			show_one(&set[k], &o);
	}
	/* throughput: the same work, timed, without the comparison */
	t0 = now_s();
	for (int round = 0; round < rounds; round++)
		for (size_t k = 0; k < n; k++) {
			struct msg_outcome o;

			if (msgset_run(&set[k], &o) < 0)
				return 1;
		}
	secs = now_s() - t0;

	printf("messages: %zu (task %zu, event %zu, url %zu, list %zu, "
	       "help %zu, unclear %zu)\n",
	    n, by_kind[WF_KIND_TASK], by_kind[WF_KIND_EVENT],
	    by_kind[WF_KIND_URL], by_kind[WF_KIND_LIST], by_kind[WF_KIND_HELP],
	    by_kind[WF_KIND_UNCLEAR]);
	printf("handled by the rules alone: %zu/%zu (%.1f%%): task %zu/%zu, "
	       "event %zu/%zu, url %zu/%zu, other %zu/%zu\n",
	    handled, n, 100.0 * (double)handled / (double)n,
	    handled_kind[WF_KIND_TASK], by_kind[WF_KIND_TASK],
	    handled_kind[WF_KIND_EVENT], by_kind[WF_KIND_EVENT],
	    handled_kind[WF_KIND_URL], by_kind[WF_KIND_URL],
	    handled_kind[WF_KIND_LIST] + handled_kind[WF_KIND_HELP] +
	        handled_kind[WF_KIND_UNCLEAR],
	    by_kind[WF_KIND_LIST] + by_kind[WF_KIND_HELP] +
	        by_kind[WF_KIND_UNCLEAR]);
	printf("agreement among them: %zu/%zu (%.1f%%); kind right on all "
	       "messages: %zu/%zu\n",
	    agree, handled,
	    handled ? 100.0 * (double)agree / (double)handled : 0.0, kind_ok,
	    n);
	printf("classify+draft: %d x %zu messages in %.3f s: %.0f msgs/s, "
	       "%.1f us/msg\n",
	    rounds, n, secs, (double)rounds * (double)n / secs,
	    secs * 1e6 / ((double)rounds * (double)n));
	printf("RULES rules_share=%.3f rules_accuracy=%.3f handled=%zu "
	       "agree=%zu messages=%zu msgs_per_s=%.0f us_per_msg=%.1f\n",
	    (double)handled / (double)n,
	    handled ? (double)agree / (double)handled : 0.0, handled, agree, n,
	    (double)rounds * (double)n / secs,
	    secs * 1e6 / ((double)rounds * (double)n));
	msgset_free(set, n);
	return 0;
}
