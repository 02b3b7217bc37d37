/* curlx — libcurl resolved with dlopen()/dlsym(), once per process. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "net/curlx.h"

#define CURL_SONAME "libcurl.so.4"

struct curlx_fns cx;

static const struct {
	const char *name;
	void *slot; /* the member of cx that receives the address */
} syms[] = {
    {"curl_global_init", &cx.global_init},
    {"curl_easy_init", &cx.easy_init},
    {"curl_easy_setopt", &cx.easy_setopt},
    {"curl_easy_perform", &cx.easy_perform},
    {"curl_easy_getinfo", &cx.easy_getinfo},
    {"curl_easy_cleanup", &cx.easy_cleanup},
    {"curl_easy_reset", &cx.easy_reset},
    {"curl_easy_strerror", &cx.easy_strerror},
    {"curl_easy_escape", &cx.easy_escape},
    {"curl_free", &cx.free},
    {"curl_slist_append", &cx.slist_append},
    {"curl_slist_free_all", &cx.slist_free_all},
    {"curl_mime_init", &cx.mime_init},
    {"curl_mime_free", &cx.mime_free},
    {"curl_mime_addpart", &cx.mime_addpart},
    {"curl_mime_name", &cx.mime_name},
    {"curl_mime_data", &cx.mime_data},
    {"curl_mime_filename", &cx.mime_filename},
    {"curl_mime_type", &cx.mime_type},
    {"curl_url", &cx.url},
    {"curl_url_cleanup", &cx.url_cleanup},
    {"curl_url_set", &cx.url_set},
    {"curl_url_get", &cx.url_get},
};

_Static_assert(sizeof(void *) == sizeof(cx.easy_init),
    "dlsym() results must fit a function pointer");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_result;      /* 0, -ENOSYS or -EIO */
static char load_error[256]; /* why, when load_result < 0 */

/*
 * The library is never dlclose()d: like a linked one it stays for the
 * life of the process, and curl_global_init() state with it.
 */
static void
load(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(load_error, sizeof(load_error),
		    CURL_SONAME " could not be loaded: %s", dlerror());
		load_result = -ENOSYS;
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(h, syms[i].name);

		if (fn == NULL) {
			/* e.g. a libcurl older than 7.62 (no curl_url) */
			snprintf(load_error, sizeof(load_error),
			    CURL_SONAME " could not be loaded: it has no %s",
			    syms[i].name);
			load_result = -ENOSYS;
			memset(&cx, 0, sizeof(cx));
			dlclose(h);
			return;
		}
		/* POSIX guarantees this representation; a cast would be
		 * an object-to-function pointer conversion ISO C lacks. */
		memcpy(syms[i].slot, &fn, sizeof(fn));
	}
	if (cx.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error),
		    "curl_global_init() failed");
		load_result = -EIO;
	}
}

int
curlx_load(void)
{
	pthread_once(&once, load);
	return load_result;
}

const char *
curlx_load_error(void)
{
	return load_result < 0 ? load_error : NULL;
}
