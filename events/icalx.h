/*
 * icalx — libical, loaded at run time.
 *
 * libical links ICU and the C++ runtime: mapping them costs every
 * draftbot process about 2.5 MB of resident memory (relocations), also the
 * webhook receiver that never reads a calendar.  So libical.so.3 is
 * dlopen()ed on the first icalx_load(), like libcurl (net/curlx.h).  The
 * names below are redirected to the loaded functions, so ics.c is written
 * against libical's own API; <libical/ical.h> still gives the types and,
 * through __typeof__, the exact prototypes.  The list is the functions
 * ics.c calls: a new one is added to ICALX_FUNCS and to the redirects.
 */
#ifndef DRAFTBOT_ICALX_H
#define DRAFTBOT_ICALX_H

#include <libical/ical.h>

#define ICALX_FUNCS(X) \
	X(icalcomponent_add_component) \
	X(icalcomponent_free) \
	X(icalcomponent_get_description) \
	X(icalcomponent_get_dtend) \
	X(icalcomponent_get_dtstart) \
	X(icalcomponent_get_first_component) \
	X(icalcomponent_get_first_property) \
	X(icalcomponent_get_location) \
	X(icalcomponent_get_next_component) \
	X(icalcomponent_get_next_property) \
	X(icalcomponent_get_status) \
	X(icalcomponent_get_summary) \
	X(icalcomponent_isa) \
	X(icalcomponent_new) \
	X(icalcomponent_new_clone) \
	X(icalerror_get_errors_are_fatal) \
	X(icalerror_set_errors_are_fatal) \
	X(icalmemory_free_buffer) \
	X(icalparameter_get_tzid) \
	X(icalparser_clean) \
	X(icalparser_free) \
	X(icalparser_get_line) \
	X(icalparser_new) \
	X(icalparser_parse) \
	X(icalparser_set_gen_data) \
	X(icalproperty_get_first_parameter) \
	X(icalproperty_get_rrule) \
	X(icalproperty_get_url) \
	X(icalproperty_get_value_as_string_r) \
	X(icalrecurrencetype_as_string_r) \
	X(icaltime_adjust) \
	X(icaltime_as_timet_with_zone) \
	X(icaltime_compare) \
	X(icaltime_compare_date_only) \
	X(icaltime_convert_to_zone) \
	X(icaltime_days_in_month) \
	X(icaltime_is_null_time) \
	X(icaltime_is_utc) \
	X(icaltimezone_get_builtin_timezone) \
	X(icaltimezone_get_component) \
	X(icaltimezone_get_location) \
	X(icaltimezone_get_utc_offset) \
	X(icaltimezone_get_utc_timezone)

#define ICALX_MEMBER(name) __typeof__(name) *name;
struct icalx_fns {
	ICALX_FUNCS(ICALX_MEMBER)
};
#undef ICALX_MEMBER

extern struct icalx_fns icalx;

/*
 * Load libical.so.3 and resolve every function, once per process
 * (thread-safe).  0, or -ENOSYS when it cannot be loaded (why in
 * icalx_load_error()).
 */
int icalx_load(void);
const char *icalx_load_error(void);

#ifndef ICALX_NO_REDIRECT
#define icalcomponent_add_component (icalx.icalcomponent_add_component)
#define icalcomponent_free (icalx.icalcomponent_free)
#define icalcomponent_get_description (icalx.icalcomponent_get_description)
#define icalcomponent_get_dtend (icalx.icalcomponent_get_dtend)
#define icalcomponent_get_dtstart (icalx.icalcomponent_get_dtstart)
#define icalcomponent_get_first_component (icalx.icalcomponent_get_first_component)
#define icalcomponent_get_first_property (icalx.icalcomponent_get_first_property)
#define icalcomponent_get_location (icalx.icalcomponent_get_location)
#define icalcomponent_get_next_component (icalx.icalcomponent_get_next_component)
#define icalcomponent_get_next_property (icalx.icalcomponent_get_next_property)
#define icalcomponent_get_status (icalx.icalcomponent_get_status)
#define icalcomponent_get_summary (icalx.icalcomponent_get_summary)
#define icalcomponent_isa (icalx.icalcomponent_isa)
#define icalcomponent_new (icalx.icalcomponent_new)
#define icalcomponent_new_clone (icalx.icalcomponent_new_clone)
#define icalerror_get_errors_are_fatal (icalx.icalerror_get_errors_are_fatal)
#define icalerror_set_errors_are_fatal (icalx.icalerror_set_errors_are_fatal)
#define icalmemory_free_buffer (icalx.icalmemory_free_buffer)
#define icalparameter_get_tzid (icalx.icalparameter_get_tzid)
#define icalparser_clean (icalx.icalparser_clean)
#define icalparser_free (icalx.icalparser_free)
#define icalparser_get_line (icalx.icalparser_get_line)
#define icalparser_new (icalx.icalparser_new)
#define icalparser_parse (icalx.icalparser_parse)
#define icalparser_set_gen_data (icalx.icalparser_set_gen_data)
#define icalproperty_get_first_parameter (icalx.icalproperty_get_first_parameter)
#define icalproperty_get_rrule (icalx.icalproperty_get_rrule)
#define icalproperty_get_url (icalx.icalproperty_get_url)
#define icalproperty_get_value_as_string_r (icalx.icalproperty_get_value_as_string_r)
#define icalrecurrencetype_as_string_r (icalx.icalrecurrencetype_as_string_r)
#define icaltime_adjust (icalx.icaltime_adjust)
#define icaltime_as_timet_with_zone (icalx.icaltime_as_timet_with_zone)
#define icaltime_compare (icalx.icaltime_compare)
#define icaltime_compare_date_only (icalx.icaltime_compare_date_only)
#define icaltime_convert_to_zone (icalx.icaltime_convert_to_zone)
#define icaltime_days_in_month (icalx.icaltime_days_in_month)
#define icaltime_is_null_time (icalx.icaltime_is_null_time)
#define icaltime_is_utc (icalx.icaltime_is_utc)
#define icaltimezone_get_builtin_timezone (icalx.icaltimezone_get_builtin_timezone)
#define icaltimezone_get_component (icalx.icaltimezone_get_component)
#define icaltimezone_get_location (icalx.icaltimezone_get_location)
#define icaltimezone_get_utc_offset (icalx.icaltimezone_get_utc_offset)
#define icaltimezone_get_utc_timezone (icalx.icaltimezone_get_utc_timezone)
#endif

#endif
