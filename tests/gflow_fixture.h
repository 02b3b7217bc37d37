/*
 * gflow_fixture — what check_google_flow drives the Google integration
 * with: a queue on a fresh database with the workflows run in-process
 * (exec_one(), so failures are retried exactly as the executor does), the
 * fake Google (fake_google.h) the settings point at, Telegram updates
 * shaped as Telegram sends them, the browser's part of the sign-in (GET
 * the consent link without following the redirect, deliver the redirect),
 * the sealed credential opened with the key, and real `draftbot`
 * processes (receive, execute, google …) with the fake Telegram.
 *
 * A TCP relay in front of the fake tells when a request has reached it,
 * before the fake answers, so a case can kill the executor while a write
 * is in flight without guessing at timing.
 *
 * Every helper fails the running test (ck_assert) instead of returning an
 * error, unless its contract says otherwise.  Waits have a hang guard
 * (GFX_HANG_MS); nothing asserts on timing.
 */
#ifndef DRAFTBOT_GFLOW_FIXTURE_H
#define DRAFTBOT_GFLOW_FIXTURE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/cfg.h"
#include "google/gapi.h"
#include "queue/store.h"
#include "tests/fake_google.h"
#include "tests/fake_tg.h"
#include "tests/testutil.h"
#include "tests/wf_fixture.h"

#define GFX_ANN 4201
#define GFX_BOB 4202
#define GFX_HANG_MS 60000 /* a wait this long means something hangs */
#define GFX_TG_TOKEN "123456:GFLOW-token_abcdefgh"
#define GFX_WEBHOOK_SECRET "gflow-Secret_42"
#define GFX_MIN_MS (60 * 1000LL)
/* A task with three subtasks due tomorrow, and an event. */
#define GFX_PACK "pack: passport, charger and tickets tomorrow"
#define GFX_DINNER "dinner friday 8pm at Luigi's"

struct relay;

struct gfx {
	struct wfx x;          /* queue, settings, in-process workflows */
	struct fake_google *g; /* the fake Google */
	bool wall;             /* x.f.q reads the wall clock, not x.f.now */
	char key[320];         /* secret_key_file */
	char public_url[96];
	char tasks_url[128], calendar_url[128]; /* the fake's, or a relay's */
	/* processes (pid 0 while none runs) */
	struct fake_tg *tg; /* started by gfx_exec_start() */
	pid_t exec_pid;
	char exec_log[320];
	pid_t rx_pid;
	char rx_base[64];
	char rx_log[320];
	char *envv[40]; /* "NAME=value" for the processes, NULL-terminated */
};

/*
 * A new fixture: wfx_open() (the queue's clock the hand-moved x.f.now set
 * to the wall clock now, or with wall the wall clock itself, for cases
 * with processes), the fake Google with its discovery documents,
 * and settings pointing at it (client id and secret, every URL,
 * secret_key_file in the folder, public_url https://draftbot.example.org
 * until gfx_rx_start() replaces it, tz UTC).
 */
void gfx_open(struct gfx *w, bool wall);

/*
 * Stop what runs (SIGKILL), assert that no process reported a sanitizer
 * error and that every request the fake Google got passed its discovery
 * document check (fake_google_validation_failures() == 0), then free
 * everything.
 */
void gfx_close(struct gfx *w);

/* cfg_set() on the in-process settings; call before processes start (they
 * get the same values through gfx_env()). */
void gfx_set(struct gfx *w, const char *name, const char *value);

/* Move the hand clock by ms; gfx_sync(): to the wall clock when behind. */
void gfx_tick(struct gfx *w, int64_t ms);
void gfx_sync(struct gfx *w);

/* ---- Telegram updates, enqueued as the receiver does (upd_to_command) ---- */

int64_t gfx_say_enqueue(struct gfx *w, int64_t user, const char *text);
int64_t gfx_press_enqueue(
    struct gfx *w, int64_t user, int64_t msg_id, const char *data);

/* Run every runnable command in-process with exec_one(); how many ran.
 * gfx_run_one(): the next one only (1), or 0 when none is runnable. */
int gfx_drain(struct gfx *w);
int gfx_run_one(struct gfx *w);

