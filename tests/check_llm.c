/*
 * check_llm — the LLM client (llm/) against the fake OpenAI-compatible
 * server (tests/fake_llm.c): the request it sends, what each answer and
 * fault becomes, the strict check of the model's JSON, the options and
 * presets, and the cost arithmetic.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm.h"
#include "llm/llm_int.h"
#include "net/http.h"
#include "tests/fake_llm.h"
#include "tests/testutil.h"

#define KEY "sk-test-0123456789abcdefSECRETKEY"
#define MODEL "test-model"
#define TODAY "2026-11-22T10:30"
#define TZ "Europe/Berlin"

/* An event with every field set; cases change one field at a time. */
#define GOOD                                                                   \
	"{\"kind\":\"event\",\"title\":\"Dentist\",\"notes\":\"bring the "     \
	"card\",\"date\":\"2026-11-24\",\"time\":\"09:30\",\"end_time\":"      \
	"\"10:15\",\"duration_min\":45,\"location\":\"Main St 5\","            \
	"\"priority\":2,\"subtasks\":[\"call to confirm\",\"find the "         \
	"card\"],\"question\":\"\"}"

static struct fake_llm *fk;
static struct llm *lm;

static struct llm *
open_llm(const char *provider, const char *url, const char *key,
    const char *model, long timeout_ms)
{
	struct llm_opts o = {provider, url, key, model, timeout_ms};
	char err[LLM_ERR_MAX];
	struct llm *l = NULL;

	ck_assert_msg(llm_opts_check(&o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(llm_open(&o, &l), 0);
	return l;
}

static void
setup(void)
{
	ck_assert_int_eq(fake_llm_start(KEY, &fk), 0);
	lm = open_llm("custom", fake_llm_base_url(fk), KEY, MODEL, 5000);
}

static void
teardown(void)
{
	llm_close(lm);
	lm = NULL;
	fake_llm_stop(fk);
	fk = NULL;
}

/* llm_read with today and tz fixed; checks that err never holds the key. */
static int
ask(struct llm *l, enum llm_purpose p, const char *text, struct llm_reading *r,
    struct llm_usage *u, char *err)
{
	int rc = llm_read(l, p, text, TODAY, TZ, r, u, err, LLM_ERR_MAX);

	ck_assert_ptr_null(strstr(err, KEY));
	ck_assert_ptr_null(strstr(err, "SECRETKEY"));
	return rc;
}

/* GOOD with key set to the JSON text value (NULL: key removed); the
 * caller frees. */
static char *
good_with(const char *key, const char *value)
{
	struct json_object *o = json_tokener_parse(GOOD);
	char *s;

	ck_assert_ptr_nonnull(o);
	if (value == NULL) {
		json_object_object_del(o, key);
	} else {
		struct json_object *v = json_tokener_parse(value);

		ck_assert_msg(
		    v != NULL || strcmp(value, "null") == 0, "%s", value);
		json_object_object_add(o, key, v);
	}
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* The last request's body as JSON; the caller puts it. */
static struct json_object *
last_request(void)
{
	char *body = fake_llm_last_body(fk);
	struct json_object *o;

	ck_assert_ptr_nonnull(body);
	o = json_tokener_parse(body);
	free(body);
	ck_assert_ptr_nonnull(o);
	return o;
}

static struct json_object *
at(struct json_object *o, const char *path)
{
	char buf[128], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		struct json_object *v = NULL;

		if (!json_object_object_get_ex(o, k, &v))
			return NULL;
		o = v;
	}
	return o;
}

/* ---- answers ---- */

START_TEST(happy_path)
{
	struct llm_reading r;
	struct llm_usage u;
	char err[LLM_ERR_MAX];

	fake_llm_set_usage(fk, 123, 45);
	ck_assert_int_eq(fake_llm_set_reply(fk, GOOD), 0);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_DRAFT,
	        "dentist on tuesday 9:30-10:15 at Main St 5", &r, &u, err),
	    0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(r.kind, LLM_EVENT);
	ck_assert_str_eq(r.title, "Dentist");
	ck_assert_str_eq(r.notes, "bring the card");
	ck_assert_str_eq(r.date, "2026-11-24");
	ck_assert_str_eq(r.time, "09:30");
	ck_assert_str_eq(r.end_time, "10:15");
	ck_assert_int_eq(r.duration_min, 45);
	ck_assert_str_eq(r.location, "Main St 5");
	ck_assert_int_eq(r.priority, 2);
	ck_assert_int_eq(r.nsubtasks, 2);
	ck_assert_str_eq(r.subtasks[0], "call to confirm");
	ck_assert_str_eq(r.subtasks[1], "find the card");
	ck_assert_str_eq(r.question, "");
	ck_assert_int_eq(u.prompt_tokens, 123);
	ck_assert_int_eq(u.completion_tokens, 45);
	ck_assert_uint_eq(fake_llm_count(fk), 1);
	ck_assert_uint_eq(fake_llm_count_ok(fk), 1);
	ck_assert_str_eq(llm_model(lm), MODEL);
	ck_assert_str_eq(llm_outcome_name(0), "ok");
}
END_TEST

START_TEST(echo_and_queue)
{
	struct llm_reading r;
	struct llm_usage u;
	char err[LLM_ERR_MAX];

	/* the fake's default echoes the message as a task */
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "  buy milk\n", &r, &u, err), 0);
	ck_assert_int_eq(r.kind, LLM_TASK);
	ck_assert_str_eq(r.title, "buy milk");
	ck_assert_int_eq(r.nsubtasks, 0);
	ck_assert_int_gt(u.prompt_tokens, 0);
	ck_assert_int_gt(u.completion_tokens, 0);

	/* queued replies come first, in order, then the fixed one */
	fake_llm_set_reply(fk, GOOD);
	fake_llm_push_reply(fk,
	    "{\"kind\":\"other\",\"title\":\"\","
	    "\"notes\":\"\",\"date\":\"\",\"time\":\"\","
	    "\"end_time\":\"\",\"duration_min\":0,"
	    "\"location\":\"\",\"priority\":0,"
	    "\"subtasks\":[],\"question\":\"\"}");
	fake_llm_push_reply(fk, "{not json");
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "hi", &r, &u, err), 0);
	ck_assert_int_eq(r.kind, LLM_OTHER);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "hi", &r, &u, err), -EBADMSG);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "hi", &r, &u, err), 0);
	ck_assert_int_eq(r.kind, LLM_EVENT);
	fake_llm_set_reply(fk, NULL);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "walk", &r, &u, err), 0);
	ck_assert_str_eq(r.title, "walk");
}
END_TEST

