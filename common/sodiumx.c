/* sodiumx — libsodium resolved with dlopen()/dlsym(), once per process. */
#define SODIUMX_NO_REDIRECT
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "common/sodiumx.h"

#define SODIUM_SONAME "libsodium.so.23"

struct sodiumx_fns sodiumx;

#define SODIUMX_SYM(name) {#name, &sodiumx.name},
static const struct {
	const char *name;
	void *slot; /* the member of sodiumx that receives the address */
} syms[] = {SODIUMX_FUNCS(SODIUMX_SYM)};
#undef SODIUMX_SYM

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_result = -1;

static void
load(void)
{
	void *h = dlopen(SODIUM_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(h, syms[i].name);

		if (fn == NULL) {
			memset(&sodiumx, 0, sizeof(sodiumx));
			dlclose(h);
			return;
		}
		/* POSIX guarantees this representation (see net/curlx.c) */
		memcpy(syms[i].slot, &fn, sizeof(fn));
	}
	init_result = sodiumx.sodium_init();
}

int
sodiumx_init(void)
{
	pthread_once(&once, load);
	return init_result < 0 ? -1 : init_result;
}
