/*
 * prepare — the message route's step before its transaction (router.c):
 * decide whether the message needs a page fetched (a link), the LLM asked
 * (the rules are not sure) or Google told (/disconnect), and do it,
 * writing nothing to the database.  Only for people the bot serves: an
 * unknown sender must not make the bot fetch or spend.  What a step
 * learns waits in x->pre; the run in the transaction decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "llm/llm.h"
#include "workflows/classify.h"
#include "workflows/event_flow.h"
#include "workflows/wf_int.h"

/* The words after "/command". */
static const char *
args_of(const char *text)
{
	const char *p = text != NULL ? text : "";

	p += strcspn(p, " \t\r\n");
	return p + strspn(p, " \t\r\n");
}

/* Is the next message of the sender a correction of a draft (a reply to
 * its card, or the answer after Edit)?  Then there is nothing to prepare. */
static bool
edits_a_draft(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	struct store_draft *d = NULL;
	bool edits = false;

	if (u->reply_to_message_id != 0 &&
	    store_draft_by_message(x->q, u->chat_id, u->reply_to_message_id,
	        &d) == 1)
		edits = true;
	store_draft_free(d);
	d = NULL;
	if (!edits &&
	    store_draft_latest(x->q, u->user_id, "drafted", true, &d) == 1 &&
	    d->chat_id == u->chat_id && wf_draft_live(x, d))
		edits = true;
	store_draft_free(d);
	return edits;
}

int
wf_message_prepare(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	struct wf_reading rd;
	struct nlp_ref ref;
	const char *text;
	int r;

	if (u == NULL || u->kind != UPD_MESSAGE || u->user_id == 0 ||
	    u->chat_id == 0 || u->text == NULL || !wf_may_use(x))
		return 0;
	/* the sender's zone, as wf_user_touch() will set it */
	if (store_user_get(x->q, u->user_id, &x->user) == 1 &&
	    nlp_tz_valid(x->user.timezone))
		snprintf(x->tz, sizeof(x->tz), "%s", x->user.timezone);
	else
		snprintf(x->tz, sizeof(x->tz), "%s",
		    nlp_tz_valid(cfg_str(x->env->cfg, "tz"))
		        ? cfg_str(x->env->cfg, "tz")
		        : "UTC");
	text = u->text;
	if (u->command[0] != '\0') {
		if (strcmp(u->command, "/disconnect") == 0)
			return wf_disconnect_prepare(x);
		if (strcmp(u->command, "/event") != 0)
			return 0;
		text = args_of(u->text);
	} else if (edits_a_draft(x)) {
		return 0;
	}
	if (text[strspn(text, " \t\r\n")] == '\0')
		return 0;
	wf_nlp_ref(x, &ref);
	r = wf_classify(text, &ref, &rd);
	if (r < 0)
		return 0; /* the run answers (and says what is wrong) */
	if (u->command[0] == '\0') {
		x->pre.classified = true; /* draft_by_rules need not again */
		x->pre.reading = rd;
	}
	/* A link in the text, or words linked to a page (text_link), whose
	 * intent is not otherwise clear: an event from the page. */
	if (rd.url[0] != '\0' &&
	    (rd.kind == WF_KIND_URL ||
	        (u->command[0] != '\0' && rd.kind != WF_KIND_EVENT)))
		return wf_url_prepare(x, rd.url);
	if (rd.url[0] == '\0' && u->link[0] != '\0' &&
	    (u->command[0] != '\0' || !wf_confident(&rd) ||
	        rd.kind == WF_KIND_URL))
		return wf_url_prepare(x, u->link);
	if (u->command[0] == '\0' && !wf_confident(&rd))
		return wf_llm_prepare(
		    x, text, rd.why[0] ? rd.why : wf_kind_name(rd.kind));
	return 0;
}

void
wf_pre_free(struct wf_pre *p)
{
	ev_list_free(p->events);
	p->events = NULL;
	free(p->llm);
	p->llm = NULL;
}
