/*
 * tg — the Telegram Bot API client: one libcurl easy handle per client,
 * reused for every call so the TLS connection stays alive, a bounded reply
 * buffer, and a classification of every failure (see tg.h).
 *
 * The token lives in two places only: t->token and the URL prefix in t->url.
 * Both are wiped on tg_close().  Anything that may quote the URL (curl's
 * error buffer) or that comes from the server (description) passes through
 * redact() before it reaches err->description.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/tg.h"
#include "net/curlx.h"

#ifndef DRAFTBOT_VERSION
#define DRAFTBOT_VERSION "dev"
#endif

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_MAX_RESPONSE (4u << 20)
#define MAX_RESPONSE_LIMIT (256u << 20) /* json-c takes an int length */
#define API_BASE_MAX 512
#define METHOD_MAX 64
#define UPLOAD_MAX (1u << 20) /* a PEM certificate is a few KiB */
#define JSON_DEPTH 64
#define REDACTED "<token>"

struct tg {
	CURL *curl;
	pthread_mutex_t lock; /* one call at a time on the easy handle */
	char token[TG_TOKEN_MAX];
	size_t token_len;
	const char *secret; /* the part after ':' in token, or NULL */
	char *url;          /* "<api_base>/bot<token>/" then the method */
	size_t url_prefix;  /* length of the part before the method */
	size_t url_cap;
	long timeout_ms;
	long connect_timeout_ms;
	size_t max_response;
	struct curl_slist *json_headers;
	struct curl_slist *form_headers;
	char errbuf[CURL_ERROR_SIZE];
};

struct reply {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	bool overflow; /* the server sent more than max bytes */
};

const char *
tg_load_error(void)
{
	return curlx_load_error();
}

/* Copy src into dst (size len, always terminated), with every occurrence of
 * the token or of its secret part replaced, so no error text can leak it.
 * t may be NULL (nothing to replace). */
static void
redact(const struct tg *t, const char *src, char *dst, size_t len)
{
	size_t o = 0, tlen = t ? t->token_len : 0;
	size_t slen = t && t->secret ? strlen(t->secret) : 0;

	if (len == 0)
		return;
	while (*src != '\0' && o + 1 < len) {
		const char *hit = NULL;
		size_t skip = 0;

		if (tlen > 0 && strncmp(src, t->token, tlen) == 0) {
			hit = REDACTED;
			skip = tlen;
		} else if (slen > 0 && strncmp(src, t->secret, slen) == 0) {
			hit = REDACTED;
			skip = slen;
		}
		if (hit != NULL) {
			for (; *hit != '\0' && o + 1 < len; hit++)
				dst[o++] = *hit;
			src += skip;
		} else {
			dst[o++] = *src++;
		}
	}
	dst[o] = '\0';
}

static void describe(const struct tg *t, struct tg_error *err, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Format into err->description, redacted; err may be NULL. */
static void
describe(const struct tg *t, struct tg_error *err, const char *fmt, ...)
{
	char tmp[TG_DESCRIPTION_MAX + CURL_ERROR_SIZE];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	redact(t, tmp, err->description, sizeof(err->description));
}

static bool
valid_token(const char *s)
{
	size_t n = 0;

	/* The token goes into the URL path: URL-safe characters only. */
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == ':' || c == '_' ||
		        c == '-'))
			return false;
	}
	return n > 0 && n < TG_TOKEN_MAX;
}

static bool
valid_method(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n > 0 && n < METHOD_MAX;
}

/* Length of base without trailing slashes, or 0 when it is not an http(s)
 * URL we would put a token behind. */
static size_t
base_len(const char *base)
{
	size_t n, scheme;

	if (strncmp(base, "https://", 8) == 0)
		scheme = 8;
	else if (strncmp(base, "http://", 7) == 0)
		scheme = 7;
	else
		return 0;
	n = strlen(base);
	if (n >= API_BASE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)base[i];

		if (c <= ' ' || c >= 0x7f || c == '?' || c == '#')
			return 0;
	}
	while (n > 0 && base[n - 1] == '/')
		n--;
	return n > scheme ? n : 0;
}

/*
 * Make a client.  The token must be 1..TG_TOKEN_MAX-1 URL-safe characters
 * ([A-Za-z0-9:_-]) and api_base an http:// or https:// URL; negative
 * timeouts or a max_response over 256 MiB are -EINVAL.  -ENOMEM; -ENOSYS
 * when libcurl.so.4 cannot be loaded, -EIO when it cannot be initialised
 * (tg_load_error() says why).
 */
