/*
 * gflow_fixture — see gflow_fixture.h: the fixture, updates, reading the
 * database, the browser.  Processes and the relay: gflow_proc.c.
 */
#include <check.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/executor.h"
#include "bot/oauth_callback.h"
#include "common/secret.h"
#include "common/timeutil.h"
#include "tests/gflow_fixture.h"

#define BODY_MAX 65536

static void
set_url(char *dst, size_t len, const char *url)
{
	ck_assert_int_lt(snprintf(dst, len, "%s", url), (int)len);
}

void
gfx_set(struct gfx *w, const char *name, const char *value)
{
	wfx_set(&w->x, name, value);
}

void
gfx_open(struct gfx *w, bool wall)
{
	memset(w, 0, sizeof(*w));
	wfx_open(&w->x, "UTC");
	w->wall = wall;
	if (wall) {
		queue_close(w->x.f.q);
		w->x.f.q = tu_open(w->x.f.db, NULL);
		w->x.env.q = w->x.f.q;
	} else {
		w->x.f.now = time_now_ms();
	}
	ck_assert_int_eq(fake_google_start(NULL, &w->g), 0);
	tu_path(w->key, sizeof(w->key), w->x.f.dir, "draftbot.key");
	set_url(w->public_url, sizeof(w->public_url),
	    "https://draftbot.example.org");
	set_url(
	    w->tasks_url, sizeof(w->tasks_url), fake_google_tasks_url(w->g));
	set_url(w->calendar_url, sizeof(w->calendar_url),
	    fake_google_calendar_url(w->g));
	gfx_set(w, "secret_key_file", w->key);
	gfx_set(w, "public_url", w->public_url);
	gfx_set(w, "google_client_id", FAKE_GOOGLE_CLIENT_ID);
	gfx_set(w, "google_client_secret", FAKE_GOOGLE_CLIENT_SECRET);
	gfx_set(w, "google_auth_url", fake_google_auth_url(w->g));
	gfx_set(w, "google_token_url", fake_google_token_url(w->g));
	gfx_set(w, "google_revoke_url", fake_google_revoke_url(w->g));
	gfx_set(w, "google_tasks_url", w->tasks_url);
	gfx_set(w, "google_calendar_url", w->calendar_url);
	gfx_set(w, "google_timeout", "20s");
}

static bool
sanitizer_said(const char *log)
{
	return log[0] != '\0' &&
	    (tu_file_says(log, "Sanitizer") ||
	        tu_file_says(log, "runtime error:"));
}

void
gfx_show_logs(struct gfx *w)
{
	if (w->exec_log[0] != '\0')
		tu_show_file(w->exec_log);
	if (w->rx_log[0] != '\0')
		tu_show_file(w->rx_log);
}

void
gfx_close(struct gfx *w)
{
	char last[512] = "";
	size_t bad;

	if (w->exec_pid != 0)
		tu_proc_stop(&w->exec_pid, SIGKILL);
	if (w->rx_pid != 0)
		tu_proc_stop(&w->rx_pid, SIGKILL);
	if (sanitizer_said(w->exec_log) || sanitizer_said(w->rx_log)) {
		gfx_show_logs(w);
		ck_abort_msg("a sanitizer reported an error (logs above)");
	}
	/* Every request draftbot sent met Google's discovery documents. */
	bad = fake_google_last_validation(w->g, last, sizeof(last));
	ck_assert_msg(bad == 0 && fake_google_validation_failures(w->g) == 0,
	    "%zu request(s) broke the discovery documents; the last: %s", bad,
	    last);
	fake_google_stop(w->g);
	fake_tg_stop(w->tg);
	gfx_env_free(w);
	wfx_close(&w->x);
}

void
gfx_tick(struct gfx *w, int64_t ms)
{
	ck_assert(!w->wall);
	w->x.f.now += ms;
}

