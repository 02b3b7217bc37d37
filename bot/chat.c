/*
 * chat — the terminal as a Telegram client: a line in, an Update enqueued
 * as the receiver does it, the commands run here until that line's is done,
 * then the chat's outbox shown (chat_outbox.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/chat.h"
#include "bot/chat_int.h"
#include "bot/executor.h"
#include "bot/ingest.h"
#include "common/log.h"
#include "queue/outbox.h"

#define LINE_MAX_BYTES (UPD_TEXT_BYTES_MAX + 1) /* longer lines are cut */
#define ECHO_MAX 120 /* bytes of a long line echoed back */
#define BOT_ID 1000  /* the bot's user id in the results it "sends" */
#define FIRST_NAME "Terminal"

/*
 * Update and message ids from the microsecond clock, strictly increasing:
 * a later session on the same database never reuses one (a reused
 * update_id would be taken for a re-sent update and dropped), and they
 * stay far above Telegram's own update ids.
 */
int64_t
chat_next_id(struct chat *ch)
{
	struct timespec ts;
	int64_t us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	ch->last_id = us > ch->last_id ? us : ch->last_id + 1;
	return ch->last_id;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line from the terminal transport itself, in the transcript. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	fputc('(', stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs(")\n", stdout);
	fflush(stdout);
}

/* ---- the Updates a line becomes ---- */

static struct json_object *
person(const struct chat *ch)
{
	struct json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(ch->user));
	json_object_object_add(u, "is_bot", json_object_new_boolean(0));
	json_object_object_add(
	    u, "first_name", json_object_new_string(FIRST_NAME));
	return u;
}

struct json_object *
chat_private(const struct chat *ch)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "id", json_object_new_int64(ch->user));
	json_object_object_add(c, "type", json_object_new_string("private"));
	json_object_object_add(
	    c, "first_name", json_object_new_string(FIRST_NAME));
	return c;
}

struct json_object *
chat_bot_user(void)
{
	struct json_object *u = json_object_new_object();

	json_object_object_add(u, "id", json_object_new_int64(BOT_ID));
	json_object_object_add(u, "is_bot", json_object_new_boolean(1));
	json_object_object_add(
	    u, "first_name", json_object_new_string("draftbot"));
	json_object_object_add(
	    u, "username", json_object_new_string("draftbot_chat"));
	return u;
}

/* Bytes of a leading "/command[@bot]" as Telegram marks it bot_command
 * (ASCII, so bytes are UTF-16 units too); 0 when text has none. */
static size_t
command_len(const char *text)
{
	size_t n = 1;

	if (text[0] != '/')
		return 0;
	while (text[n] == '_' || (text[n] >= 'a' && text[n] <= 'z') ||
	    (text[n] >= 'A' && text[n] <= 'Z') ||
	    (text[n] >= '0' && text[n] <= '9'))
		n++;
	if (n == 1)
		return 0;
	if (text[n] == '@') {
		size_t m = n + 1;

		while (text[m] == '_' || (text[m] >= 'a' && text[m] <= 'z') ||
		    (text[m] >= 'A' && text[m] <= 'Z') ||
		    (text[m] >= '0' && text[m] <= '9'))
			m++;
		if (m > n + 1)
			n = m;
	}
	return n;
}

/* The Update of a text message; caller puts it. */
static struct json_object *
message_update(struct chat *ch, const char *text)
{
	struct json_object *u = json_object_new_object();
	struct json_object *m = json_object_new_object();
	size_t cmd = command_len(text);

	json_object_object_add(
	    u, "update_id", json_object_new_int64(chat_next_id(ch)));
	json_object_object_add(
	    m, "message_id", json_object_new_int64(chat_next_id(ch)));
	json_object_object_add(m, "from", person(ch));
	json_object_object_add(m, "chat", chat_private(ch));
	json_object_object_add(m, "date", json_object_new_int64(time(NULL)));
	json_object_object_add(m, "text", json_object_new_string(text));
	if (cmd > 0) {
		struct json_object *es = json_object_new_array();
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "offset", json_object_new_int(0));
		json_object_object_add(
		    e, "length", json_object_new_int((int)cmd));
		json_object_object_add(
		    e, "type", json_object_new_string("bot_command"));
		json_object_array_add(es, e);
		json_object_object_add(m, "entities", es);
	}
	json_object_object_add(u, "message", m);
	return u;
}

const char *
chat_shown_text(const struct chat *ch, int64_t id)
{
	for (size_t i = 0; i < CHAT_SHOWN_MAX; i++)
		if (ch->shown[i].id == id && id != 0)
			return ch->shown[i].text;
	return NULL;
}