int
tg_open(const struct tg_opts *o, struct tg **ret)
{
	struct tg *t;
	size_t blen;
	const char *colon;
	int n, r;

	if (o == NULL || ret == NULL || o->token == NULL ||
	    o->api_base == NULL || !valid_token(o->token) ||
	    o->timeout_ms < 0 || o->connect_timeout_ms < 0 ||
	    o->max_response > MAX_RESPONSE_LIMIT)
		return -EINVAL;
	blen = base_len(o->api_base);
	if (blen == 0)
		return -EINVAL;
	r = curlx_load();
	if (r < 0)
		return r;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->token_len = strlen(o->token);
	memcpy(t->token, o->token, t->token_len + 1);
	colon = strchr(t->token, ':');
	/* Redact the secret half on its own as well, unless it is so short
	 * that replacing it would mangle ordinary text. */
	if (colon != NULL && strlen(colon + 1) >= 8)
		t->secret = colon + 1;
	t->timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	t->connect_timeout_ms = o->connect_timeout_ms
	    ? o->connect_timeout_ms
	    : DEFAULT_CONNECT_TIMEOUT_MS;
	t->max_response =
	    o->max_response ? o->max_response : DEFAULT_MAX_RESPONSE;
	t->url_cap = blen + strlen("/bot/") + t->token_len + METHOD_MAX + 1;
	t->url = malloc(t->url_cap);
	t->curl = cx.easy_init();
	t->json_headers =
	    cx.slist_append(NULL, "Content-Type: application/json");
	if (t->json_headers != NULL)
		t->json_headers = cx.slist_append(t->json_headers, "Expect:");
	/* curl sets the multipart Content-Type (with its boundary) itself. */
	t->form_headers = cx.slist_append(NULL, "Expect:");
	if (t->url == NULL || t->curl == NULL || t->json_headers == NULL ||
	    t->json_headers->next == NULL || t->form_headers == NULL ||
	    pthread_mutex_init(&t->lock, NULL) != 0) {
		cx.slist_free_all(t->json_headers);
		cx.slist_free_all(t->form_headers);
		cx.easy_cleanup(t->curl);
		free(t->url);
		explicit_bzero(t->token, sizeof(t->token));
		free(t);
		return -ENOMEM;
	}
	n = snprintf(t->url, t->url_cap, "%.*s/bot%s/", (int)blen, o->api_base,
	    t->token);
	t->url_prefix = (size_t)n;
	*ret = t;
	return 0;
}

void
tg_close(struct tg *t)
{
	if (t == NULL)
		return;
	cx.easy_cleanup(t->curl);
	cx.slist_free_all(t->json_headers);
	cx.slist_free_all(t->form_headers);
	explicit_bzero(t->url, t->url_cap);
	free(t->url);
	explicit_bzero(t->token, sizeof(t->token));
	explicit_bzero(t->errbuf, sizeof(t->errbuf));
	pthread_mutex_destroy(&t->lock);
	free(t);
}

bool
tg_retryable(int r)
{
	switch (r) {
	case -EAGAIN:
	case -EREMOTEIO:
	case -ETIMEDOUT:
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -EIO:
		return true;
	default:
		return false;
	}
}

/* curl write callback: append to the reply, aborting the transfer (by
 * returning less than given) once it would exceed the cap. */
static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct reply *b = arg;
	size_t n = size * nmemb;

	if (n > b->max - b->len) {
		b->overflow = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		p = realloc(b->data, cap);
		if (p == NULL)
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/*
 * Reset the handle to this call's options.  curl_easy_reset keeps live
 * connections, so keep-alive survives; every option is set again so that a
 * multipart call leaves nothing behind for the next JSON call.
 */
static void
prepare(struct tg *t, const char *method, int long_poll_s, struct reply *reply)
{
	CURL *c = t->curl;
	long timeout = t->timeout_ms;

	if (long_poll_s > 0) {
		if (long_poll_s > 3600)
			long_poll_s = 3600;
		timeout += (long)long_poll_s * 1000L;
	}
	snprintf(
	    t->url + t->url_prefix, t->url_cap - t->url_prefix, "%s", method);
	t->errbuf[0] = '\0';
	cx.easy_reset(c);
	cx.easy_setopt(c, CURLOPT_URL, t->url);
	cx.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cx.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cx.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cx.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	cx.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
	cx.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	cx.easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
	cx.easy_setopt(c, CURLOPT_USERAGENT, "draftbot/" DRAFTBOT_VERSION);
	/* Decoded bytes still go through on_data and its cap. */
	cx.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	cx.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	cx.easy_setopt(c, CURLOPT_WRITEDATA, reply);
	reply->max = t->max_response;
}

/* Map a failed transfer to the error codes of tg.h. */
static int
transfer_error(
    struct tg *t, CURLcode rc, const struct reply *reply, struct tg_error *err)
{
	const char *why = t->errbuf[0] ? t->errbuf : cx.easy_strerror(rc);
	long oserr = 0;
	int r;

	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (reply->overflow || rc == CURLE_FILESIZE_EXCEEDED) {
			describe(t, err, "reply larger than %zu bytes",
			    t->max_response);
			return -EMSGSIZE;
		}
		r = -ENOMEM;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		r = -ETIMEDOUT;
		break;
	case CURLE_COULDNT_CONNECT:
		cx.easy_getinfo(t->curl, CURLINFO_OS_ERRNO, &oserr);
		r = (oserr == EHOSTUNREACH || oserr == ENETUNREACH)
		    ? -EHOSTUNREACH
		    : -ECONNREFUSED;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		r = -EHOSTUNREACH;
		break;
	case CURLE_OUT_OF_MEMORY:
		r = -ENOMEM;
		break;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		r = -EINVAL;
		break;
	default:
		/* reset, empty reply, TLS failure, …: the network */
		r = -EIO;
		break;
	}
	describe(t, err, "network: %s", why);
	return r;
}

