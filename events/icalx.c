/* icalx — libical resolved with dlopen()/dlsym(), once per process. */
#define ICALX_NO_REDIRECT
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "events/icalx.h"

#define ICAL_SONAME "libical.so.3"

struct icalx_fns icalx;

#define ICALX_SYM(name) {#name, &icalx.name},
static const struct {
	const char *name;
	void *slot; /* the member of icalx that receives the address */
} syms[] = {ICALX_FUNCS(ICALX_SYM)};
#undef ICALX_SYM

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_result;
static char load_error[256];

static void
load(void)
{
	void *h = dlopen(ICAL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(load_error, sizeof(load_error),
		    ICAL_SONAME " could not be loaded: %s", dlerror());
		load_result = -ENOSYS;
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(h, syms[i].name);

		if (fn == NULL) {
			snprintf(load_error, sizeof(load_error),
			    ICAL_SONAME " has no %s", syms[i].name);
			load_result = -ENOSYS;
			memset(&icalx, 0, sizeof(icalx));
			dlclose(h);
			return;
		}
		/* POSIX guarantees this representation (see net/curlx.c) */
		memcpy(syms[i].slot, &fn, sizeof(fn));
	}
}

int
icalx_load(void)
{
	pthread_once(&once, load);
	return load_result;
}

const char *
icalx_load_error(void)
{
	return load_result < 0 ? load_error : NULL;
}
