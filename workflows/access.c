/*
 * access — who the sender is and whether they may use the bot: the users
 * row, the allow-list (DRAFTBOT_ALLOWED_USERS), and my_chat_member updates
 * (the bot blocked or unblocked in a private chat).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/wf_int.h"

static const char *
default_tz(const struct wf_ctx *x)
{
	const char *tz = cfg_str(x->env->cfg, "tz");

	return tz != NULL && nlp_tz_valid(tz) ? tz : "UTC";
}

int
wf_user_touch(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	const char *name = u->first_name[0] ? u->first_name : u->username;
	/* users.chat_id is the private chat; a group's id would be wrong. */
	int64_t chat = strcmp(u->chat_type, "private") == 0 ? u->chat_id : 0;
	int r;

	r = store_user_touch(x->q, u->user_id, chat, name, default_tz(x));
	if (r < 0)
		return r;
	r = store_user_get(x->q, u->user_id, &x->user);
	if (r < 0)
		return r;
	if (r == 0)
		return -EIO; /* just written in this transaction */
	/* A zone this machine lost (tzdata changed) falls back, never fails
	 * every message of the user. */
	snprintf(x->tz, sizeof(x->tz), "%s",
	    nlp_tz_valid(x->user.timezone) ? x->user.timezone : default_tz(x));
	return 0;
}

/*
 * Is id in list, a comma-separated list of ids (spaces allowed)?  An unset
 * or empty list lets anyone in.  A malformed entry matches nobody.
 */
static bool
listed(const char *list, int64_t id)
{
	const char *p = list;
	bool empty = true;
	char *end;
	long long v;

	if (list == NULL)
		return true;
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		empty = false;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end != p && errno == 0 && v == id &&
		    (*end == '\0' || strchr(" \t,", *end) != NULL))
			return true;
		p = end != p ? end : p + strcspn(p, ",");
	}
	return empty;
}

bool
wf_may_use(const struct wf_ctx *x)
{
	return listed(cfg_str(x->env->cfg, "allowed_users"), x->u->user_id);
}

int
wf_access(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	bool first;
	int r;

	r = wf_user_touch(x);
	if (r < 0)
		return r;
	if (listed(cfg_str(x->env->cfg, "allowed_users"), u->user_id)) {
		/* Taken back onto the list: a later refusal is polite again. */
		if (strcmp(x->user.status, "blocked") == 0) {
			r = store_user_set_status(x->q, u->user_id, "allowed");
			if (r < 0)
				return r;
		}
		return 1;
	}
	first = strcmp(x->user.status, "blocked") != 0;
	wf_result(x, "access_denied", 0);
	r = wf_audit(x, "access_denied", "user", u->user_id, u->user_id,
	    u->chat_id, first ? "{\"refusal_sent\":true}" : NULL);
	if (r < 0 || !first)
		return r;
	r = store_user_set_status(x->q, u->user_id, "blocked");
	if (r < 0)
		return r;
	return wf_say(x,
	    "Sorry, this bot is private and you are not on its "
	    "list of users. Ask its operator to add your id "
	    "(%" PRId64 ") if you should have access.",
	    u->user_id);
}

/*
 * my_chat_member in a private chat: "kicked" means the user blocked the
 * bot (messages to them would fail with 403), "member" that they came
 * back.  In groups it is the group's membership, not the user's: ignored.
 */
int
wf_member(struct wf_ctx *x)
{
	const struct upd *u = x->u;
	int r;

	if (u->user_id == 0 || strcmp(u->chat_type, "private") != 0) {
		wf_result(x, "ignored", 0);
		return 0;
	}
	r = wf_user_touch(x);
	if (r < 0)
		return r;
	if (strcmp(u->member_status, "kicked") == 0) {
		r = store_user_set_status(x->q, u->user_id, "inactive");
		if (r == 0)
			r = wf_audit(x, "user_blocked_bot", "user", u->user_id,
			    u->user_id, u->chat_id, NULL);
		wf_result(x, "user_inactive", 0);
	} else if (strcmp(u->member_status, "member") == 0 &&
	    strcmp(x->user.status, "inactive") == 0) {
		r = store_user_set_status(x->q, u->user_id, "allowed");
		if (r == 0)
			r = wf_audit(x, "user_unblocked_bot", "user",
			    u->user_id, u->user_id, u->chat_id, NULL);
		wf_result(x, "user_active", 0);
	} else {
		wf_result(x, "ignored", 0);
	}
	return r;
}

int
wf_set_tz(struct wf_ctx *x, const char *arg)
{
	char tz[STORE_TZ_MAX], *esc;
	size_t n = strcspn(arg, " \t\r\n");
	int r;

	if (n == 0) {
		esc = html_escape(x->tz);
		if (esc == NULL)
			return -ENOMEM;
		wf_result(x, "tz_shown", 0);
		r = wf_say(x,
		    "Your time zone is %s. Change it with "
		    "<code>/tz Europe/Berlin</code>.",
		    esc);
		free(esc);
		return r;
	}
	if (n < sizeof(tz)) {
		memcpy(tz, arg, n);
		tz[n] = '\0';
	}
	if (n >= sizeof(tz) || arg[n + strspn(arg + n, " \t\r\n")] != '\0' ||
	    !nlp_tz_valid(tz)) {
		/* The user's words, cut and escaped, so they see the typo. */
		snprintf(tz, sizeof(tz), "%.*s",
		    (int)wf_utf8_prefix(arg, n < 40 ? n : 40), arg);
		esc = html_escape(tz);
		if (esc == NULL)
			return -ENOMEM;
		wf_result(x, "tz_invalid", 0);
		r = wf_say(x,
		    "I don't know the time zone “%s”. Use an IANA "
		    "name, for example <code>/tz Europe/Berlin</code> "
		    "or <code>/tz America/New_York</code>.",
		    esc);
		free(esc);
		return r;
	}
	r = store_user_set_timezone(x->q, x->u->user_id, tz);
	if (r == 0)
		r = wf_audit(x, "user_timezone_set", "user", x->u->user_id,
		    x->u->user_id, x->u->chat_id, NULL);
	if (r < 0)
		return r;
	snprintf(x->tz, sizeof(x->tz), "%s", tz);
	esc = html_escape(tz);
	if (esc == NULL)
		return -ENOMEM;
	wf_result(x, "tz_set", 0);
	r = wf_say(x, "Time zone set to %s.", esc);
	free(esc);
	return r;
}