START_TEST(unclear_needs_question)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];
	char *c = good_with("kind", "\"unclear\"");

	fake_llm_set_reply(fk, c);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "the thing", &r, NULL, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "question"));
	free(c);
	fake_llm_set_reply(fk,
	    "{\"kind\":\"unclear\",\"title\":\"\",\"notes\":\"\",\"date\":"
	    "\"\",\"time\":\"\",\"end_time\":\"\",\"duration_min\":0,"
	    "\"location\":\"\",\"priority\":0,\"subtasks\":[],\"question\":"
	    "\"Which thing do you mean?\"}");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "the thing", &r, NULL, err), 0);
	ck_assert_int_eq(r.kind, LLM_UNCLEAR);
	ck_assert_str_eq(r.question, "Which thing do you mean?");
}
END_TEST

/* ---- the request ---- */

START_TEST(temperature_by_purpose)
{
	struct llm_reading r;
	struct json_object *req;
	char err[LLM_ERR_MAX], *body;

	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	body = fake_llm_last_body(fk);
	ck_assert_ptr_nonnull(strstr(body, "\"temperature\":0.1,"));
	free(body);
	req = last_request();
	ck_assert_double_eq_tol(
	    json_object_get_double(at(req, "temperature")), 0.1, 1e-9);
	ck_assert_int_eq(json_object_get_int(at(req, "max_tokens")), 1024);
	json_object_put(req);

	ck_assert_int_eq(ask(lm, LLM_PURPOSE_DRAFT, "x", &r, NULL, err), 0);
	body = fake_llm_last_body(fk);
	ck_assert_ptr_nonnull(strstr(body, "\"temperature\":0.3,"));
	free(body);
	req = last_request();
	ck_assert_double_eq_tol(
	    json_object_get_double(at(req, "temperature")), 0.3, 1e-9);
	ck_assert_int_eq(json_object_get_int(at(req, "max_tokens")), 2048);
	json_object_put(req);
}
END_TEST

START_TEST(request_shape)
{
	struct llm_reading r;
	struct json_object *req, *msgs, *sch, *req_fields, *v;
	char err[LLM_ERR_MAX];
	const char *sys;

	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "Call \"Bob\" / 5€", &r, NULL, err), 0);
	req = last_request();
	ck_assert_str_eq(json_object_get_string(at(req, "model")), MODEL);
	ck_assert_str_eq(
	    json_object_get_string(at(req, "response_format.type")),
	    "json_schema");
	ck_assert_str_eq(
	    json_object_get_string(at(req, "response_format.json_schema.name")),
	    "draft");
	v = at(req, "response_format.json_schema.strict");
	ck_assert(json_object_is_type(v, json_type_boolean));
	ck_assert(json_object_get_boolean(v));
	sch = at(req, "response_format.json_schema.schema");
	ck_assert(json_object_is_type(sch, json_type_object));
	ck_assert_str_eq(json_object_get_string(at(sch, "type")), "object");
	v = at(sch, "additionalProperties");
	ck_assert(json_object_is_type(v, json_type_boolean));
	ck_assert(!json_object_get_boolean(v));
	ck_assert_ptr_null(at(sch, "$schema"));
	req_fields = at(sch, "required");
	ck_assert_uint_eq(json_object_array_length(req_fields), 11);
	ck_assert_int_eq(json_object_object_length(at(sch, "properties")), 11);
	ck_assert_ptr_nonnull(at(sch, "properties.kind.enum"));
	ck_assert_str_eq(
	    json_object_get_string(at(sch, "properties.subtasks.items.type")),
	    "string");
	ck_assert_ptr_null(at(req, "reasoning_effort"));
	ck_assert_ptr_null(at(req, "stream"));

	msgs = at(req, "messages");
	ck_assert_uint_eq(json_object_array_length(msgs), 2);
	ck_assert_str_eq(json_object_get_string(
	                     at(json_object_array_get_idx(msgs, 0), "role")),
	    "system");
	sys = json_object_get_string(
	    at(json_object_array_get_idx(msgs, 0), "content"));
	/* today with its weekday and zone, for relative dates */
	ck_assert_ptr_nonnull(strstr(sys, "Sunday 2026-11-22, 10:30"));
	ck_assert_ptr_nonnull(strstr(sys, "(Europe/Berlin)"));
	/* the fields are explained in the prompt too (Ollama's models do
	 * not see the schema's descriptions) */
	ck_assert_ptr_nonnull(strstr(sys, "\n- kind: task"));
	ck_assert_ptr_nonnull(strstr(sys, "\n- question: "));
	ck_assert_str_eq(json_object_get_string(
	                     at(json_object_array_get_idx(msgs, 1), "role")),
	    "user");
	/* the message goes alone in the user turn, unchanged */
	ck_assert_str_eq(json_object_get_string(
	                     at(json_object_array_get_idx(msgs, 1), "content")),
	    "Call \"Bob\" / 5€");
	json_object_put(req);
}
END_TEST

