/* gumbox — libgumbo resolved with dlopen()/dlsym(), once per process. */
#define GUMBOX_NO_REDIRECT
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "events/gumbox.h"

#define GUMBO_SONAME "libgumbo.so.1"

struct gumbox_fns gumbox;

static const struct {
	const char *name;
	void *slot; /* the member of gumbox that receives the address */
} syms[] = {
    {"gumbo_parse_with_options", &gumbox.parse_with_options},
    {"gumbo_destroy_output", &gumbox.destroy_output},
    {"gumbo_get_attribute", &gumbox.get_attribute},
    {"gumbo_tagn_enum", &gumbox.tagn_enum},
    {"kGumboDefaultOptions", &gumbox.default_options},
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_result = -ENOSYS;

static void
load(void)
{
	void *h = dlopen(GUMBO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (p == NULL) {
			memset(&gumbox, 0, sizeof(gumbox));
			dlclose(h);
			return;
		}
		/* POSIX guarantees this representation (see net/curlx.c) */
		memcpy(syms[i].slot, &p, sizeof(p));
	}
	load_result = 0;
}

int
gumbox_load(void)
{
	pthread_once(&once, load);
	return load_result;
}