void
gfx_sync(struct gfx *w)
{
	int64_t now = time_now_ms();

	if (!w->wall && w->x.f.now < now)
		w->x.f.now = now;
}

/* ---- updates ---- */

/* Enqueue json (consumed) as the receiver does, the hand clock caught
 * up with the wall clock first: the command id. */
static int64_t
enqueue(struct gfx *w, char *json)
{
	gfx_sync(w);
	return wfx_enqueue(&w->x, json);
}

int64_t
gfx_say_enqueue(struct gfx *w, int64_t user, const char *text)
{
	return enqueue(w, wfx_message_json(&w->x, user, user, text, 0));
}

int64_t
gfx_press_enqueue(struct gfx *w, int64_t user, int64_t msg_id, const char *data)
{
	return enqueue(w, wfx_callback_json(&w->x, user, user, msg_id, data));
}

int
gfx_drain(struct gfx *w)
{
	int n = 0, r;

	ck_assert_msg(w->exec_pid == 0, "an executor process runs");
	while ((r = exec_one(&w->x.env, "gflow-test", 60000)) == 1)
		ck_assert_int_lt(++n, 1000);
	ck_assert_int_eq(r, 0);
	return n;
}

int
gfx_run_one(struct gfx *w)
{
	int r;

	ck_assert_msg(w->exec_pid == 0, "an executor process runs");
	r = exec_one(&w->x.env, "gflow-test", 60000);
	ck_assert_int_ge(r, 0);
	return r;
}

struct cmd_arg {
	int64_t id;
};

static bool
cmd_finished(struct gfx *w, void *arg)
{
	int64_t id = ((struct cmd_arg *)arg)->id;

	return gfx_int(w,
	           "SELECT count(*) FROM commands WHERE id = %" PRId64
	           " AND status IN ('completed', 'dead')",
	           id) == 1;
}

/* In-process: run it; with an executor process: wait for it. */
static void
run(struct gfx *w, int64_t id)
{
	struct cmd_arg a = {id};

	if (w->exec_pid == 0)
		gfx_drain(w);
	else
		gfx_wait(w, cmd_finished, &a, "a command to finish");
	if (gfx_int(w,
	        "SELECT count(*) FROM commands WHERE id = %" PRId64
	        " AND status = 'completed'",
	        id) != 1) {
		char *why = gfx_text(w,
		    "SELECT status || ': ' || coalesce(last_error, '') FROM "
		    "commands WHERE id = %" PRId64,
		    id);

		gfx_show_logs(w);
		ck_abort_msg(
		    "command %" PRId64 " did not complete (%s)", id, why);
	}
}

void
gfx_say(struct gfx *w, int64_t user, const char *text)
{
	run(w, gfx_say_enqueue(w, user, text));
}

void
gfx_press(struct gfx *w, int64_t user, int64_t msg_id, const char *data)
{
	run(w, gfx_press_enqueue(w, user, msg_id, data));
}

int64_t
gfx_card_id(struct gfx *w, int64_t draft)
{
	return gfx_int(w,
	    "SELECT coalesce(message_id, 0) FROM drafts WHERE id = %" PRId64,
	    draft);
}

int64_t
gfx_press_draft(
    struct gfx *w, int64_t user, int64_t draft, char action, bool now)
{
	char data[48];
	int64_t id;

	wfx_draft_data(data, sizeof(data), draft, action);
	id = gfx_press_enqueue(w, user, gfx_card_id(w, draft), data);
	if (now)
		run(w, id);
	return id;
}

static bool
card_delivered(struct gfx *w, void *arg)
{
	return gfx_card_id(w, *(int64_t *)arg) != 0;
}

