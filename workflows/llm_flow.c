/*
 * llm_flow — asking the LLM about a message the rules are not sure of,
 * and drafting from its answer.
 *
 * wf_llm_prepare() runs before the transaction (the call may take up to
 * llm_timeout): it checks the person's limits, asks, and keeps the
 * validated reading in x->pre.  wf_llm_draft() runs inside it: it records
 * the usage (tokens, cost in micro-units) and the outcome in the audit log
 * (llm_used, or llm_fallback with the reason when the rules answer
 * instead), and drafts from the reading.  The AI suggests, code decides:
 * the LLM's dates are checked against what the parser reads in the same
 * words, and where they disagree the parser's stand and the draft says so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm.h"
#include "workflows/classify.h"
#include "workflows/draft_event.h"
#include "workflows/event_flow.h"
#include "workflows/wf_int.h"

#define MINUTE_MS 60000LL
#define DAY_MS (24 * 3600 * 1000LL)
#define OVER_LIMIT (-EDQUOT) /* llm_err: the person's LLM quota is used */

/* A long message is a list or a plan: read at the drafting temperature. */
static enum llm_purpose
purpose_of(const char *text)
{
	return strlen(text) > 160 ? LLM_PURPOSE_DRAFT : LLM_PURPOSE_INTENT;
}

static const char *
fallback_reason(int err)
{
	return err == OVER_LIMIT ? "over_limit" : llm_outcome_name(err);
}

/* Has user reached a per-minute or per-day limit? */
static int
over_limit(struct wf_ctx *x, int64_t user_id)
{
	struct store_llm_totals t;
	int64_t per_min = cfg_int(x->env->cfg, "llm_user_per_minute");
	int64_t per_day = cfg_int(x->env->cfg, "llm_user_per_day");
	int r;

	if (per_min > 0) {
		r = store_llm_usage_sum(x->q, user_id, x->now - MINUTE_MS, &t);
		if (r < 0)
			return r;
		if (t.requests >= per_min)
			return 1;
	}
	if (per_day > 0) {
		r = store_llm_usage_sum(x->q, user_id, x->now - DAY_MS, &t);
		if (r < 0)
			return r;
		if (t.requests >= per_day)
			return 1;
	}
	return 0;
}

int
wf_llm_prepare(struct wf_ctx *x, const char *text, const char *why)
{
	struct llm_usage usage = {0};
	struct llm *l;
	char today[20], err[LLM_ERR_MAX];
	int y, mo, d, h, mi, r;

	if (wf_svc_llm(x, &l) < 0)
		return 0; /* no LLM: the rules answer, as they always can */
	x->pre.llm_tried = true;
	snprintf(x->pre.llm_why, sizeof(x->pre.llm_why), "%s", why);
	r = over_limit(x, x->u->user_id);
	if (r != 0) {
		x->pre.llm_err = r > 0 ? OVER_LIMIT : r;
		return 0;
	}
	r = nlp_local(x->tz, x->now, &y, &mo, &d, &h, &mi, NULL);
	if (r < 0) {
		x->pre.llm_err = r;
		return 0;
	}
	snprintf(today, sizeof(today), "%04d-%02d-%02dT%02d:%02d", y, mo, d, h,
	    mi);
	x->pre.llm = calloc(1, sizeof(*x->pre.llm));
	if (x->pre.llm == NULL)
		return -ENOMEM;
	r = llm_read(l, purpose_of(text), text, today, x->tz, x->pre.llm,
	    &usage, err, sizeof(err));
	x->pre.llm_err = r;
	x->pre.llm_prompt_tokens = usage.prompt_tokens;
	x->pre.llm_completion_tokens = usage.completion_tokens;
	x->pre.llm_cost_micros = llm_cost_micros(&usage,
	    cfg_int(x->env->cfg, "llm_price_input"),
	    cfg_int(x->env->cfg, "llm_price_output"));
	if (r < 0) {
		free(x->pre.llm);
		x->pre.llm = NULL;
	}
	return 0;
}