static int
classify(int code, const char *description)
{
	if (code == 429)
		return -EAGAIN;
	if (code >= 500 && code <= 599)
		return -EREMOTEIO;
	/* Telegram says 401 for a revoked token, 404 for a malformed one. */
	if (code == 401 || code == 404)
		return -ENOENT;
	if (code == 403)
		return -EPERM;
	if (code == 409)
		return -EEXIST;
	/* Editing a message to what it already shows is an error to
	 * Telegram but exactly the state the caller wanted. */
	if (code == 400 && strstr(description, "message is not modified"))
		return 0;
	if (code >= 400 && code <= 499)
		return -EINVAL;
	return -EBADMSG;
}

/* The whole of data as one JSON value, or NULL. */
static struct json_object *
parse_json(const char *data, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root;
	size_t end;

	if (data == NULL || len == 0 || len > INT_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (tok == NULL)
		return NULL;
	root = json_tokener_parse_ex(tok, data, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(root);
		json_tokener_free(tok);
		return NULL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	for (; end < len; end++) {
		if (data[end] == '\0' || strchr(" \t\r\n", data[end]) == NULL) {
			json_object_put(root);
			return NULL;
		}
	}
	return root;
}

/* retry_after from parameters, else from the text "retry after N". */
static int
retry_after_of(struct json_object *root, const char *description)
{
	struct json_object *params, *v;
	const char *p;

	if (json_object_object_get_ex(root, "parameters", &params) &&
	    json_object_object_get_ex(params, "retry_after", &v) &&
	    json_object_is_type(v, json_type_int)) {
		int64_t s = json_object_get_int64(v);

		return s < 0 ? 0 : s > INT_MAX ? INT_MAX : (int)s;
	}
	p = strstr(description, "retry after ");
	if (p != NULL) {
		long s = strtol(p + strlen("retry after "), NULL, 10);

		return s < 0 ? 0 : s > INT_MAX ? INT_MAX : (int)s;
	}
	return 0;
}

/* Turn an HTTP answer into the result of tg_call. */
static int
parse_reply(struct tg *t, long status, const struct reply *reply,
    struct json_object **ret_result, struct tg_error *err)
{
	struct json_object *root, *ok, *v;
	const char *description = "";
	int code = 0, r;

	root = parse_json(reply->data, reply->len);
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		/* A proxy in front of the Bot API answers 502/504 in HTML:
		 * that is still a server failure worth retrying. */
		if (status == 429)
			r = -EAGAIN;
		else if (status >= 500 && status <= 599)
			r = -EREMOTEIO;
		else
			r = -EBADMSG;
		describe(
		    t, err, "HTTP %ld: the reply is not Bot API JSON", status);
		goto out;
	}
	if (json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(root, "result", &v) &&
		    ret_result != NULL)
			*ret_result = json_object_get(v);
		r = 0;
		goto out;
	}
	if (json_object_object_get_ex(root, "error_code", &v) &&
	    json_object_is_type(v, json_type_int))
		code = json_object_get_int(v);
	if (code == 0)
		code = (int)status;
	if (json_object_object_get_ex(root, "description", &v) &&
	    json_object_is_type(v, json_type_string))
		description = json_object_get_string(v);
	if (err != NULL) {
		err->error_code = code;
		err->retry_after = retry_after_of(root, description);
	}
	if (*description != '\0')
		describe(t, err, "%s", description);
	else
		describe(t, err, "error %d without a description", code);
	r = classify(code, description);
out:
	json_object_put(root);
	return r;
}

/*
 * Run the prepared transfer and classify what came back.  When a reused
 * keep-alive connection turns out closed before a byte of the answer came
 * back, libcurl re-sends the request once on a new connection; a call can
 * thus reach Telegram twice, which at-least-once callers already allow for.
 */
static int
perform(struct tg *t, struct reply *reply, struct json_object **ret_result,
    struct tg_error *err)
{
	long status = 0;
	CURLcode rc;