START_TEST(no_zone)
{
	struct llm_reading r;
	struct json_object *req;
	char err[LLM_ERR_MAX];
	const char *sys;

	ck_assert_int_eq(
	    llm_read(lm, LLM_PURPOSE_INTENT, "x", "2024-02-29T23:59:59", NULL,
	        &r, NULL, err, sizeof(err)),
	    0);
	req = last_request();
	sys = json_object_get_string(
	    at(json_object_array_get_idx(at(req, "messages"), 0), "content"));
	ck_assert_ptr_nonnull(strstr(sys, "Thursday 2024-02-29, 23:59."));
	json_object_put(req);
}
END_TEST

START_TEST(auth_header)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX], auth[256];
	struct llm *nokey;

	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert(fake_llm_last_auth(fk, auth, sizeof(auth)));
	ck_assert_str_eq(auth, "Bearer " KEY);

	/* no key, no header: the fake wants one */
	nokey = open_llm("custom", fake_llm_base_url(fk), NULL, MODEL, 5000);
	ck_assert_int_eq(
	    ask(nokey, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EACCES);
	ck_assert(!fake_llm_last_auth(fk, auth, sizeof(auth)));
	llm_close(nokey);
}
END_TEST

START_TEST(wrong_key)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];
	struct llm *bad = open_llm("openai", fake_llm_base_url(fk),
	    "sk-wrong-key-abcdefWXYZ", NULL, 5000);
	int rc;

	rc = llm_read(bad, LLM_PURPOSE_INTENT, "x", TODAY, TZ, &r, NULL, err,
	    sizeof(err));
	ck_assert_int_eq(rc, -EACCES);
	ck_assert_str_eq(llm_outcome_name(rc), "auth");
	ck_assert_ptr_nonnull(strstr(err, "401"));
	ck_assert_ptr_nonnull(strstr(err, "invalid_api_key"));
	/* the API's message quotes part of the key: left out */
	ck_assert_ptr_null(strstr(err, "WXYZ"));
	ck_assert_ptr_null(strstr(err, "sk-wrong"));
	llm_close(bad);
}
END_TEST

START_TEST(preset_quirks)
{
	struct llm_reading r;
	struct json_object *req, *sch;
	char err[LLM_ERR_MAX];
	struct llm *g, *o;

	/* gemini: no additionalProperties, thinking off for 2.5 Flash */
	g = open_llm("gemini", fake_llm_base_url(fk), KEY, NULL, 5000);
	ck_assert_str_eq(llm_model(g), "gemini-2.5-flash");
	ck_assert_int_eq(ask(g, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	req = last_request();
	ck_assert_str_eq(
	    json_object_get_string(at(req, "model")), "gemini-2.5-flash");
	ck_assert_str_eq(
	    json_object_get_string(at(req, "reasoning_effort")), "none");
	sch = at(req, "response_format.json_schema.schema");
	ck_assert_ptr_null(at(sch, "additionalProperties"));
	ck_assert(json_object_get_boolean(
	    at(req, "response_format.json_schema.strict")));
	json_object_put(req);
	llm_close(g);

	/* another Gemini model keeps its thinking */
	g = open_llm(
	    "gemini", fake_llm_base_url(fk), KEY, "gemini-2.5-pro", 5000);
	ck_assert_int_eq(ask(g, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	req = last_request();
	ck_assert_ptr_null(at(req, "reasoning_effort"));
	json_object_put(req);
	llm_close(g);

	/* openai with a model override */
	o = open_llm("openai", fake_llm_base_url(fk), KEY, "gpt-4.1-nano", 0);
	ck_assert_str_eq(llm_model(o), "gpt-4.1-nano");
	ck_assert_int_eq(ask(o, LLM_PURPOSE_DRAFT, "x", &r, NULL, err), 0);
	req = last_request();
	ck_assert_str_eq(
	    json_object_get_string(at(req, "model")), "gpt-4.1-nano");
	ck_assert_ptr_null(at(req, "reasoning_effort"));
	ck_assert_ptr_nonnull(
	    at(req, "response_format.json_schema.schema.additionalProperties"));
	json_object_put(req);
	llm_close(o);
}
END_TEST

/* ---- errors from the API ---- */

START_TEST(rate_limited)
{
	struct llm_reading r;
	struct llm_usage u;
	char err[LLM_ERR_MAX];
	int rc;

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_429, 1, 7);
	rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err);
	ck_assert_int_eq(rc, -EAGAIN);
	ck_assert_str_eq(llm_outcome_name(rc), "rate_limited");
	ck_assert_int_eq(llm_retry_after(lm), 7);
	ck_assert_ptr_nonnull(strstr(err, "rate_limit_exceeded"));
	ck_assert_ptr_nonnull(strstr(err, "retry after 7 s"));
	ck_assert_int_eq(u.prompt_tokens, 0);
	/* one request only, then answers again */
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), 0);

	/* without Retry-After */
	fake_llm_set_fault(fk, FAKE_LLM_FAULT_429, 1, 0);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EAGAIN);
	ck_assert_int_eq(llm_retry_after(lm), 0);

	/* Gemini: an array, RESOURCE_EXHAUSTED, the delay in RetryInfo */
	fake_llm_push_raw(fk, 429,
	    "[{\"error\":{\"code\":429,\"message\":\"You exceeded your "
	    "current quota.\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":"
	    "[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
	    "\"retryDelay\":\"37s\"}]}}]");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EAGAIN);
	ck_assert_int_eq(llm_retry_after(lm), 37);
	ck_assert_ptr_nonnull(strstr(err, "RESOURCE_EXHAUSTED"));
}
END_TEST