/* Usage row and audit row for what prepare did with text. */
static int
account(struct wf_ctx *x, const char *text, bool used)
{
	struct store_llm_usage u = {.user_id = x->u->user_id,
	    .purpose =
	        purpose_of(text) == LLM_PURPOSE_DRAFT ? "draft" : "intent",
	    .outcome =
	        x->pre.llm_err == 0 ? "ok" : fallback_reason(x->pre.llm_err),
	    .prompt_tokens = x->pre.llm_prompt_tokens,
	    .completion_tokens = x->pre.llm_completion_tokens,
	    .cost_micros = x->pre.llm_cost_micros};
	struct json_object *o;
	int r = 0;

	/* a request refused by our own limit reached no LLM: not counted */
	if (x->pre.llm_err != OVER_LIMIT)
		r = store_llm_usage_add(x->q, &u);
	if (r < 0)
		return r;
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	json_object_object_add(o, "why", json_object_new_string(x->pre.llm_why));
	if (used) {
		json_object_object_add(o, "kind",
		    json_object_new_string(llm_kind_name(x->pre.llm->kind)));
	} else {
		json_object_object_add(o, "reason",
		    json_object_new_string(u.outcome));
	}
	json_object_object_add(
	    o, "prompt_tokens", json_object_new_int64(u.prompt_tokens));
	json_object_object_add(
	    o, "completion_tokens", json_object_new_int64(u.completion_tokens));
	json_object_object_add(
	    o, "cost_micros", json_object_new_int64(u.cost_micros));
	r = wf_audit(x, used ? "llm_used" : "llm_fallback", "user",
	    x->u->user_id, x->u->user_id, x->u->chat_id,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return r;
}

static void
set_str(struct json_object *j, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_object_add(j, key, json_object_new_string(v));
}


/* What goes between the reasoning why and a sentence added to it: the
 * parser's ends without a full stop ("'friday' → Fri 27 Nov"). */
static const char *
sep_after(const char *why)
{
	size_t n = strlen(why);

	return n == 0 ? "" : why[n - 1] == '.' ? " " : ". ";
}

/*
 * Put the reading's date and time in j under the keys date_key/time_key,
 * unless the parser read a date in the words itself: then the parser's
 * stands and a disagreement goes into the reasoning; on the same day the
 * reading's time fills in one the parser did not find ("tomorrow 10").
 */
static void
merge_when(struct json_object *j, const struct llm_reading *rd,
    const char *date_key, const char *time_key)
{
	const char *pd = wf_jstr(j, date_key), *pt = wf_jstr(j, time_key);
	const char *why = wf_jstr(j, "reasoning"), *sep = sep_after(why);
	const char *rsep = rd->time[0] ? " " : "";
	char note[1024];

	if (rd->date[0] == '\0')
		return;
	if (pd[0] == '\0') {
		snprintf(note, sizeof(note), "%s%sDate from the AI: %s%s%s.",
		    why, sep, rd->date, rsep, rd->time);
		set_str(j, date_key, rd->date);
		set_str(j, time_key, rd->time);
	} else if (strcmp(pd, rd->date) != 0 ||
	    (rd->time[0] && pt[0] && strcmp(pt, rd->time) != 0)) {
		snprintf(note, sizeof(note),
		    "%s%sThe AI read %s%s%s; I kept %s%s%s from your words.",
		    why, sep, rd->date, rsep, rd->time, pd, pt[0] ? " " : "",
		    pt);
	} else if (rd->time[0] != '\0' && pt[0] == '\0') {
		snprintf(note, sizeof(note), "%s%sTime from the AI: %s.", why,
		    sep, rd->time);
		set_str(j, time_key, rd->time);
	} else {
		return;
	}
	json_object_object_add(j, "reasoning", json_object_new_string(note));
}

/* A task draft from the reading on top of the rules' draft (or none). */
static struct json_object *
task_from(struct json_object *rules, const struct llm_reading *rd,
    const char *text)
{
	struct json_object *j = rules != NULL ? json_object_get(rules)
	                                      : json_object_new_object();
	struct json_object *subs;
	int i;

	if (j == NULL)
		return NULL;
	json_object_object_add(j, "title", json_object_new_string(rd->title));
	set_str(j, "notes", rd->notes);
	if (rd->priority > 0)
		json_object_object_add(
		    j, "priority", json_object_new_int(rd->priority));
	if (rd->nsubtasks > 0) {
		subs = json_object_new_array();
		for (i = 0; subs != NULL && i < rd->nsubtasks; i++)
			json_object_array_add(
			    subs, json_object_new_string(rd->subtasks[i]));
		json_object_object_add(j, "subtasks", subs);
	}
	if (wf_jstr(j, "source")[0] == '\0')
		set_str(j, "source", text);
	merge_when(j, rd, "due_date", "due_time");
	/* the reading's end only with its own start */
	if (rd->time[0] != '\0' && strcmp(rd->end_time, rd->time) > 0 &&
	    strcmp(wf_jstr(j, "due_time"), rd->time) == 0 &&
	    wf_jstr(j, "due_end_time")[0] == '\0')
		set_str(j, "due_end_time", rd->end_time);
	return j;
}

/* An event draft made by the parser from the reading's date, time and end
 * (else its duration, else dur) alone (the title is the caller's to set),
 * or *ret NULL. */
static int
event_at(const struct llm_reading *rd, const struct nlp_ref *ref, int64_t dur,
    struct json_object **ret)
{
	char question[256], line[64];

	/* a neutral word for a title: the reading's own could hold words
	 * the parser would read as another date */
	if (rd->time[0] != '\0' && strcmp(rd->end_time, rd->time) > 0)
		snprintf(line, sizeof(line), "Event %s %s-%s", rd->date,
		    rd->time, rd->end_time);
	else
		snprintf(line, sizeof(line), "Event %s %s", rd->date, rd->time);
	return draft_event_from_text(line, ref,
	    rd->duration_min > 0 ? rd->duration_min * 60000LL : dur, ret,
	    question, sizeof(question));
}

static bool
all_day_once(struct json_object *j)
{
	struct json_object *v;

	return json_object_object_get_ex(j, "all_day", &v) &&
	    json_object_get_boolean(v) && wf_jstr(j, "rrule")[0] == '\0' &&
	    strcmp(wf_jstr(j, "start_date"), wf_jstr(j, "end_date")) == 0;
}

/* Append note (a sentence) to j's reasoning. */
static void
add_reasoning(struct json_object *j, const char *note)
{
	const char *why = wf_jstr(j, "reasoning");
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s%s%s", why, sep_after(why), note);
	json_object_object_add(j, "reasoning", json_object_new_string(buf));
}

/* at, a timed event, with what the all-day rules' draft j read besides
 * the day (place, description, reasoning) and a note on the time; puts j
 * and returns at. */
static struct json_object *
timed_like(struct json_object *j, struct json_object *at, const char *time)
{
	static const char *const keep[] = {
	    "location", "description", "reasoning"};
	struct json_object *v;
	char note[64];

	json_object_object_del(at, "reasoning");
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(j, keep[i], &v) && v != NULL)
			json_object_object_add(at, keep[i], json_object_get(v));
	json_object_put(j);
	snprintf(note, sizeof(note), "Time from the AI: %s.", time);
	add_reasoning(at, note);
	return at;
}

