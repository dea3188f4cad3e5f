"""SQLite only (sqlite-utils): connections and migrations, and the tables' own code: staff,
shelters, the audit log, the console's figures. Imports bot.core, never Flask or the scheduler."""
