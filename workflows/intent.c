/*
 * intent — what a message wants, decided by rules: a slash command from
 * the table below, a correction of the draft being edited (or a reply to a
 * draft's card), a link (an event from the page the prepare step fetched),
 * or free text that becomes a new event draft when the rules read an event
 * (wf_classify) and a task draft otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/classify.h"
#include "workflows/event_flow.h"
#include "workflows/wf_int.h"

#define COMMANDS_HELP                                                          \
	"/task … — draft a task\n"                                         \
	"/event … — draft a calendar event, from words or a link\n"        \
	"/tasks — your open tasks\n"                                         \
	"/tz Area/City — your time zone\n"                                   \
	"/cancel — drop the draft you are working on\n"                      \
	"/help — this help"

static int
say_help(struct wf_ctx *x, const char *greeting)
{
	char *tz = html_escape(x->tz);
	int r;

	if (tz == NULL)
		return -ENOMEM;
	r = wf_say(x,
	    "%sWrite what you need to do, for example <i>dentist friday "
	    "10:30</i> or <i>pack: passport, charger and tickets</i>. I show "
	    "you a draft; nothing is saved until you press ✅ "
	    "Confirm.\n\n" COMMANDS_HELP "\n\nYour time zone: %s",
	    greeting, tz);
	free(tz);
	return r;
}

static int
cmd_start(struct wf_ctx *x, const char *args)
{
	char greeting[256], *name = html_escape(x->user.display_name);
	int r;

	if (name == NULL)
		return -ENOMEM;
	snprintf(
	    greeting, sizeof(greeting), "Hi%s%s! ", name[0] ? " " : "", name);
	free(name);
	r = say_help(x, greeting);
	wf_result(x, "start", 0);
	return r;
}

static int
cmd_help(struct wf_ctx *x, const char *args)
{
	wf_result(x, "help", 0);
	return say_help(x, "");
}

static int
cmd_task(struct wf_ctx *x, const char *args)
{
	return wf_draft_new(x, args, NULL);
}

/* /event WORDS, or /event LINK (fetched by the prepare step). */
static int
cmd_event(struct wf_ctx *x, const char *args)
{
	if (x->pre.url_tried)
		return wf_url_draft(x);
	if (*args == '\0') {
		wf_result(x, "question", 0);
		return wf_say(x,
		    "What is the event, and when? For example <i>/event "
		    "dinner with Ana friday 8pm at Luigi's</i>, or a link to "
		    "the event's page.");
	}
	return wf_event_new(x, args, NULL);
}

static int
cmd_cancel(struct wf_ctx *x, const char *args)
{
	return wf_cancel_latest(x);
}

static int
cmd_tz(struct wf_ctx *x, const char *args)
{
	return wf_set_tz(x, args);
}

static int
cmd_tasks(struct wf_ctx *x, const char *args)
{
	wf_result(x, "tasks", 0);
	return wf_tasks_list(x, 0);
}

static int
cmd_connect(struct wf_ctx *x, const char *args)
{
	return wf_connect(x);
}

static int
cmd_disconnect(struct wf_ctx *x, const char *args)
{
	return wf_disconnect(x);
}

static int
cmd_settings(struct wf_ctx *x, const char *args)
{
	return wf_settings(x, args);
}

static const struct command {
	const char *name; /* as upd.command has it: lower case, no @bot */
	int (*run)(struct wf_ctx *x, const char *args);
} commands[] = {
    {"/start", cmd_start},
    {"/help", cmd_help},
    {"/task", cmd_task},
    {"/event", cmd_event},
    {"/cancel", cmd_cancel},
    {"/tz", cmd_tz},
    {"/tasks", cmd_tasks},
    {"/connect", cmd_connect},
    {"/disconnect", cmd_disconnect},
    {"/settings", cmd_settings},
};

/* Whole-word match: upd.command is the entire "/word", so "/startle" never
 * finds "/start". */
static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* What follows the leading "/cmd@bot" word of text, without the blanks. */
static const char *
command_args(const char *text)
{
	const char *p = text != NULL ? text : "";

	p += strcspn(p, " \t\r\n");
	p += strspn(p, " \t\r\n");
	return p;
}

