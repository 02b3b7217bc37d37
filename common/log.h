/*
 * log — one line per event on stderr: "draftbot[pid]: level: message".
 * Library code does not log; the place that handles an error logs it once.
 */
#ifndef DRAFTBOT_LOG_H
#define DRAFTBOT_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the lowest level that is printed (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Parse "debug", "info", "warn" or "error". Returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *ret);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "draftbot: message" on stderr and exit(1). Start-up errors only. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