/* The Update of a press of button b under message msg_id; caller puts. */
static struct json_object *
callback_update(struct chat *ch, const struct chat_button *b, int64_t msg_id)
{
	struct json_object *u = json_object_new_object();
	struct json_object *cq = json_object_new_object();
	struct json_object *m = json_object_new_object();
	int64_t update_id = chat_next_id(ch);
	const char *text = chat_shown_text(ch, msg_id);
	char id[32];

	snprintf(id, sizeof(id), "chat%" PRId64, update_id);
	json_object_object_add(
	    u, "update_id", json_object_new_int64(update_id));
	json_object_object_add(cq, "id", json_object_new_string(id));
	json_object_object_add(cq, "from", person(ch));
	json_object_object_add(m, "message_id", json_object_new_int64(msg_id));
	json_object_object_add(m, "from", chat_bot_user());
	json_object_object_add(m, "chat", chat_private(ch));
	json_object_object_add(m, "date", json_object_new_int64(time(NULL)));
	if (text != NULL)
		json_object_object_add(m, "text", json_object_new_string(text));
	json_object_object_add(cq, "message", m);
	json_object_object_add(
	    cq, "chat_instance", json_object_new_string("terminal"));
	json_object_object_add(cq, "data", json_object_new_string(b->data));
	json_object_object_add(u, "callback_query", cq);
	return u;
}

/*
 * Enqueue update as the receiver does (ingest.h): its command and, for a
 * button press, the answerCallbackQuery, in one transaction.  Returns 0
 * and the command's id in *ret_id, or a negative errno code (printed).
 */