int64_t
gfx_draft(struct gfx *w, int64_t user, const char *text)
{
	int64_t before, id;

	before = gfx_int(w,
	    "SELECT coalesce(max(id), 0) FROM drafts WHERE owner_id = %" PRId64,
	    user);
	gfx_say(w, user, text);
	id = gfx_int(w,
	    "SELECT coalesce(max(id), 0) FROM drafts WHERE owner_id = %" PRId64,
	    user);
	ck_assert_msg(id > before, "no draft from \"%s\"", text);
	if (w->exec_pid == 0)
		wfx_deliver_card(&w->x, id);
	else
		gfx_wait(w, card_delivered, &id, "the card to be delivered");
	return id;
}

/* ---- reading the database ---- */

static sqlite3_stmt *prepare(struct gfx *w, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static sqlite3_stmt *
prepare(struct gfx *w, const char *fmt, va_list ap)
{
	sqlite3_stmt *s = NULL;
	char *sql = NULL;

	ck_assert_int_ge(vasprintf(&sql, fmt, ap), 0);
	ck_assert_msg(
	    sqlite3_prepare_v2(w->x.h, sql, -1, &s, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(w->x.h));
	free(sql);
	return s;
}

int64_t
gfx_int(struct gfx *w, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int64_t v = 0;
	int rc;

	va_start(ap, fmt);
	s = prepare(w, fmt, ap);
	va_end(ap);
	rc = sqlite3_step(s);
	ck_assert(rc == SQLITE_ROW || rc == SQLITE_DONE);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

char *
gfx_text(struct gfx *w, const char *fmt, ...)
{
	const unsigned char *t = NULL;
	sqlite3_stmt *s;
	va_list ap;
	char *out;
	int rc;

	va_start(ap, fmt);
	s = prepare(w, fmt, ap);
	va_end(ap);
	rc = sqlite3_step(s);
	ck_assert(rc == SQLITE_ROW || rc == SQLITE_DONE);
	if (rc == SQLITE_ROW)
		t = sqlite3_column_text(s, 0);
	out = strdup(t != NULL ? (const char *)t : "");
	sqlite3_finalize(s);
	ck_assert_ptr_nonnull(out);
	return out;
}

int64_t
gfx_audit(struct gfx *w, const char *action, int64_t user)
{
	if (user > 0)
		return gfx_int(w,
		    "SELECT count(*) FROM audit_log WHERE action = '%s' AND "
		    "user_id = %" PRId64,
		    action, user);
	return gfx_int(
	    w, "SELECT count(*) FROM audit_log WHERE action = '%s'", action);
}

char *
gfx_audit_details(struct gfx *w, const char *action)
{
	return gfx_text(w,
	    "SELECT details FROM audit_log WHERE action = '%s' ORDER BY id "
	    "DESC LIMIT 1",
	    action);
}

char *
gfx_out_find(struct gfx *w, int64_t chat, const char *type, const char *needle)
{
	struct json_object *p, *v;
	sqlite3_stmt *s;
	char *sql, *hit = NULL;

	ck_assert_int_ge(asprintf(&sql,
	                     "SELECT payload FROM outbox WHERE type = '%s' AND "
	                     "chat_id = %" PRId64 " ORDER BY id DESC",
	                     type, chat),
	    0);
	ck_assert_int_eq(
	    sqlite3_prepare_v2(w->x.h, sql, -1, &s, NULL), SQLITE_OK);
	free(sql);
	while (hit == NULL && sqlite3_step(s) == SQLITE_ROW) {
		p = json_tokener_parse((const char *)sqlite3_column_text(s, 0));
		if (p != NULL && json_object_object_get_ex(p, "text", &v) &&
		    (needle == NULL ||
		        strstr(json_object_get_string(v), needle) != NULL))
			hit = strdup(json_object_get_string(v));
		json_object_put(p);
	}
	sqlite3_finalize(s);
	return hit;
}

void
gfx_assert_said(struct gfx *w, int64_t chat, const char *needle)
{
	char *t = gfx_out_find(w, chat, "sendMessage", needle);

	ck_assert_msg(
	    t != NULL, "nobody told chat %" PRId64 " \"%s\"", chat, needle);
	free(t);
}

const char *
gfx_status(struct gfx *w, int64_t draft)
{
	static char buf[32];
	char *t =
	    gfx_text(w, "SELECT status FROM drafts WHERE id = %" PRId64, draft);

	snprintf(buf, sizeof(buf), "%s", t);
	free(t);
	return buf;
}

const char *
gfx_effect(struct gfx *w, const char *key)
{
	static char buf[32];
	char *t = gfx_text(
	    w, "SELECT state FROM effects WHERE effect_key = '%s'", key);

	snprintf(buf, sizeof(buf), "%s", t);
	free(t);
	return buf;
}

bool
gfx_connected(struct gfx *w, int64_t user)
{
	return gfx_int(w,
	           "SELECT count(*) FROM credentials WHERE user_id = %" PRId64
	           " AND provider = 'google'",
	           user) == 1;
}

static void
copy_field(struct json_object *o, const char *name, char *out, size_t len)
{
	struct json_object *v;

	out[0] = '\0';
	if (json_object_object_get_ex(o, name, &v))
		snprintf(out, len, "%s", json_object_get_string(v));
}

int
gfx_tokens(struct gfx *w, int64_t user, struct gapi_tokens *t)
{
	struct secret_key k;
	struct json_object *o, *v;
	char err[256], *plain = NULL;
	void *box = NULL;
	size_t n = 0, pn = 0;
	int r;

	memset(t, 0, sizeof(*t));
	r = store_cred_get(w->x.f.q, user, "google", &box, &n);
	ck_assert_int_ge(r, 0);
	if (r == 0)
		return 0;
	ck_assert_msg(
	    secret_key_load(w->key, 0, &k, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(secret_open(&k, box, n, &plain, &pn), 0);
	secret_key_wipe(&k);
	free(box);
	o = json_tokener_parse(plain);
	free(plain);
	ck_assert_ptr_nonnull(o);
	copy_field(
	    o, "refresh_token", t->refresh_token, sizeof(t->refresh_token));
	copy_field(o, "access_token", t->access_token, sizeof(t->access_token));
	copy_field(o, "scope", t->scope, sizeof(t->scope));
	if (json_object_object_get_ex(o, "expires_at", &v))
		t->expires_at_ms = json_object_get_int64(v);
	json_object_put(o);
	return 1;
}

bool
gfx_file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	bool hit;

	if (f == NULL)
		return false;
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	ck_assert(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	hit = memmem(buf, (size_t)n, needle, strlen(needle)) != NULL;
	free(buf);
	return hit;
}

bool
gfx_db_has(struct gfx *w, const char *needle)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[400];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
		snprintf(path, sizeof(path), "%s%s", w->x.f.db, suffix[i]);
		if (gfx_file_has(path, needle))
			return true;
	}
	return false;
}

/* ---- the browser ---- */

struct hbuf {
	char *p;
	size_t len, cap; /* cap 0: discard */
};

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct hbuf *b = arg;
	size_t add = size * n;

	if (b->cap > 0) {
		if (b->len + add >= b->cap)
			add = b->cap - 1 - b->len;
		memcpy(b->p + b->len, data, add);
		b->len += add;
		b->p[b->len] = '\0';
	}
	return size * n;
}

static long
http(const char *url, const char *form, char *body, size_t len, char *loc,
    size_t loclen)
{
	struct hbuf b = {body, 0, body != NULL ? len : 0};
	CURL *c = curl_easy_init();
	char *redirect = NULL;
	long status = 0;

	ck_assert_ptr_nonnull(c);
	if (body != NULL && len > 0)
		body[0] = '\0';
	if (loc != NULL && loclen > 0)
		loc[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)GFX_HANG_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (loc != NULL &&
		    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) ==
		        CURLE_OK &&
		    redirect != NULL)
			snprintf(loc, loclen, "%s", redirect);
	}
	curl_easy_cleanup(c);
	return status;
}