START_TEST(server_errors)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];
	int rc;

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_500, 1, 0);
	rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err);
	ck_assert_int_eq(rc, -EREMOTEIO);
	ck_assert_str_eq(llm_outcome_name(rc), "server_error");
	ck_assert_ptr_nonnull(strstr(err, "500"));

	/* a proxy's HTML page */
	fake_llm_push_raw(fk, 502,
	    "<html><head><title>502 Bad Gateway</title></head></html>");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EREMOTEIO);
	fake_llm_push_raw(fk, 503,
	    "[{\"error\":{\"code\":503,\"message\":\"The model is "
	    "overloaded.\",\"status\":\"UNAVAILABLE\"}}]");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EREMOTEIO);
	ck_assert_ptr_nonnull(strstr(err, "overloaded"));
}
END_TEST

START_TEST(client_errors)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];
	int rc;

	fake_llm_push_raw(fk, 400,
	    "{\"error\":{\"message\":\"Invalid schema for response_format "
	    "'draft'.\",\"type\":\"invalid_request_error\",\"param\":"
	    "\"response_format\",\"code\":null}}");
	rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(llm_outcome_name(rc), "error");
	ck_assert_ptr_nonnull(strstr(err, "Invalid schema"));

	/* Ollama: an unknown model */
	fake_llm_push_raw(fk, 404,
	    "{\"error\":{\"message\":\"model \\\"llama9\\\" not found, try "
	    "pulling it first\",\"type\":\"api_error\",\"param\":null,"
	    "\"code\":null}}");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not found"));

	/* Gemini answers a bad key with 400 API_KEY_INVALID */
	fake_llm_push_raw(fk, 400,
	    "[{\"error\":{\"code\":400,\"message\":\"API key not valid. "
	    "Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\","
	    "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc."
	    "ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}]");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EACCES);
	fake_llm_push_raw(fk, 403,
	    "{\"error\":{\"message\":\"Country not supported\",\"type\":"
	    "\"request_forbidden\",\"code\":\"unsupported_country\"}}");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EACCES);

	/* an API that echoes the key gets it blanked out */
	fake_llm_push_raw(fk, 422,
	    "{\"error\":{\"message\":\"bad request from " KEY "\\n"
	    "again\"}}");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bad request from *** again"));

	/* a redirect is not followed */
	fake_llm_push_raw(fk, 301, "");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EINVAL);
}
END_TEST

START_TEST(bad_replies)
{
	struct llm_reading r;
	struct llm_usage u;
	char err[LLM_ERR_MAX];
	int rc;

	/* content that is not JSON; usage still counts */
	fake_llm_set_usage(fk, 10, 20);
	fake_llm_set_fault(fk, FAKE_LLM_FAULT_BAD_JSON, 1, 0);
	rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err);
	ck_assert_int_eq(rc, -EBADMSG);
	ck_assert_str_eq(llm_outcome_name(rc), "invalid_json");
	ck_assert_ptr_nonnull(strstr(err, "content"));
	ck_assert_int_eq(u.prompt_tokens, 10);
	ck_assert_int_eq(u.completion_tokens, 20);
	ck_assert_int_eq(r.kind, 0);
	ck_assert_str_eq(r.title, "");

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_SCHEMA, 1, 0);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "kind"));
	ck_assert_int_eq(u.completion_tokens, 20);

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_NO_CHOICES, 1, 0);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "no choices"));

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_TRUNCATED, 1, 0);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "cut off"));

	/* not the API's JSON at all */
	fake_llm_push_raw(fk, 200, "<html>captive portal</html>");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EBADMSG);
	ck_assert_int_eq(u.prompt_tokens, 0);

	/* a refusal */
	fake_llm_push_raw(fk, 200,
	    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":null,\"refusal\":\"I can't help with that.\"},"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
	    "\"completion_tokens\":6}}");
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "refused"));
	ck_assert_int_eq(u.prompt_tokens, 5);

	/* no usage reported: zeros */
	fake_llm_set_usage(fk, -1, 0);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, &u, err), 0);
	ck_assert_int_eq(u.prompt_tokens, 0);
	ck_assert_int_eq(u.completion_tokens, 0);
}
END_TEST

START_TEST(fenced_content)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];

	fake_llm_set_reply(fk, "```json\n" GOOD "\n```\n");
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_str_eq(r.title, "Dentist");
	fake_llm_set_reply(fk, "Sure! " GOOD);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EBADMSG);
}
END_TEST

/* ---- the strict check ---- */

