/*
 * curlx — libcurl, loaded at run time.
 *
 * libcurl is dlopen()ed on the first curlx_load(), not linked: a process
 * that never talks HTTP out (the webhook receiver, `draftbot chat`) then
 * never maps it, nor the TLS, Kerberos, LDAP, SSH and compression
 * libraries it pulls in — about 3 MB of the receiver's resident memory.
 * <curl/curl.h> still gives the types, the constants and, through
 * __typeof__, the exact prototype of every function in the table.
 *
 * Use: `if ((r = curlx_load()) < 0) return r;` then call cx.easy_init() …
 */
#ifndef DRAFTBOT_CURLX_H
#define DRAFTBOT_CURLX_H

#include <curl/curl.h>

struct curlx_fns {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_reset) *easy_reset;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_escape) *easy_escape;
	__typeof__(curl_free) *free;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_mime_init) *mime_init;
	__typeof__(curl_mime_free) *mime_free;
	__typeof__(curl_mime_addpart) *mime_addpart;
	__typeof__(curl_mime_name) *mime_name;
	__typeof__(curl_mime_data) *mime_data;
	__typeof__(curl_mime_filename) *mime_filename;
	__typeof__(curl_mime_type) *mime_type;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
};

/* The loaded functions; valid after curlx_load() returned 0. */
extern struct curlx_fns cx;

/*
 * Load libcurl.so.4, resolve every function and curl_global_init() it,
 * once per process (thread-safe).  0, or -ENOSYS (cannot be loaded, or
 * too old) / -EIO (initialisation failed) with the reason in
 * curlx_load_error().
 */
int curlx_load(void);

/* Why curlx_load() failed (static text), or NULL when it did not. */
const char *curlx_load_error(void);

#endif
