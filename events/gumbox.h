/*
 * gumbox — libgumbo, loaded at run time (like libcurl and libical), so
 * that processes that never read a page (the webhook receiver) do not map
 * it.  Include it instead of <gumbo.h>: the names below are redirected to
 * the loaded library, each loading it first (pthread_once: one atomic load
 * once it is loaded).  ev_extract_html() checks gumbox_load() before any
 * use and answers -ENOSYS when the library is missing; the other callers
 * are reached only through it (and tests).
 */
#ifndef DRAFTBOT_GUMBOX_H
#define DRAFTBOT_GUMBOX_H

#include <gumbo.h>

struct gumbox_fns {
	__typeof__(gumbo_parse_with_options) *parse_with_options;
	__typeof__(gumbo_destroy_output) *destroy_output;
	__typeof__(gumbo_get_attribute) *get_attribute;
	__typeof__(gumbo_tagn_enum) *tagn_enum;
	const GumboOptions *default_options;
};

extern struct gumbox_fns gumbox;

/* Load libgumbo.so.1 once (thread-safe): 0, or -ENOSYS. */
int gumbox_load(void);

#ifndef GUMBOX_NO_REDIRECT
#define gumbo_parse_with_options(...)                                      \
	(gumbox_load(), gumbox.parse_with_options(__VA_ARGS__))
#define gumbo_destroy_output(...)                                          \
	(gumbox_load(), gumbox.destroy_output(__VA_ARGS__))
#define gumbo_get_attribute(...)                                           \
	(gumbox_load(), gumbox.get_attribute(__VA_ARGS__))
#define gumbo_tagn_enum(...) (gumbox_load(), gumbox.tagn_enum(__VA_ARGS__))
#define kGumboDefaultOptions (*(gumbox_load(), gumbox.default_options))
#endif

#endif