struct violation {
	const char *key;
	const char *value; /* JSON text; NULL removes the key */
	const char *field; /* err must name it */
};

START_TEST(schema_violations)
{
	static const struct violation v[] = {
	    {"priority", "\"2\"", "priority"},
	    {"priority", "2.0", "priority"},
	    {"priority", "true", "priority"},
	    {"priority", "4", "priority"},
	    {"priority", "-1", "priority"},
	    {"duration_min", "-5", "duration_min"},
	    {"duration_min", "99999999999", "duration_min"},
	    {"kind", "\"meeting\"", "kind"},
	    {"kind", "\"Task\"", "kind"},
	    {"kind", "1", "kind"},
	    {"title", "null", "title"},
	    {"title", "42", "title"},
	    {"title", "\"\"", "title"}, /* empty for an event */
	    {"title", "\"a\\u0000b\"", "title"},
	    {"title", "\"two\\nlines\"", "title"},
	    {"date", "\"2026-02-30\"", "date"},
	    {"date", "\"2025-02-29\"", "date"},
	    {"date", "\"2026-13-01\"", "date"},
	    {"date", "\"2026-11-2\"", "date"},
	    {"date", "\"22.11.2026\"", "date"},
	    {"date", "\"1066-10-14\"", "date"},
	    {"date", "\"2026-11-22T10:00\"", "date"},
	    {"time", "\"25:00\"", "time"},
	    {"time", "\"12:60\"", "time"},
	    {"time", "\"9:30\"", "time"},
	    {"time", "\"7pm\"", "time"},
	    {"end_time", "\"24:00\"", "end_time"},
	    {"subtasks", "\"one, two\"", "subtasks"},
	    {"subtasks", "[\"ok\", 3]", "subtasks[1]"},
	    {"subtasks",
	        "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	        "\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\","
	        "\"q\",\"r\",\"s\",\"t\",\"u\"]",
	        "subtasks"},
	    {"notes", "{}", "notes"},
	    {"extra", "\"surprise\"", "extra"},
	    {"Title", "\"x\"", "Title"},
	    {"notes", NULL, "notes"},
	    {"question", NULL, "question"},
	    {"subtasks", NULL, "subtasks"},
	};
	struct llm_reading r;
	char err[LLM_ERR_MAX];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *c = good_with(v[i].key, v[i].value);
		int rc;

		fake_llm_set_reply(fk, c);
		rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err);
		ck_assert_msg(rc == -EBADMSG, "%s=%s: %d", v[i].key,
		    v[i].value ? v[i].value : "(none)", rc);
		ck_assert_msg(
		    strncmp(err, v[i].field, strlen(v[i].field)) == 0 ||
		        strstr(err, v[i].field) != NULL,
		    "%s=%s: err \"%s\"", v[i].key,
		    v[i].value ? v[i].value : "(none)", err);
		ck_assert_str_eq(r.title, "");
		free(c);
	}
}
END_TEST

START_TEST(lengths)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX], title[1200], json[1400], *c;
	size_t i;

	/* 300 bytes: more than 10 % over 255, invalid */
	memset(title, 'a', 300);
	title[300] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", title);
	c = good_with("title", json);
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "title"));
	ck_assert_ptr_nonnull(strstr(err, "300"));

	/* 280 bytes of "é": within 10 %, cut to 254 at a UTF-8 boundary */
	for (i = 0; i < 280; i += 2)
		memcpy(title + i, "\xc3\xa9", 2);
	title[280] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", title);
	c = good_with("title", json);
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_uint_eq(strlen(r.title), 254);
	ck_assert(llm_utf8_valid(r.title, strlen(r.title)));

	/* exactly at the limit stays whole; spaces around are trimmed */
	memset(title, 'b', 255);
	title[255] = '\0';
	snprintf(json, sizeof(json), "\"  %s \\n\"", title);
	c = good_with("title", json);
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_uint_eq(strlen(r.title), 255);

	/* notes: 1023 bytes; 1125 is the most that is cut */
	memset(title, 'n', 1125);
	title[1125] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", title);
	c = good_with("notes", json);
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_uint_eq(strlen(r.notes), 1023);
	title[1126 - 1] = 'n';
	memset(title, 'n', 1126);
	title[1126] = '\0';
	snprintf(json, sizeof(json), "\"%s\"", title);
	c = good_with("notes", json);
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(
	    ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EBADMSG);

	/* notes keep their lines; empty subtasks are dropped */
	c = good_with("notes", "\"line 1\\nline 2\\tend\"");
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_str_eq(r.notes, "line 1\nline 2\tend");
	c = good_with("subtasks", "[\"\", \" one \", \"  \", \"two\"]");
	fake_llm_set_reply(fk, c);
	free(c);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);
	ck_assert_int_eq(r.nsubtasks, 2);
	ck_assert_str_eq(r.subtasks[0], "one");
	ck_assert_str_eq(r.subtasks[1], "two");
}
END_TEST