/* Enqueue, then run it: gfx_drain() in-process, or wait for the executor
 * process; fails (with the logs) unless the command completed. */
void gfx_say(struct gfx *w, int64_t user, const char *text);
void gfx_press(struct gfx *w, int64_t user, int64_t msg_id, const char *data);

/* user presses action ('c', 'u', …) on the card of draft: enqueued and,
 * when now, run to completion as gfx_press() does; the command id. */
int64_t gfx_press_draft(
    struct gfx *w, int64_t user, int64_t draft, char action, bool now);

/*
 * text from user → a draft: its id.  In-process (no sender runs) its card
 * is "delivered" (a message id recorded, as the sender would); with an
 * executor running, the real sender's delivery is waited for.
 */
int64_t gfx_draft(struct gfx *w, int64_t user, const char *text);

/* The message id of draft's card (0 while none). */
int64_t gfx_card_id(struct gfx *w, int64_t draft);

/* ---- reading the database ---- */

/* The first column of the first row of a printf-formatted query: an
 * integer, or text (caller frees; "" for NULL). */
int64_t gfx_int(struct gfx *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *gfx_text(struct gfx *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Audit rows with action (and, when user > 0, of user). */
int64_t gfx_audit(struct gfx *w, const char *action, int64_t user);

/* The newest audit row's details with action ("" when none; caller
 * frees). */
char *gfx_audit_details(struct gfx *w, const char *action);

/* The newest outbox message of type (sendMessage, editMessageText) to
 * chat whose text contains needle (NULL: any): its payload text (caller
 * frees), or NULL when none. */
char *gfx_out_find(
    struct gfx *w, int64_t chat, const char *type, const char *needle);

/* Assert gfx_out_find() finds one. */
void gfx_assert_said(struct gfx *w, int64_t chat, const char *needle);

/* The draft's status ("" when there is none; static buffer). */
const char *gfx_status(struct gfx *w, int64_t draft);

/* The effect row's state for key ("" when none; static buffer). */
const char *gfx_effect(struct gfx *w, const char *key);

/* Is user's Google credential stored? */
bool gfx_connected(struct gfx *w, int64_t user);

/*
 * Open user's sealed credential with the key in secret_key_file: 1 and
 * *t filled, or 0 when there is none.  Fails when it does not open.
 */
int gfx_tokens(struct gfx *w, int64_t user, struct gapi_tokens *t);

/* Does any of the database's files (db, -wal, -shm, -journal) hold the
 * bytes of needle? */
bool gfx_db_has(struct gfx *w, const char *needle);

/* Does the file at path hold needle (the whole file)? */
bool gfx_file_has(const char *path, const char *needle);

/* ---- the browser ---- */

/* A GET of url (no redirect followed): the status (0: no answer), the
 * body into body (len bytes, may be NULL) and Location into loc (may be
 * NULL). */
long gfx_http_get(
    const char *url, char *body, size_t len, char *loc, size_t loclen);

/* A POST of an urlencoded form to url: the status. */
long gfx_http_post_form(const char *url, const char *form);

/* The value of query parameter name of url, percent-decoded, into out:
 * whether it is there. */
bool gfx_query(const char *url, const char *name, char *out, size_t len);

/* user sends /connect: the sign-in link of the reply (HTML-unescaped;
 * caller frees). */
char *gfx_connect_link(struct gfx *w, int64_t user);

/* The browser at Google: GET link at the fake, which must answer 302;
 * its Location into loc. */
void gfx_consent(const char *link, char *loc, size_t len);

/* Deliver Google's redirect loc to the receiver in-process
 * (oauth_callback_item() and the queue, as bot/receiver.c does): the
 * command id; *dup whether it was already there (may be NULL). */
int64_t gfx_deliver(struct gfx *w, const char *loc, bool *dup);

/* The whole sign-in for user in-process: /connect, consent, redirect,
 * the oauth_exchange run; asserts "Google connected". */
void gfx_connect(struct gfx *w, int64_t user);

/* ---- processes (gflow_proc.c) ---- */

/* The environment every draftbot process gets (the settings above, the
 * database, the fake Telegram when started), NULL-terminated. */
const char *const *gfx_env(struct gfx *w);

/* Free what gfx_env() made (gfx_close() does). */
void gfx_env_free(struct gfx *w);

/* Run `draftbot argv…` to the end (tu_run with gfx_env()). */
int gfx_run(struct gfx *w, const char *const *argv, char *out, size_t outlen,
    char *err, size_t errlen);

/* Start `draftbot argv…` in a process group of its own, dying with the
 * test, stdout and stderr to log (appended).  Returns its pid. */
pid_t gfx_spawn(struct gfx *w, const char *const *argv, const char *log);

/* The fake Telegram (first call) and `draftbot execute --workers 2`
 * (lease 3 s); gfx_exec_stop() signals it and returns its status, or
 * 128+signal. */
void gfx_exec_start(struct gfx *w);
int gfx_exec_stop(struct gfx *w, int sig);

/* `draftbot receive --listen 127.0.0.1:PORT` on the database; public_url
 * becomes its base; returns once /healthz answers. */
void gfx_rx_start(struct gfx *w);

/* Wait until pred(w, arg); fail with the processes' logs after
 * GFX_HANG_MS. */
void gfx_wait(struct gfx *w, bool (*pred)(struct gfx *w, void *arg), void *arg,
    const char *what);

/* Show the processes' logs on stderr. */
void gfx_show_logs(struct gfx *w);

/* ---- expectations (gflow_expect.c) ---- */

/* Tasks at the fake not deleted whose notes hold marker (NULL: every live
 * task); tasks deleted. */
int gfx_live_tasks(struct gfx *w, const char *marker);
int gfx_deleted_tasks(struct gfx *w);

/* Events at the fake with status (NULL: any). */
int gfx_events(struct gfx *w, const char *status);

/* Requests of kind the fake answered with status (-1: any). */
size_t gfx_answered(struct gfx *w, enum fake_google_kind kind, int status);

/* Top-level task inserts the fake received (no ?parent=). */
size_t gfx_parent_inserts(struct gfx *w);

/* The Tasks marker of draft d ("draftbot:draft:<d>:gtask;", or
 * "…:sub<i>;" for subtask sub >= 0), and the effect key
 * "draft:<d>:<kind>" (gtask, gevent). */
void gfx_task_marker(char *buf, size_t len, int64_t d, int sub);
void gfx_effect_key(char *buf, size_t len, int64_t d, const char *kind);

/*
 * Draft d of GFX_PACK as Google must hold it: one live top-level task
 * "Pack" due the day after the draft was made (the date only) with its
 * marker, and under it "passport", "charger", "tickets" in that order,
 * each with its own marker and no due date.
 */
void gfx_assert_pack_written(struct gfx *w, int64_t d);

/* Draft d of user was written to Google Tasks once: effect done with
 * remote ids, draft executed, nothing in the local store, audit
 * task_executed (target google_tasks), the card edited with Undo. */
void gfx_assert_task_done(struct gfx *w, int64_t user, int64_t d);

/* user's refresh and access tokens are in no database file, no audit row
 * and neither log (each may be NULL). */
void gfx_assert_tokens_hidden(
    struct gfx *w, int64_t user, const char *log1, const char *log2);

/* The one effect command failed attempts times and waits for a retry
 * after the clock's now; gfx_to_retry() moves the clock to its run_at. */
void gfx_assert_retry_later(struct gfx *w, int attempts);
void gfx_to_retry(struct gfx *w);

/* Drain, then run the effect's retries when due until none is waiting;
 * how many rounds it took. */
int gfx_settle_effect(struct gfx *w);

/* ---- relay (gflow_proc.c) ---- */

/*
 * A TCP relay on 127.0.0.1 (ephemeral port) to 127.0.0.1:target: every
 * connection is pumped both ways, and the bytes clients sent are counted
 * as they arrive, before the far end answers.
 */
struct relay *relay_start(uint16_t target);
void relay_stop(struct relay *r); /* NULL is a no-op */
uint16_t relay_port(const struct relay *r);

/* Bytes clients have sent through r so far. */
uint64_t relay_bytes(struct relay *r);

/* Wait until relay_bytes() exceeds above: true, or false after ms. */
bool relay_wait_bytes(struct relay *r, uint64_t above, int ms);

#endif