	rc = cx.easy_perform(t->curl);
	if (rc != CURLE_OK) {
		cx.easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
		if (err != NULL)
			err->http_status = (int)status;
		return transfer_error(t, rc, reply, err);
	}
	cx.easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (err != NULL)
		err->http_status = (int)status;
	return parse_reply(t, status, reply, ret_result, err);
}

static void
start(struct tg_error *err, struct json_object **ret_result)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (ret_result != NULL)
		*ret_result = NULL;
}

int
tg_call(struct tg *t, const char *method, const char *params, int long_poll_s,
    struct json_object **ret_result, struct tg_error *err)
{
	struct reply reply = {0};
	int r;

	start(err, ret_result);
	if (t == NULL || !valid_method(method)) {
		describe(NULL, err, "invalid method name");
		return -EINVAL;
	}
	pthread_mutex_lock(&t->lock);
	prepare(t, method, long_poll_s, &reply);
	cx.easy_setopt(t->curl, CURLOPT_HTTPHEADER, t->json_headers);
	cx.easy_setopt(t->curl, CURLOPT_POSTFIELDS, params ? params : "");
	cx.easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)(params ? strlen(params) : 0));
	r = perform(t, &reply, ret_result, err);
	pthread_mutex_unlock(&t->lock);
	free(reply.data);
	return r;
}

/* Read the whole of a small file; -errno, -EFBIG over UPLOAD_MAX. */
static int
read_file(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if (st.st_size > (off_t)UPLOAD_MAX) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

/* One form field per member of params: strings as they are, anything
 * else (numbers, booleans, arrays, objects) as JSON text. */
static int
add_fields(curl_mime *mime, struct json_object *params)
{
	json_object_object_foreach(params, key, val)
	{
		curl_mimepart *part;
		const char *s;

		if (val == NULL)
			continue;
		s = json_object_is_type(val, json_type_string)
		    ? json_object_get_string(val)
		    : json_object_to_json_string_ext(
		          val, JSON_C_TO_STRING_PLAIN);
		part = cx.mime_addpart(mime);
		if (part == NULL || cx.mime_name(part, key) != CURLE_OK ||
		    cx.mime_data(part, s, CURL_ZERO_TERMINATED) != CURLE_OK)
			return -ENOMEM;
	}
	return 0;
}

/*
 * As tg_call, but the body is multipart/form-data.  Errors before anything
 * is sent have http_status 0: -EINVAL for bad arguments or params that are
 * not a JSON object, -errno (-ENOENT, -EACCES, …) or -EFBIG (over 1 MiB)
 * when the file cannot be read.
 */
int
tg_call_multipart(struct tg *t, const char *method, const char *params,
    const char *file_field, const char *file_path,
    struct json_object **ret_result, struct tg_error *err)
{
	struct reply reply = {0};
	struct json_object *fields = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	const char *name;
	char *file = NULL;
	size_t file_len = 0;
	int r;

	start(err, ret_result);
	if (t == NULL || !valid_method(method) || file_field == NULL ||
	    *file_field == '\0' || file_path == NULL) {
		describe(NULL, err, "invalid method, field or file");
		return -EINVAL;
	}
	if (params != NULL) {
		fields = parse_json(params, strlen(params));
		if (fields == NULL ||
		    !json_object_is_type(fields, json_type_object)) {
			describe(t, err, "params are not a JSON object");
			r = -EINVAL;
			goto out;
		}
	}
	r = read_file(file_path, &file, &file_len);
	if (r < 0) {
		describe(t, err, "cannot read %s: %s", file_path, strerror(-r));
		goto out;
	}
	name = strrchr(file_path, '/');
	name = name ? name + 1 : file_path;

	pthread_mutex_lock(&t->lock);
	prepare(t, method, 0, &reply);
	mime = cx.mime_init(t->curl);
	r = mime ? 0 : -ENOMEM;
	if (r == 0 && fields != NULL)
		r = add_fields(mime, fields);
	if (r == 0) {
		part = cx.mime_addpart(mime);
		if (part == NULL || cx.mime_name(part, file_field) ||
		    cx.mime_data(part, file, file_len) ||
		    cx.mime_filename(part, name) ||
		    cx.mime_type(part, "application/octet-stream"))
			r = -ENOMEM;
	}
	if (r == 0) {
		cx.easy_setopt(t->curl, CURLOPT_HTTPHEADER, t->form_headers);
		cx.easy_setopt(t->curl, CURLOPT_MIMEPOST, mime);
		r = perform(t, &reply, ret_result, err);
		cx.easy_setopt(t->curl, CURLOPT_MIMEPOST, NULL);
	} else {
		describe(t, err, "out of memory");
	}
	cx.mime_free(mime);
	pthread_mutex_unlock(&t->lock);
out:
	json_object_put(fields);
	free(file);
	free(reply.data);
	return r;
}