static int
submit(struct chat *ch, struct json_object *update, int64_t *ret_id)
{
	const char *json = json_object_to_json_string_ext(
	    update, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct ingest_item it;
	struct queue *q = ch->env.q;
	bool dup = false;
	int r;

	if (json == NULL)
		return -ENOMEM;
	r = ingest_prepare(&it, json, strlen(json));
	if (r < 0) {
		cli_error("cannot read the update made of that line: %s",
		    strerror(-r));
		return r;
	}
	r = queue_begin(q);
	if (r == 0)
		r = queue_enqueue(q, &it.cmd, ret_id, &dup);
	if (r == 0 && it.answer.type != NULL)
		r = outbox_add(q, &it.answer, NULL, NULL);
	if (r == 0)
		r = queue_commit(q);
	if (r < 0) {
		queue_rollback(q);
		cli_queue_error(ch->cli, q, "enqueue the message", r);
	}
	ingest_item_clear(&it);
	return r;
}

/* ---- running the commands ---- */

/*
 * Run the queue's commands through the workflows (any chat's: a worker is
 * a worker) until command id is completed or dead.  Nothing runnable while
 * it is not done means a retry is scheduled or another worker holds it:
 * wait for the queue's doorbell or that time.  0, or a queue error.
 */
static int
run_until_done(struct chat *ch, int64_t id)
{
	struct queue_cmd *c = NULL;
	bool done;
	int r, ran;

	for (;;) {
		ran = exec_one(&ch->env, ch->owner, ch->lease_ms);
		if (ran < 0)
			return ran; /* logged */
		r = queue_get(ch->env.q, id, &c);
		if (r != 1) {
			r = r < 0 ? r : -ENOENT;
			cli_queue_error(
			    ch->cli, ch->env.q, "read the command", r);
			return r;
		}
		done = c->status == QUEUE_COMPLETED || c->status == QUEUE_DEAD;
		queue_cmd_free(c);
		c = NULL;
		if (done)
			return 0;
		if (ran == 0)
			queue_wait(ch->env.q, -1);
	}
}

/* ---- lines ---- */

/*
 * Read one line of in into buf (cap bytes): the newline and NUL bytes
 * dropped, the rest of a line longer than cap-1 bytes read and dropped
 * (*ret_cut).  Returns 1, or 0 at the end of input with nothing read.
 */
static int
read_line(FILE *in, char *buf, size_t cap, bool *ret_cut)
{
	size_t n = 0;
	bool any = false;
	int c;

	*ret_cut = false;
	while ((c = getc(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			continue;
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			*ret_cut = true;
	}
	buf[n] = '\0';
	return any;
}

/* Is s well-formed UTF-8 (no overlong forms, no surrogates)? */
static bool
utf8_ok(const unsigned char *s)
{
	while (*s != '\0') {
		size_t n;
		uint32_t cp;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 2, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 3, cp = *s & 0x07;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		s += n + 1;
	}
	return true;
}

/* Cut s (valid UTF-8) after max UTF-16 code units, Telegram's measure of
 * a message.  Returns whether it cut. */
static bool
cut_utf16(char *s, size_t max)
{
	size_t units = 0;

	for (char *p = s; *p != '\0';) {
		unsigned char c = (unsigned char)*p;
		size_t bytes = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		size_t u = bytes == 4 ? 2 : 1;

		if (units + u > max) {
			*p = '\0';
			return true;
		}
		units += u;
		p += bytes;
	}
	return false;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	n = strlen(s);
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A line that is only a number of one or two digits presses a button. */
static bool
is_button(const char *s, int *ret)
{
	size_t n = strlen(s);

	if (n < 1 || n > 2 || strspn(s, "0123456789") != n)
		return false;
	*ret = atoi(s);
	return true;
}

static int
press(struct chat *ch, int n, int64_t *ret_id)
{
	const struct chat_button *b;
	struct json_object *u;
	int r;

	if (ch->card_id == 0) {
		note("there is no button %d: no message has buttons now", n);
		return 1;
	}
	if (n < 1 || n > ch->card.n) {
		note("there is no button %d: the last message has %d", n,
		    ch->card.n);
		return 1;
	}
	b = &ch->card.b[n - 1];
	if (b->data[0] == '\0') {
		note("button %d opens %s", n, b->url[0] ? b->url : "nothing");
		return 1;
	}
	note("pressed [%d] %s", n, b->label);
	u = callback_update(ch, b, ch->card_id);
	r = submit(ch, u, ret_id);
	json_object_put(u);
	return r;
}

static int
say(struct chat *ch, char *text, bool cut, int64_t *ret_id)
{
	struct json_object *u;
	int r;

	if (cut_utf16(text, UPD_TEXT_MAX) || cut)
		note("your message was cut to %d characters, Telegram's limit",
		    UPD_TEXT_MAX);
	u = message_update(ch, text);
	r = submit(ch, u, ret_id);
	json_object_put(u);
	return r;
}

/* Show what was read, as "you: …": controls dropped, a long line cut
 * (at a character boundary) after ECHO_MAX bytes. */
static void
echo(const char *s)
{
	size_t n = 0;

	fputs("you: ", stdout);
	for (; *s != '\0' && n < ECHO_MAX; s++, n++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			putchar(*s);
	while (((unsigned char)*s & 0xc0) == 0x80)
		putchar(*s++);
	fputs(*s != '\0' ? "…\n" : "\n", stdout);
}

/* One line: ignored, a note, or a command run and its replies shown.
 * 0, or a queue error (already printed). */
static int
line(struct chat *ch, char *buf, bool cut)
{
	char *s = trim(buf);
	int64_t id = 0;
	int n, r;

	if (*s == '\0')
		return 0;
	if (!utf8_ok((const unsigned char *)s)) {
		note("that line is not valid UTF-8; nothing was sent");
		return 0;
	}
	if (ch->echo)
		echo(s);
	r = is_button(s, &n) ? press(ch, n, &id) : say(ch, s, cut, &id);
	if (r != 0)
		return r < 0 ? r : 0;
	r = run_until_done(ch, id);
	if (r == 0)
		r = chat_deliver_all(ch);
	return r;
}

static void
chat_free(struct chat *ch)
{
	for (size_t i = 0; i < CHAT_SHOWN_MAX; i++)
		free(ch->shown[i].text);
	wf_env_close(&ch->env);
	queue_close(ch->env.q);
	free(ch);
}

int
cli_chat(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char usage[] =
	    "draftbot chat [--user ID]\n\n"
	    "Talk to the bot in the terminal as Telegram user ID (default 1):\n"
	    "each line is a message; a line that is just a number presses\n"
	    "that button of the last message with buttons.  Reads a pipe\n"
	    "too, one message a line.  Uses the configured database.";
	char *buf = NULL;
	struct chat *ch;
	int64_t user = 1;
	int c, code = -1, r = 0;
	bool cut;

	while ((c = cli_getopt(argc, argv, opts, usage, &code)) != -1) {
		if (c != 'u')
			return code;
		if (cli_parse_int64(optarg, &user) < 0 || user <= 0)
			return cli_usage("--user: '%s' is not a Telegram user "
			                 "id (a positive number)",
			    optarg);
	}
	if (optind < argc)
		return cli_usage(
		    "unexpected argument '%s'\nusage: %s", argv[optind], usage);
	/* The conversation is the output: the log only when asked for. */
	if (cfg_source_of(cli->cfg, "log_level") == CFG_SRC_DEFAULT)
		log_set_level(LOG_WARN);
	ch = calloc(1, sizeof(*ch));
	buf = malloc(LINE_MAX_BYTES);
	if (ch == NULL || buf == NULL) {
		free(ch);
		free(buf);
		return cli_error("out of memory");
	}
	if (cli_open_queue(cli, "chat", &ch->env.q) != 0) {
		free(ch);
		free(buf);
		return 1;
	}
	ch->cli = cli;
	ch->env.cfg = cli->cfg;
	ch->lease_ms = cfg_int(cli->cfg, "lease");
	ch->user = user;
	ch->ansi = isatty(STDOUT_FILENO);
	ch->echo = !isatty(STDIN_FILENO);
	exec_owner("chat", ch->owner, sizeof(ch->owner));
	if (!ch->echo)
		printf("draftbot chat as user %" PRId64
		       " — type a message; a button's number presses it; "
		       "Ctrl-D ends.\n",
		    user);
	/* What an earlier session left unshown comes first. */
	chat_restore_card(ch);
	r = chat_deliver_all(ch);
	while (r == 0) {
		if (!ch->echo) {
			fputs("> ", stdout);
			fflush(stdout);
		}
		if (!read_line(stdin, buf, LINE_MAX_BYTES, &cut))
			break;
		r = line(ch, buf, cut);
	}
	if (r == 0 && ferror(stdin))
		r = cli_error(
		    "cannot read standard input: %s", strerror(errno));
	chat_free(ch);
	free(buf);
	return r == 0 ? 0 : 1;
}
