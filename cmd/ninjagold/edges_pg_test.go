package main

import (
	"context"
	"hash/fnv"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ninjagold/ninjagold-api/store/postgres/pgtest"
)

// A start that waits for another process's migrations says so in its log,
// and again once they are done.
func TestMigrateLogsItsWaitForTheLock(t *testing.T) {
	dbURL := pgtest.TestURL(t)
	_, schema, _ := strings.Cut(dbURL, "search_path=") // pgtest's schema
	schema, _, _ = strings.Cut(schema, "&")
	h := fnv.New64a()
	h.Write([]byte("github.com/ninjagold/ninjagold-api/store/postgres migrate " + schema)) // store/postgres's migrationLockKey
	key := int64(h.Sum64())
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd := exec.CommandContext(ctx, binary, "migrate", "--db", dbURL)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const waiting = `"msg":"waiting for another process's migrations of the schema"`
	for !strings.Contains(stderr.String(), waiting) {
		if ctx.Err() != nil {
			t.Fatalf("no %s line while the lock is held:\n%s", waiting, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), `"msg":"the other process's migrations are done"`) {
		t.Errorf("no line for the end of the wait:\n%s", stderr)
	}
}
