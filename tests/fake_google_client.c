/*
 * fake_google_client — libcurl helpers for tests that talk to the fake
 * Google server directly (see fake_google_client.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fake_google_client.h"

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fgc_resp *r = arg;
	size_t have = strlen(r->body), add = size * n;

	if (have + add >= sizeof(r->body))
		return 0;
	memcpy(r->body + have, p, add);
	r->body[have + add] = '\0';
	return add;
}

/* Copy header line h's value into dst when it is called name. */
static void
grab(const char *h, size_t n, const char *name, char *dst, size_t len)
{
	size_t k = strlen(name);
	const char *v;

	if (n <= k + 1 || strncasecmp(h, name, k) != 0 || h[k] != ':')
		return;
	v = h + k + 1;
	n -= k + 1;
	while (n > 0 && *v == ' ')
		v++, n--;
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	snprintf(dst, len, "%.*s", (int)n, v);
}

static size_t
on_header(char *h, size_t size, size_t n, void *arg)
{
	struct fgc_resp *r = arg;

	grab(h, size * n, "Location", r->location, sizeof(r->location));
	grab(
	    h, size * n, "Retry-After", r->retry_after, sizeof(r->retry_after));
	grab(h, size * n, "WWW-Authenticate", r->www_auth, sizeof(r->www_auth));
	return size * n;
}

void
fgc_resp_clear(struct fgc_resp *r)
{
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

long
fgc_http(const char *verb, const char *url, const char *bearer,
    const char *ctype, const char *body, struct fgc_resp *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char line[512];

	fgc_resp_clear(r);
	if (c == NULL) {
		r->cc = CURLE_FAILED_INIT;
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, verb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)FGC_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	if (bearer != NULL) {
		snprintf(
		    line, sizeof(line), "Authorization: Bearer %s", bearer);
		h = curl_slist_append(h, line);
	}
	if (body != NULL) {
		snprintf(line, sizeof(line), "Content-Type: %s",
		    ctype ? ctype : "application/json");
		h = curl_slist_append(h, line);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	r->cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = json_tokener_parse(r->body);
	return r->status;
}

struct json_object *
fgc_get(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); o != NULL && part != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(part));
		else if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, part, &o))
			o = NULL;
	}
	return o;
}

const char *
fgc_str(struct json_object *o, const char *path)
{
	struct json_object *v = fgc_get(o, path);

	return v && json_object_is_type(v, json_type_string)
	    ? json_object_get_string(v)
	    : NULL;
}

size_t
fgc_len(struct json_object *o, const char *path)
{
	struct json_object *v = fgc_get(o, path);

	return v && json_object_is_type(v, json_type_array)
	    ? json_object_array_length(v)
	    : 0;
}

int
fgc_consent(struct fake_google *f, const char *redirect_uri, const char *scope,
    const char *challenge, const char *state, char *code_out,
    struct fgc_resp *r)
{
	struct fgc_resp own = {0}, *rr = r ? r : &own;
	char *e_red = curl_easy_escape(NULL, redirect_uri, 0);
	char *e_scope = curl_easy_escape(NULL, scope, 0);
	char *e_state = state ? curl_easy_escape(NULL, state, 0) : NULL;
	char *url = NULL, *dec;
	const char *p;
	int n, ret = -EIO;

	if (e_red == NULL || e_scope == NULL || (state && e_state == NULL))
		goto out;
	if (asprintf(&url,
	        "%s?client_id=" FAKE_GOOGLE_CLIENT_ID "&redirect_uri=%s"
	        "&response_type=code&scope=%s&code_challenge=%s"
	        "&code_challenge_method=S256&access_type=offline%s%s",
	        fake_google_auth_url(f), e_red, e_scope, challenge,
	        e_state ? "&state=" : "", e_state ? e_state : "") < 0) {
		url = NULL;
		goto out;
	}
	fgc_http("GET", url, NULL, NULL, NULL, rr);
	if (rr->cc != CURLE_OK)
		goto out;
	ret = -EPROTO;
	p = strstr(rr->location, "code=");
	if (rr->status != 302 || p == NULL)
		goto out;
	p += 5;
	dec = curl_easy_unescape(NULL, p, (int)strcspn(p, "&"), &n);
	if (dec == NULL)
		goto out;
	snprintf(code_out, FAKE_GOOGLE_TOKEN_MAX, "%s", dec);
	curl_free(dec);
	ret = 0;
out:
	free(url);
	curl_free(e_red);
	curl_free(e_scope);
	curl_free(e_state);
	json_object_put(own.json);
	return ret;
}
