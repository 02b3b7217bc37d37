/*
 * msgset — the realistic message set (tests/data/llm/messages.jsonl) and
 * how the rules fare on it, shared by tests/check_classify.c and
 * tests/bench_llm.c.
 *
 * Each line is {"text", "ref": "YYYY-MM-DDTHH:MM" (wall clock in tz),
 * "tz", "expect": {"kind", "title" (a string or a list of accepted ones),
 * "date", "time", "end_time", "location"}}.  A reading agrees with the
 * expectation when the kinds are equal and, for a task or an event, the
 * draft's title is one of the accepted titles (ASCII case folded, blanks
 * squeezed, everything but letters and digits trimmed from both ends:
 * punctuation and emoji), and its due date and time are the expected ones
 * (null: none).  end_time and location are kept for the LLM's measurement
 * and not compared here: the rules' draft has no location.
 */
#ifndef DRAFTBOT_MSGSET_H
#define DRAFTBOT_MSGSET_H

#include <stdbool.h>
#include <stddef.h>

#include "workflows/classify.h"
#include "workflows/nlp.h"

#define MSG_TITLES_MAX 8
#define MSG_FIELD_MAX 256

struct msg {
	char *text; /* owned */
	char tz[64];
	struct nlp_ref ref; /* ref.tz points at tz */
	int line;           /* in the file, from 1 */
	enum wf_kind kind;
	char titles[MSG_TITLES_MAX][MSG_FIELD_MAX];
	int ntitles;
	char date[11]; /* "" when null */
	char time[6];
	char end_time[6];
	char location[MSG_FIELD_MAX];
};

/* What the rules made of one message. */
struct msg_outcome {
	struct wf_reading reading;
	bool handled;              /* wf_confident() */
	bool agree;                /* with the expectation (see the top) */
	char title[MSG_FIELD_MAX]; /* the draft's, for a task or event */
	char date[11];
	char time[6];
	char detail[160]; /* what differs, "" when it agrees */
};

/*
 * Load the set from path ($DRAFTBOT_TEST_DATA/llm/messages.jsonl when path
 * is NULL).  On 0, *ret holds *n messages (msgset_free).  -ENOENT,
 * -EBADMSG with the bad line's number in *bad_line, -ENOMEM.
 */
int msgset_load(const char *path, struct msg **ret, size_t *n, int *bad_line);
void msgset_free(struct msg *m, size_t n);

/*
 * Classify m with the rules and, for a task or an event, draft it
 * (draft_task_from_text) as the bot would; fill *o.  0 or a negative errno
 * from either.
 */
int msgset_run(const struct msg *m, struct msg_outcome *o);

/* Title comparison form of s into buf (see the top). */
void msgset_fold(const char *s, char *buf, size_t len);

#endif
