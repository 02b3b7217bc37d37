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
	{ "telegram_api", CFG_URL, "https://api.telegram.org", 0, 0, NULL,
	    false, "base URL of the Telegram Bot API" },
	{ "telegram_token", CFG_STRING, NULL, 0, 0, NULL, true,
	    "bot token from @BotFather" },
	{ "telegram_token_file", CFG_PATH, NULL, 0, 0, NULL, false,
	    "file holding the bot token (instead of telegram_token)" },
	{ "telegram_timeout", CFG_DURATION, "10s", 100, 120000, NULL, false,
	    "time-out of one Bot API call" },
	{ "webhook_secret", CFG_STRING, NULL, 0, 0, NULL, true,
	    "X-Telegram-Bot-Api-Secret-Token expected on webhook requests" },
	{ "webhook_path", CFG_STRING, "/telegram", 0, 0, NULL, false,
	    "URL path the webhook receiver answers on" },
	{ "listen", CFG_STRING, "127.0.0.1:8080", 0, 0, NULL, false,
	    "ADDR:PORT the webhook receiver listens on" },
	{ "workers", CFG_INT, "2", 1, 64, NULL, false,
	    "executor worker processes" },
	{ "tz", CFG_STRING, "UTC", 0, 0, NULL, false,
	    "time zone of users who have not set one (IANA name)" },
	{ "allowed_users", CFG_STRING, NULL, 0, 0, NULL, false,
	    "comma-separated Telegram user ids allowed to use the bot; unset: "
	    "anyone" },
	{ "draft_ttl", CFG_DURATION, "24h", 60000, 30 * DAY_MS, NULL, false,
	    "unconfirmed drafts expire after this" },
	{ NULL, 0, NULL, 0, 0, NULL, false, NULL },
};