START_TEST(parse_direct)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
	    {GOOD, 0},
	    {"  " GOOD "\n", 0},
	    {GOOD " x", -EBADMSG},
	    {GOOD GOOD, -EBADMSG},
	    {"[]", -EBADMSG},
	    {"42", -EBADMSG},
	    {"", -EBADMSG},
	    {"{\"kind\":\"task\",}", -EBADMSG},
	    {"{'kind':'task'}", -EBADMSG},
	    {"{\"kind\":\"task\",\"title\":\"\xff\"}", -EBADMSG},
	};
	struct llm_reading r;
	char err[LLM_ERR_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = llm_reading_parse(
		    cases[i].text, strlen(cases[i].text), &r, err, sizeof(err));

		ck_assert_msg(
		    rc == cases[i].rc, "case %zu: %d (%s)", i, rc, err);
	}
	/* leap days */
	ck_assert(llm_date_valid(2024, 2, 29));
	ck_assert(llm_date_valid(2000, 2, 29));
	ck_assert(!llm_date_valid(1900, 2, 29));
	ck_assert(!llm_date_valid(2026, 4, 31));
	ck_assert(!llm_utf8_valid("\xc0\xaf", 2));        /* overlong */
	ck_assert(!llm_utf8_valid("\xed\xa0\x80", 3));    /* surrogate */
	ck_assert(llm_utf8_valid("\xf0\x9f\x98\x80", 4)); /* emoji */
	ck_assert(!llm_utf8_valid("\xf0\x9f\x98", 3));    /* cut short */
}
END_TEST

/* ---- arguments and the network ---- */