/*
 * An event draft: the rules' one with the reading's title and place, its
 * date checked against the reading's as merge_when() does for a task;
 * else, when the rules found no date, one at the reading's date and time.
 */
static int
event_from(struct wf_ctx *x, const struct llm_reading *rd, const char *text,
    struct json_object **ret)
{
	struct json_object *j = NULL, *at = NULL;
	char question[256], ai[32], note[256];
	const char *sd, *st;
	struct nlp_ref ref;
	int64_t dur = cfg_int(x->env->cfg, "event_duration");
	int r;

	wf_nlp_ref(x, &ref);
	r = draft_event_from_text(text, &ref, dur, &j, question,
	    sizeof(question));
	if (r < 0)
		return r;
	snprintf(ai, sizeof(ai), "%s%s%s", rd->date, rd->time[0] ? " " : "",
	    rd->time);
	sd = wf_jstr(j, "start_date");
	st = wf_jstr(j, "start_time");
	if (rd->date[0] == '\0') {
		/* nothing to check: the rules' draft or their question */
	} else if (j == NULL) {
		/* the rules found no date: the AI's, through the parser */
		r = event_at(rd, &ref, dur, &j);
		if (r < 0)
			return r;
		if (j != NULL) {
			json_object_object_del(j, "reasoning");
			snprintf(
			    note, sizeof(note), "Date from the AI: %s.", ai);
			add_reasoning(j, note);
		}
	} else if (strcmp(sd, rd->date) != 0 ||
	    (rd->time[0] && st[0] && strcmp(st, rd->time) != 0)) {
		snprintf(note, sizeof(note),
		    "The AI read %s; I kept %s%s%s from your words.", ai, sd,
		    st[0] ? " " : "", st);
		add_reasoning(j, note);
	} else if (rd->time[0] != '\0' && all_day_once(j)) {
		/* the same day; the hour only the AI read ("coffee
		 * tomorrow 10") */
		r = event_at(rd, &ref, dur, &at);
		if (r < 0) {
			json_object_put(j);
			return r;
		}
		if (at != NULL)
			j = timed_like(j, at, rd->time);
	}
	if (j == NULL)
		return 0;
	json_object_object_add(j, "title", json_object_new_string(rd->title));
	set_str(j, "location", rd->location);
	set_str(j, "description", rd->notes);
	json_object_object_add(j, "source", json_object_new_string(text));
	*ret = j;
	return 0;
}

int
wf_llm_draft(struct wf_ctx *x, const char *text)
{
	const struct llm_reading *rd = x->pre.llm;
	struct json_object *rules = NULL, *j = NULL;
	char question[256] = "", *esc;
	struct nlp_ref ref;
	int r;

	if (!x->pre.llm_tried)
		return 0;
	r = account(x, text, rd != NULL);
	if (r < 0 || rd == NULL)
		return r; /* the rules draft, as without an LLM */
	switch (rd->kind) {
	case LLM_UNCLEAR:
		esc = html_escape(rd->question);
		if (esc == NULL)
			return -ENOMEM;
		r = wf_send(x, x->u->chat_id, esc, NULL, x->u->message_id, NULL);
		free(esc);
		wf_result(x, "question", 0);
		return r < 0 ? r : 1;
	case LLM_EVENT:
		r = event_from(x, rd, text, &j);
		if (r < 0 || j == NULL)
			return r; /* no date anywhere: the rules ask */
		r = wf_event_create(x, j, NULL); /* with its conflicts */
		json_object_put(j);
		return r < 0 ? r : 1;
	case LLM_TASK:
		wf_nlp_ref(x, &ref);
		r = draft_task_from_text(
		    text, &ref, &rules, question, sizeof(question));
		if (r < 0)
			return r;
		j = task_from(rules, rd, text);
		json_object_put(rules);
		if (j == NULL)
			return -ENOMEM;
		r = wf_draft_store_show(x, "task", j, NULL);
		json_object_put(j);
		return r < 0 ? r : 1;
	default:
		return 0; /* list, help, chat: the rules' reply */
	}
}
