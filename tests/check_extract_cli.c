/*
 * check_extract_cli — `draftbot extract-event` as a real process: the
 * --json shape on corpus pages, the text for people, .ics files, pages
 * fetched from a one-shot server on 127.0.0.1, and each way it refuses
 * (missing file, too large, not iCalendar, a private address, bad usage)
 * with its exit code and message.
 */
#include <arpa/inet.h>
#include <check.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events/event.h"
#include "tests/testutil.h"

#define OUT_MAX (256 * 1024)

static const char *const json_keys[] = {"name", "start", "end", "timezone",
    "all_day", "location", "url", "description", "status", "source"};

static const char ics_text[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//draftbot//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@test\r\nSUMMARY:Choir rehearsal\r\n"
    "DTSTART;TZID=Europe/Berlin:20991105T190000\r\n"
    "DTEND;TZID=Europe/Berlin:20991105T210000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TH\r\nLOCATION:Church hall\\, Mitte\r\n"
    "URL:https://example.org/choir\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/* A corpus page: $DRAFTBOT_CORPORA/events/html/rel. */
static void
corpus(char *buf, size_t len, const char *rel)
{
	const char *root = getenv("DRAFTBOT_CORPORA");

	ck_assert_msg(root != NULL, "DRAFTBOT_CORPORA is not set");
	snprintf(buf, len, "%s/events/html/%s", root, rel);
	ck_assert_msg(tu_file_size(buf) > 0, "missing corpus file %s", buf);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Run extract-event with args (NULL-terminated) and env; out and err
 * are OUT_MAX bytes each.  Returns the exit status. */
static int
run(const char *const *args, const char *const *env, char *out, char *err)
{
	return tu_run(args, env, out, OUT_MAX, err, OUT_MAX);
}

/* Parse --json output: exactly one line holding {"events": [...]} whose
 * events carry every key.  Returns the events array's owner. */
static struct json_object *
parse_events(const char *out, size_t *n)
{
	struct json_object *root, *events;
	size_t len = strlen(out);

	ck_assert_uint_gt(len, 0);
	ck_assert_msg(
	    out[len - 1] == '\n' && strchr(out, '\n') == out + len - 1,
	    "not one line: %s", out);
	root = json_tokener_parse(out);
	ck_assert_msg(root != NULL, "not JSON: %s", out);
	ck_assert(json_object_object_get_ex(root, "events", &events));
	ck_assert(json_object_is_type(events, json_type_array));
	*n = json_object_array_length(events);
	for (size_t i = 0; i < *n; i++) {
		struct json_object *e = json_object_array_get_idx(events, i);

		for (size_t k = 0; k < sizeof(json_keys) / sizeof(json_keys[0]);
		     k++)
			ck_assert_msg(
			    json_object_object_get_ex(e, json_keys[k], NULL),
			    "event %zu has no \"%s\": %s", i, json_keys[k],
			    out);
	}
	return root;
}

/* events[i].key as a string ("" for null). */
static const char *
ev_str(struct json_object *root, size_t i, const char *key)
{
	struct json_object *events, *e, *v;

	ck_assert(json_object_object_get_ex(root, "events", &events));
	e = json_object_array_get_idx(events, i);
	ck_assert_ptr_nonnull(e);
	if (!json_object_object_get_ex(e, key, &v) || v == NULL)
		return "";
	return json_object_get_string(v);
}

START_TEST(json_shape)
{
	char path[1024], *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);
	struct json_object *root;
	size_t n;

	corpus(path, sizeof(path), "schemaorg/eg-0461.jsonld.html");
	{
		const char *args[] = {"extract-event", path, "--json", NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	ck_assert_str_eq(err, "");
	root = parse_events(out, &n);
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(ev_str(root, 0, "name"),
	    "Miami Heat at Philadelphia 76ers - Game 3 (Home Game 1)");
	ck_assert_msg(
	    strncmp(ev_str(root, 0, "start"), "2016-04-21T20:00", 16) == 0,
	    "start %s", ev_str(root, 0, "start"));
	ck_assert_str_eq(ev_str(root, 0, "source"), "json-ld");
	json_object_put(root);
	free(out);
	free(err);
}
END_TEST

START_TEST(negative_page)
{
	char path[1024], *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);
	struct json_object *root;
	size_t n;

	corpus(path, sizeof(path), "negative/schemaorg-eg-0010.json-ld.html");
	{
		const char *args[] = {"extract-event", "--json", path, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	root = parse_events(out, &n);
	ck_assert_uint_eq(n, 0);
	json_object_put(root);
	{
		const char *args[] = {"extract-event", path, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	ck_assert_str_eq(out, "No event found on this page.\n");
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

/* The text for people: one block per event with its fields. */
START_TEST(human_output)
{
	char path[1024], *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);

	corpus(path, sizeof(path), "schemaorg/eg-0461.jsonld.html");
	{
		const char *args[] = {"extract-event", path, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	ck_assert_msg(strstr(out,
	                  "  name     Miami Heat at Philadelphia 76ers "
	                  "- Game 3 (Home Game 1)\n") != NULL,
	    "%s", out);
	ck_assert_msg(
	    strstr(out, "  when     Thu 2016-04-21 20:00") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  source   json-ld\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  where    ") != NULL, "%s", out);
	free(out);
	free(err);
}
END_TEST

/* An .ics file, by its content and by its name. */
START_TEST(ics_file)
{
	char dir[256], path[320], *out = malloc(OUT_MAX),
	                          *err = malloc(OUT_MAX);
	struct json_object *root;
	size_t n;

	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "choir.txt");
	write_file(path, ics_text, strlen(ics_text));
	{
		const char *args[] = {"extract-event", path, "--json", NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	root = parse_events(out, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ev_str(root, 0, "name"), "Choir rehearsal");
	ck_assert_str_eq(ev_str(root, 0, "start"), "2099-11-05T19:00:00");
	ck_assert_str_eq(ev_str(root, 0, "timezone"), "Europe/Berlin");
	ck_assert_str_eq(ev_str(root, 0, "location"), "Church hall, Mitte");
	ck_assert_str_eq(ev_str(root, 0, "source"), "ics");
	json_object_put(root);
	{
		const char *args[] = {"extract-event", path, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	ck_assert_msg(strstr(out,
	                  "  when     Thu 2099-11-05 19:00 to 21:00 "
	                  "(Europe/Berlin)\n") != NULL,
	    "%s", out);
	ck_assert_msg(strstr(out, "  repeats  FREQ=WEEKLY;BYDAY=TH\n") != NULL,
	    "%s", out);
	ck_assert_msg(strstr(out, "  source   ics\n") != NULL, "%s", out);

	/* named .ics but not iCalendar: refused, exit 1 */
	tu_path(path, sizeof(path), dir, "broken.ics");
	write_file(path, "<html>oops</html>", 17);
	{
		const char *args[] = {"extract-event", path, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 1);
	}
	ck_assert_str_eq(out, "");
	ck_assert_msg(
	    strstr(err, "is not an iCalendar file") != NULL, "%s", err);
	ck_assert_int_eq(tu_rmtree(dir), 0);
	free(out);
	free(err);
}
END_TEST

START_TEST(missing_file)
{
	char *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);
	const char *args[] = {"extract-event", "/nonexistent/page.html", NULL};

	ck_assert_int_eq(run(args, NULL, out, err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err,
	    "draftbot: cannot open /nonexistent/page.html: "
	    "No such file or directory\n");
	free(out);
	free(err);
}
END_TEST

/* Over 2 MiB: refused with a clear message, nothing on stdout; a
 * folder is not a file. */
START_TEST(too_large)
{
	char dir[256], path[320], *out = malloc(OUT_MAX),
	                          *err = malloc(OUT_MAX);
	size_t len = EV_HTML_MAX + 1;
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	tu_tmpdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "big.html");
	write_file(path, big, len);
	{
		const char *args[] = {"extract-event", path, "--json", NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 1);
	}
	ck_assert_str_eq(out, "");
	ck_assert_msg(
	    strstr(err, "is too large (2097153 bytes)") != NULL, "%s", err);
	/* exactly at the limit is fine */
	write_file(path, big, len - 1);
	{
		const char *args[] = {"extract-event", path, "--json", NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 0);
	}
	ck_assert_str_eq(err, "");
	{
		const char *args[] = {"extract-event", dir, NULL};

		ck_assert_int_eq(run(args, NULL, out, err), 1);
	}
	ck_assert_msg(strstr(err, "cannot read") != NULL, "%s", err);
	ck_assert_int_eq(tu_rmtree(dir), 0);
	free(big);
	free(out);
	free(err);
}
END_TEST

START_TEST(bad_usage)
{
	char *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);
	const char *none[] = {"extract-event", NULL};
	const char *two[] = {"extract-event", "a.html", "b.html", NULL};
	const char *opt[] = {"extract-event", "--pretty", "a.html", NULL};
	const char *empty[] = {"extract-event", "", NULL};
	const char *help[] = {"extract-event", "--help", NULL};

	ck_assert_int_eq(run(none, NULL, out, err), 2);
	ck_assert_msg(strstr(err, "missing argument") != NULL, "%s", err);
	ck_assert_msg(
	    strstr(err, "usage: draftbot extract-event") != NULL, "%s", err);
	ck_assert_int_eq(run(two, NULL, out, err), 2);
	ck_assert_msg(
	    strstr(err, "unexpected argument 'b.html'") != NULL, "%s", err);
	ck_assert_int_eq(run(opt, NULL, out, err), 2);
	ck_assert_msg(
	    strstr(err, "unknown option '--pretty'") != NULL, "%s", err);
	ck_assert_int_eq(run(empty, NULL, out, err), 2);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(run(help, NULL, out, err), 0);
	ck_assert_msg(
	    strstr(out, "usage: draftbot extract-event") != NULL, "%s", out);
	free(out);
	free(err);
}
END_TEST

/* A one-shot HTTP server on 127.0.0.1: answers every request on lfd with
 * content_type and body until killed.  Returns its pid. */
static pid_t
serve(int lfd, const char *content_type, const char *body, size_t len)
{
	pid_t pid = fork();

	ck_assert(pid >= 0);
	if (pid > 0)
		return pid;
	alarm(30);
	for (;;) {
		char req[8192], head[256];
		size_t got = 0;
		int fd = accept(lfd, NULL, NULL), hn;

		if (fd < 0)
			_exit(1);
		while (got < sizeof(req) - 1) {
			ssize_t r = read(fd, req + got, sizeof(req) - 1 - got);

			if (r <= 0)
				break;
			got += (size_t)r;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		hn = snprintf(head, sizeof(head),
		    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    content_type, len);
		if (write(fd, head, (size_t)hn) == hn &&
		    strncmp(req, "HEAD ", 5) != 0)
			(void)!write(fd, body, len);
		close(fd);
	}
}

static int
listen_local(int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	ck_assert(listen(fd, 8) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	ck_assert(waitpid(pid, NULL, 0) == pid);
}

/* A page fetched over HTTP: relative links resolve against its URL; a
 * text/calendar reply without an .ics name is read as iCalendar. */
START_TEST(fetched_page)
{
	static const char *const env[] = {
	    "DRAFTBOT_FETCH_ALLOW=127.0.0.1", NULL};
	char path[1024], url[128], *out = malloc(OUT_MAX),
	                           *err = malloc(OUT_MAX), *page;
	struct json_object *root;
	long long size;
	size_t n;
	FILE *f;
	pid_t pid;
	int lfd, port;

	corpus(path, sizeof(path), "schemaorg/eg-0461.jsonld.html");
	size = tu_file_size(path);
	page = malloc((size_t)size);
	f = fopen(path, "rb");
	ck_assert(f != NULL && page != NULL);
	ck_assert_uint_eq(fread(page, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	lfd = listen_local(&port);
	pid = serve(lfd, "text/html; charset=utf-8", page, (size_t)size);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/games/3.html", port);
	{
		const char *args[] = {"extract-event", url, "--json", NULL};

		ck_assert_int_eq(run(args, env, out, err), 0);
	}
	stop(pid);
	root = parse_events(out, &n);
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(ev_str(root, 0, "source"), "json-ld");
	{
		char want[160];

		snprintf(want, sizeof(want),
		    "http://127.0.0.1:%d/games/"
		    "nba-miami-philidelphia-game3.html",
		    port);
		ck_assert_str_eq(ev_str(root, 0, "url"), want);
	}
	json_object_put(root);

	pid = serve(lfd, "text/calendar", ics_text, strlen(ics_text));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed?id=7", port);
	{
		const char *args[] = {"extract-event", url, NULL};

		ck_assert_int_eq(run(args, env, out, err), 0);
	}
	stop(pid);
	ck_assert_msg(
	    strstr(out, "  name     Choir rehearsal\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  source   ics\n") != NULL, "%s", out);
	close(lfd);
	free(page);
	free(out);
	free(err);
}
END_TEST

/* Private and loopback addresses are refused without fetch_allow:
 * exit 1, the reason on stderr, nothing on stdout. */
START_TEST(refused_fetch)
{
	char *out = malloc(OUT_MAX), *err = malloc(OUT_MAX);
	const char *loop[] = {
	    "extract-event", "http://127.0.0.1:9/event.html", "--json", NULL};
	const char *priv[] = {"extract-event", "https://10.1.2.3/", NULL};

	ck_assert_int_eq(run(loop, NULL, out, err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_msg(strstr(err,
	                  "draftbot: cannot fetch "
	                  "http://127.0.0.1:9/event.html: ") == err,
	    "%s", err);
	ck_assert_int_eq(run(priv, NULL, out, err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_msg(
	    strstr(err, "cannot fetch https://10.1.2.3/") != NULL, "%s", err);
	free(out);
	free(err);
}
END_TEST

static Suite *
extract_cli_suite(void)
{
	Suite *s = suite_create("extract_cli");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, json_shape);
	tcase_add_test(tc, negative_page);
	tcase_add_test(tc, human_output);
	tcase_add_test(tc, ics_file);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, too_large);
	tcase_add_test(tc, bad_usage);
	tcase_add_test(tc, fetched_page);
	tcase_add_test(tc, refused_fetch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(extract_cli_suite());
}