START_TEST(bad_arguments)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX], big[LLM_TEXT_MAX + 2];

	ck_assert_int_eq(llm_read(lm, LLM_PURPOSE_INTENT, "", TODAY, TZ, &r,
	                     NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(llm_read(lm, LLM_PURPOSE_INTENT, "a\xffz", TODAY, TZ,
	                     &r, NULL, err, sizeof(err)),
	    -EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(llm_read(lm, LLM_PURPOSE_INTENT, big, TODAY, TZ, &r,
	                     NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(llm_read(lm, LLM_PURPOSE_INTENT, "x", "2026-11-22", TZ,
	                     &r, NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(
	    llm_read(lm, LLM_PURPOSE_INTENT, "x", "2026-02-30T10:00", TZ, &r,
	        NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(
	    llm_read(lm, LLM_PURPOSE_INTENT, "x", "2026-11-22T24:00", TZ, &r,
	        NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(
	    llm_read(lm, LLM_PURPOSE_INTENT, "x", TODAY,
	        "Europe/Berlin\"; drop", &r, NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(llm_read(lm, (enum llm_purpose)7, "x", TODAY, TZ, &r,
	                     NULL, err, sizeof(err)),
	    -EINVAL);
	ck_assert_int_eq(llm_read(NULL, LLM_PURPOSE_INTENT, "x", TODAY, TZ, &r,
	                     NULL, NULL, 0),
	    -EINVAL);
	/* nothing was sent */
	ck_assert_uint_eq(fake_llm_count(fk), 0);
}
END_TEST

START_TEST(timeout)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX];
	struct llm *quick =
	    open_llm("custom", fake_llm_base_url(fk), KEY, MODEL, 500);
	int rc;

	fake_llm_set_delay_ms(fk, 2000);
	rc = ask(quick, LLM_PURPOSE_INTENT, "x", &r, NULL, err);
	ck_assert_int_eq(rc, -ETIMEDOUT);
	ck_assert_str_eq(llm_outcome_name(rc), "timeout");
	llm_close(quick);
}
END_TEST

START_TEST(dropped_and_refused)
{
	struct llm_reading r;
	char err[LLM_ERR_MAX], url[64];
	struct llm *none;
	int rc;

	fake_llm_set_fault(fk, FAKE_LLM_FAULT_DROP, 1, 0);
	rc = ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err);
	ck_assert_int_eq(rc, -EIO);
	ck_assert_str_eq(llm_outcome_name(rc), "error");
	ck_assert(http_retryable(rc));
	fake_llm_push_raw(fk, 0, "");
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -EIO);
	ck_assert_int_eq(ask(lm, LLM_PURPOSE_INTENT, "x", &r, NULL, err), 0);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1", tu_free_port());
	none = open_llm("custom", url, KEY, MODEL, 2000);
	ck_assert_int_eq(
	    ask(none, LLM_PURPOSE_INTENT, "x", &r, NULL, err), -ECONNREFUSED);
	llm_close(none);
}
END_TEST

struct worker {
	int ok;
	char text[32];
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct llm_reading r;
	char err[LLM_ERR_MAX];

	for (int i = 0; i < 5; i++)
		if (llm_read(lm, LLM_PURPOSE_INTENT, w->text, TODAY, TZ, &r,
		        NULL, err, sizeof(err)) == 0 &&
		    strcmp(r.title, w->text) == 0)
			w->ok++;
	return NULL;
}

START_TEST(shared_between_threads)
{
	pthread_t t[4];
	struct worker w[4] = {{0}};

	for (int i = 0; i < 4; i++) {
		snprintf(w[i].text, sizeof(w[i].text), "task %d", i);
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].ok, 5);
	}
	ck_assert_uint_eq(fake_llm_count_ok(fk), 20);
}
END_TEST

/* ---- options ---- */

struct opts_case {
	struct llm_opts o;
	int rc;
	const char *says; /* in err */
};

START_TEST(options)
{
	static const struct opts_case c[] = {
	    {{NULL, NULL, NULL, NULL, 0}, -ENOENT, "no LLM"},
	    {{"", NULL, NULL, NULL, 0}, -ENOENT, "no LLM"},
	    {{"none", NULL, "sk-zz-9", NULL, 0}, -ENOENT, "no LLM"},
	    {{"claude", NULL, "sk-zz-9", NULL, 0}, -EINVAL,
	        "unknown LLM provider"},
	    {{"gemini", NULL, NULL, NULL, 0}, -EINVAL, "llm_key"},
	    {{"openai", NULL, "", NULL, 0}, -EINVAL, "llm_key"},
	    {{"gemini", NULL, "AIzaKEY", NULL, 0}, 0, ""},
	    {{"openai", NULL, "sk-1", "gpt-4o", 10000}, 0, ""},
	    {{"ollama", NULL, NULL, NULL, 0}, 0, ""},
	    {{"custom", NULL, NULL, "m", 0}, -EINVAL, "llm_url"},
	    {{"custom", "http://10.0.0.5:8000/v1", NULL, NULL, 0}, -EINVAL,
	        "llm_model"},
	    {{"custom", "http://10.0.0.5:8000/v1", NULL, "m", 0}, 0, ""},
	    {{"custom", "ftp://example.com/v1", NULL, "m", 0}, -EINVAL,
	        "llm_url"},
	    {{"custom", "example.com/v1", NULL, "m", 0}, -EINVAL, "llm_url"},
	    {{"custom", "https://u:pw@example.com/v1", NULL, "m", 0}, -EINVAL,
	        "llm_url"},
	    {{"custom", "https://exa mple.com/v1", NULL, "m", 0}, -EINVAL,
	        "llm_url"},
	    {{"custom", "http://10.0.0.5:8000/v1", "sk-1", "m", 0}, -EINVAL,
	        "plain http"},
	    {{"ollama", "http://gpu-box.lan:11434/v1", "sk-1", NULL, 0},
	        -EINVAL, "plain http"},
	    {{"ollama", "http://localhost:11434/v1", "sk-1", NULL, 0}, 0, ""},
	    {{"ollama", "http://[::1]:11434/v1", "sk-1", NULL, 0}, 0, ""},
	    {{"custom", "https://10.0.0.5/v1/", "sk-1", "m", 0}, 0, ""},
	    {{"custom", "https://x/v1", "sk-1", "a model", 0}, -EINVAL,
	        "llm_model"},
	    {{"openai", NULL, "sk-1\r\nX-Evil: 1", NULL, 0}, -EINVAL,
	        "llm_key"},
	    {{"openai", NULL, "sk-1", NULL, 10001}, -EINVAL, "llm_timeout"},
	    {{"openai", NULL, "sk-1", NULL, -1}, -EINVAL, "llm_timeout"},
	};
	char err[LLM_ERR_MAX];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct llm *l = NULL;
		int rc = llm_opts_check(&c[i].o, err, sizeof(err));

		ck_assert_msg(rc == c[i].rc, "case %zu: %d (%s)", i, rc, err);
		ck_assert_msg(
		    strstr(err, c[i].says) != NULL, "case %zu: \"%s\"", i, err);
		if (c[i].o.key != NULL && *c[i].o.key != '\0')
			ck_assert_ptr_null(strstr(err, c[i].o.key));
		rc = llm_open(&c[i].o, &l);
		ck_assert_msg(rc == c[i].rc, "open %zu: %d", i, rc);
		ck_assert(rc == 0 ? l != NULL : l == NULL);
		llm_close(l);
	}
	ck_assert_int_eq(llm_opts_check(NULL, err, sizeof(err)), -EINVAL);
	llm_close(NULL);
}
END_TEST

START_TEST(preset_models)
{
	static const struct {
		const char *provider, *key, *model;
	} p[] = {
	    {"gemini", "AIzaKEY", "gemini-2.5-flash"},
	    {"openai", "sk-1", "gpt-4o-mini"},
	    {"ollama", NULL, "llama3.2"},
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		struct llm_opts o = {p[i].provider, NULL, p[i].key, NULL, 0};
		struct llm *l = NULL;

		ck_assert_int_eq(llm_open(&o, &l), 0);
		ck_assert_str_eq(llm_model(l), p[i].model);
		llm_close(l);
	}
}
END_TEST

/* ---- the fake itself ---- */

static int
post(const char *path, const char *body, const char *bearer, char **reply)
{
	struct http_opts ho = {0};
	struct http_req rq = {0};
	struct http_resp rs;
	struct http *h;
	char url[128];
	int status;

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s",
	    (unsigned)fake_llm_port(fk), path);
	ck_assert_int_eq(http_open(&ho, &h), 0);
	rq.method = "POST";
	rq.url = url;
	rq.content_type = "application/json";
	rq.body = body;
	rq.body_len = strlen(body);
	rq.bearer = bearer;
	ck_assert_int_eq(http_do(h, &rq, &rs, NULL, 0), 0);
	status = rs.status;
	*reply = strdup(rs.body);
	http_resp_free(&rs);
	http_close(h);
	return status;
}

START_TEST(fake_checks_requests)
{
	char *reply;

	ck_assert_int_eq(
	    post("/v1/chat/completions",
	        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	        "\"content\":\"hi\"}]}",
	        KEY, &reply),
	    400);
	ck_assert_ptr_nonnull(strstr(reply, "\"param\":\"response_format\""));
	free(reply);
	ck_assert_int_eq(post("/v1/chat/completions",
	                     "{\"messages\":[{\"role\":\"user\",\"content\":"
	                     "\"hi\"}]}",
	                     KEY, &reply),
	    400);
	ck_assert_ptr_nonnull(strstr(reply, "'model'"));
	free(reply);
	ck_assert_int_eq(post("/v1/chat/completions", "{\"model\":\"m\"}",
	                     "nope-key-1234", &reply),
	    401);
	ck_assert_ptr_nonnull(strstr(reply, "invalid_api_key"));
	free(reply);
	ck_assert_int_eq(post("/v1/completions", "{}", KEY, &reply), 404);
	free(reply);
	ck_assert_uint_eq(fake_llm_count(fk), 4);
	ck_assert_uint_eq(fake_llm_count_ok(fk), 0);
	fake_llm_clear(fk);
	ck_assert_uint_eq(fake_llm_count(fk), 0);
	ck_assert_ptr_null(fake_llm_last_body(fk));
}
END_TEST

/* ---- cost ---- */

START_TEST(cost)
{
	struct llm_usage u;

	u = (struct llm_usage){1000000, 1000000};
	ck_assert_int_eq(llm_cost_micros(&u, 150000, 600000), 750000);
	u = (struct llm_usage){1234, 567};
	/* 0.1851 + 0.3402 = 525.3 micro-units, rounded up */
	ck_assert_int_eq(llm_cost_micros(&u, 150000, 600000), 526);
	u = (struct llm_usage){1, 0};
	ck_assert_int_eq(llm_cost_micros(&u, 1, 1), 1);
	u = (struct llm_usage){999999, 0};
	ck_assert_int_eq(llm_cost_micros(&u, 1, 0), 1);
	u = (struct llm_usage){2000000, 0};
	ck_assert_int_eq(llm_cost_micros(&u, 1, 0), 2);
	u = (struct llm_usage){500000, 500000};
	/* the halves add up before rounding: 0.5 + 0.5 = 1, not 2 */
	ck_assert_int_eq(llm_cost_micros(&u, 1, 1), 1);
	u = (struct llm_usage){0, 0};
	ck_assert_int_eq(llm_cost_micros(&u, 150000, 600000), 0);
	u = (struct llm_usage){-5, 100};
	ck_assert_int_eq(llm_cost_micros(&u, 1000000, -3), 0);
	ck_assert_int_eq(llm_cost_micros(NULL, 1, 1), 0);
	u = (struct llm_usage){INT64_MAX, INT64_MAX};
	ck_assert_int_eq(
	    llm_cost_micros(&u, 1000000000, 1000000000), INT64_MAX);
	u = (struct llm_usage){3000000, 0};
	ck_assert_int_eq(llm_cost_micros(&u, INT64_MAX / 2, 0), INT64_MAX);
	/* 1M tokens at the settings' highest price */
	u = (struct llm_usage){1000000, 0};
	ck_assert_int_eq(
	    llm_cost_micros(&u, 1000000000, 1000000000), 1000000000);
}
END_TEST

START_TEST(outcome_names)
{
	ck_assert_str_eq(llm_outcome_name(0), "ok");
	ck_assert_str_eq(llm_outcome_name(-ETIMEDOUT), "timeout");
	ck_assert_str_eq(llm_outcome_name(-EAGAIN), "rate_limited");
	ck_assert_str_eq(llm_outcome_name(-EREMOTEIO), "server_error");
	ck_assert_str_eq(llm_outcome_name(-EBADMSG), "invalid_json");
	ck_assert_str_eq(llm_outcome_name(-EACCES), "auth");
	ck_assert_str_eq(llm_outcome_name(-EINVAL), "error");
	ck_assert_str_eq(llm_outcome_name(-ECONNREFUSED), "error");
	ck_assert_str_eq(llm_kind_name(LLM_UNCLEAR), "unclear");
	ck_assert_str_eq(llm_kind_name((enum llm_kind)9), "?");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("llm");
	TCase *api = tcase_create("api");
	TCase *check = tcase_create("check");
	TCase *net = tcase_create("network");
	TCase *rules = tcase_create("rules");

	tcase_add_checked_fixture(api, setup, teardown);
	tcase_add_test(api, happy_path);
	tcase_add_test(api, echo_and_queue);
	tcase_add_test(api, unclear_needs_question);
	tcase_add_test(api, temperature_by_purpose);
	tcase_add_test(api, request_shape);
	tcase_add_test(api, no_zone);
	tcase_add_test(api, auth_header);
	tcase_add_test(api, wrong_key);
	tcase_add_test(api, preset_quirks);
	tcase_add_test(api, rate_limited);
	tcase_add_test(api, server_errors);
	tcase_add_test(api, client_errors);
	tcase_add_test(api, bad_replies);
	tcase_add_test(api, fenced_content);
	tcase_add_test(api, bad_arguments);
	tcase_add_test(api, fake_checks_requests);
	suite_add_tcase(s, api);

	tcase_add_checked_fixture(check, setup, teardown);
	tcase_add_test(check, schema_violations);
	tcase_add_test(check, lengths);
	tcase_add_test(check, parse_direct);
	suite_add_tcase(s, check);

	tcase_add_checked_fixture(net, setup, teardown);
	tcase_set_timeout(net, 60);
	tcase_add_test(net, timeout);
	tcase_add_test(net, dropped_and_refused);
	tcase_add_test(net, shared_between_threads);
	suite_add_tcase(s, net);

	tcase_add_test(rules, options);
	tcase_add_test(rules, preset_models);
	tcase_add_test(rules, cost);
	tcase_add_test(rules, outcome_names);
	suite_add_tcase(s, rules);

	return tu_run_suite(s);
}