long
gfx_http_get(const char *url, char *body, size_t len, char *loc, size_t loclen)
{
	return http(url, NULL, body, len, loc, loclen);
}

long
gfx_http_post_form(const char *url, const char *form)
{
	return http(url, form, NULL, 0, NULL, 0);
}

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
gfx_query(const char *url, const char *name, char *out, size_t len)
{
	const char *p = strchr(url, '?');
	size_t nl = strlen(name), o = 0;

	if (p == NULL)
		return false;
	for (p++; *p != '\0';) {
		const char *end = p + strcspn(p, "&#");

		if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			for (p += nl + 1; p < end && o + 1 < len; p++) {
				if (*p == '%' && end - p >= 3 &&
				    hex(p[1]) >= 0 && hex(p[2]) >= 0) {
					out[o++] =
					    (char)(hex(p[1]) * 16 + hex(p[2]));
					p += 2;
				} else {
					out[o++] = *p == '+' ? ' ' : *p;
				}
			}
			out[o] = '\0';
			return true;
		}
		if (*end != '&')
			break;
		p = end + 1;
	}
	return false;
}

/* The href of the first link in html, HTML-unescaped (caller frees). */
static char *
href_of(const char *html)
{
	const char *p = strstr(html, "href=\""), *e;
	char *out;
	size_t o = 0;

	ck_assert_msg(p != NULL, "no link in \"%s\"", html);
	p += 6;
	e = strchr(p, '"');
	ck_assert_ptr_nonnull(e);
	out = malloc((size_t)(e - p) + 1);
	ck_assert_ptr_nonnull(out);
	while (p < e) {
		if (strncmp(p, "&amp;", 5) == 0) {
			out[o++] = '&';
			p += 5;
		} else if (strncmp(p, "&quot;", 6) == 0) {
			out[o++] = '"';
			p += 6;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return out;
}

char *
gfx_connect_link(struct gfx *w, int64_t user)
{
	char *text, *link;
	int64_t before = gfx_int(
	    w, "SELECT count(*) FROM outbox WHERE chat_id = %" PRId64, user);

	gfx_say(w, user, "/connect");
	ck_assert_int_gt(gfx_int(w,
	                     "SELECT count(*) FROM outbox WHERE chat_id = "
	                     "%" PRId64,
	                     user),
	    before);
	text = gfx_out_find(w, user, "sendMessage", "sign-in link");
	ck_assert_msg(text != NULL, "/connect sent no sign-in link");
	link = href_of(text);
	free(text);
	return link;
}

void
gfx_consent(const char *link, char *loc, size_t len)
{
	char body[4096];
	long st = gfx_http_get(link, body, sizeof(body), loc, len);

	ck_assert_msg(st == 302, "the consent page answered %ld: %s", st, body);
	ck_assert_msg(loc[0] != '\0', "a 302 without Location");
}

int64_t
gfx_deliver(struct gfx *w, const char *loc, bool *dup)
{
	char code[600], state[128], error[80], payload[OAUTH_PAYLOAD_MAX];
	bool has_code = gfx_query(loc, "code", code, sizeof(code));
	bool has_err = gfx_query(loc, "error", error, sizeof(error));
	struct ingest_item it;
	int64_t id = 0;

	ck_assert(gfx_query(loc, "state", state, sizeof(state)));
	ck_assert_int_eq(oauth_callback_item(has_code ? code : NULL, state,
	                     has_err ? error : NULL, &it, payload),
	    0);
	gfx_sync(w);
	ck_assert_int_eq(queue_enqueue(w->x.f.q, &it.cmd, &id, dup), 0);
	return id;
}

void
gfx_connect(struct gfx *w, int64_t user)
{
	char loc[2048];
	char *link = gfx_connect_link(w, user);

	gfx_consent(link, loc, sizeof(loc));
	free(link);
	run(w, gfx_deliver(w, loc, NULL));
	ck_assert(gfx_connected(w, user));
	gfx_assert_said(w, user, "Google connected");
}