static int
unknown_command(struct wf_ctx *x)
{
	char *cmd = html_escape(x->u->command);
	int r;

	if (cmd == NULL)
		return -ENOMEM;
	r = wf_say(x,
	    "I don't know %s. Write what you need to do, or "
	    "use:\n\n" COMMANDS_HELP,
	    cmd);
	free(cmd);
	wf_result(x, "unknown_command", 0);
	return r;
}

/* A new draft by the rules: an event when they read one ("dinner with Ana
 * friday 8pm at Luigi's"), else a task. */
static int
draft_by_rules(struct wf_ctx *x, const char *text)
{
	struct wf_reading rd;
	struct nlp_ref ref;

	wf_nlp_ref(x, &ref);
	if (x->pre.classified)
		rd = x->pre.reading; /* the prepare step read the same text */
	else if (wf_classify(text, &ref, &rd) < 0)
		return wf_draft_new(x, text, NULL);
	switch (rd.kind) {
	case WF_KIND_EVENT:
		return wf_event_new(x, text, NULL);
	case WF_KIND_LIST: /* "what's on my list?" */
		wf_result(x, "tasks", 0);
		return wf_tasks_list(x, 0);
	case WF_KIND_HELP:
		wf_result(x, "help", 0);
		return say_help(x, "");
	default:
		return wf_draft_new(x, text, NULL);
	}
}

/*
 * Free text: a reply to a draft's card revises that draft; else the
 * owner's draft awaiting an edit (after Edit) takes it; else it is a new
 * task.
 */
static int
free_text(struct wf_ctx *x, const char *text)
{
	const struct upd *u = x->u;
	struct store_draft *d = NULL;
	int r = 0;

	if (u->reply_to_message_id != 0) {
		r = store_draft_by_message(
		    x->q, u->chat_id, u->reply_to_message_id, &d);
		if (r < 0)
			return r;
		if (r == 1 && d->owner_id != u->user_id) {
			r = wf_not_owner(x, d->owner_id);
			wf_result(x, "not_owner", d->id);
			goto out;
		}
		if (r == 1 && !wf_draft_live(x, d)) {
			r = wf_say(x, "%s Send a new message for a new draft.",
			    wf_draft_state_text(x, d));
			wf_result(x, "draft_closed", d->id);
			goto out;
		}
	}
	if (d == NULL) {
		r = store_draft_latest(x->q, u->user_id, "drafted", true, &d);
		if (r < 0)
			return r;
		/* Edit pressed in a group waits for the answer there, not
		 * in a private chat with the bot. */
		if (r == 1 &&
		    (!wf_draft_live(x, d) || d->chat_id != u->chat_id)) {
			store_draft_free(d);
			d = NULL;
		}
	}
	if (d != NULL) {
		r = strcmp(d->kind, "event") == 0 ? wf_event_revise(x, d, text)
		                                  : wf_draft_revise(x, d, text);
		goto out;
	}
	/* A link the prepare step fetched: an event from the page. */
	if (x->pre.url_tried) {
		r = wf_url_draft(x);
		goto out;
	}
	/* The LLM's reading, when prepare asked it (the rules were not
	 * sure); 0: the rules draft. */
	r = wf_llm_draft(x, text);
	if (r == 0)
		r = draft_by_rules(x, text);
	else if (r > 0)
		r = 0; /* the LLM's reading answered: a draft or a question */
out:
	store_draft_free(d);
	return r;
}

int
wf_message(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	const struct command *cmd;
	int r;

	/* Channel posts and anonymous admins have no user to answer; an
	 * edited message would make a second draft of the same words. */
	if (u->user_id == 0 || u->chat_id == 0 || u->kind != UPD_MESSAGE) {
		wf_result(x, "ignored", 0);
		return 0;
	}
	r = wf_access(x);
	if (r <= 0)
		return r;
	if (u->command[0] != '\0') {
		cmd = find_command(u->command);
		if (cmd == NULL)
			return unknown_command(x);
		return cmd->run(x, command_args(u->text));
	}
	if (u->text == NULL || u->text[strspn(u->text, " \t\r\n")] == '\0') {
		wf_result(x, "no_text", 0);
		return wf_say(x,
		    "I can only read text for now. Write what "
		    "you need to do, e.g. <i>call mom "
		    "tomorrow</i>.");
	}
	return free_text(x, u->text);
}
