#include "common/settings.h"

#define DAY_MS (24LL * 3600 * 1000)

const struct cfg_def settings_table[] = {
    {"db", CFG_PATH, "./draftbot.db", 0, 0, NULL, false,
        "SQLite database file (created if missing)"},
    {"log_level", CFG_ENUM, "info", 0, 0, "debug|info|warn|error", false,
        "lowest level logged to stderr"},
    {"busy_timeout", CFG_DURATION, "5s", 1, 600000, NULL, false,
        "how long a write waits for the database lock before failing"},
    {"lease", CFG_DURATION, "60s", 100, 24 * 3600 * 1000, NULL, false,
        "how long a worker holds a claimed command before others may "
        "rescue it"},
    {"max_attempts", CFG_INT, "5", 1, 100, NULL, false,
        "attempts before a command goes to dead"},
    {"completed_retention", CFG_DURATION, "30d", 0, 3650 * DAY_MS, NULL, false,
        "completed commands and sent messages are pruned after this (0 = "
        "keep)"},
    {"audit_retention", CFG_DURATION, "90d", 0, 3650 * DAY_MS, NULL, false,
        "audit rows are pruned after this (0 = keep)"},
    {NULL, 0, NULL, 0, 0, NULL, false, NULL},
};
