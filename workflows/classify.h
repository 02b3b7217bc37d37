/*
 * classify — what a free-text message is, read by the rules alone, and how
 * sure the rules are.
 *
 * wf_classify() sorts a message (not a /command) into a task, an event, a
 * link to make an event from, a request for the task list or for help, or
 * something unclear, and scores how far a draft made by the rules
 * (draft_task_from_text) can be trusted.  The score is calibrated so that
 * readings at or above WF_CONFIDENT are right nearly always (measured on
 * tests/data/llm/messages.jsonl by tests/check_classify.c and
 * scripts/bench-llm); below it the caller asks the LLM.  What lowers it is
 * listed at the top of classify.c.
 */
#ifndef DRAFTBOT_CLASSIFY_H
#define DRAFTBOT_CLASSIFY_H

#include <stdbool.h>

#include "workflows/nlp.h"

#define WF_CONFIDENT 70 /* a reading this sure skips the LLM */
#define WF_WHY_MAX 128  /* bytes of wf_reading.why, with the NUL */
#define WF_URL_MAX 2048 /* bytes of wf_reading.url, with the NUL */

enum wf_kind {
	WF_KIND_TASK,
	WF_KIND_EVENT,
	WF_KIND_URL,  /* a link whose intent is not otherwise clear: make an
	                 event from the page */
	WF_KIND_LIST, /* "what are my tasks" */
	WF_KIND_HELP,
	WF_KIND_UNCLEAR,
};

struct wf_reading {
	enum wf_kind kind;
	int confidence;       /* 0..100 */
	char why[WF_WHY_MAX]; /* short reason for low confidence, for the
	                         audit; "" when there is none */
	char url[WF_URL_MAX]; /* the first http(s) URL of the message, or "";
	                         a longer one is left out (and said in why) */
};

/*
 * Classify text, a free-text message (not a /command), with the rules
 * alone, dates resolved against ref as draft_task_from_text() does.  On 0
 * *ret is filled.  -EINVAL for NULL arguments or a time zone this machine
 * does not know (*ret then says UNCLEAR with confidence 0), -ENOMEM.
 */
int wf_classify(
    const char *text, const struct nlp_ref *ref, struct wf_reading *ret);

/* Is r sure enough to skip the LLM (confidence >= WF_CONFIDENT)?  NULL is
 * not. */
bool wf_confident(const struct wf_reading *r);

/* "task", "event", "url", "list", "help", "unclear" (as in the audit and
 * the test data); "unclear" for a value out of range. */
const char *wf_kind_name(enum wf_kind kind);

#endif
