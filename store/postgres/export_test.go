package postgres

// MigrationLockKey lets the external tests hold a schema's migration lock.
var MigrationLockKey = migrationLockKey
