// Package pgtest gives tests a PostgreSQL schema of their own: a fresh schema
// in the database named by THREADDIGEST_TEST_POSTGRES_URL, dropped when the
// test ends. Without the variable the tests skip and say so.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the database the PostgreSQL tests use, e.g.
// postgres://postgres@127.0.0.1:5432/test. CI (.ci/run) sets it.
const EnvVar = "THREADDIGEST_TEST_POSTGRES_URL"

// BaseURL returns the database URL from EnvVar, or skips the test.
func BaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvVar)
	if u == "" {
		tb.Skipf("skipping: PostgreSQL tests need %s (e.g. postgres://postgres@127.0.0.1:5432/test); .ci/run sets it", EnvVar)
	}
	return u
}

// Schema creates nothing yet: it names a fresh schema and returns the URL
// that selects it (search_path), for the store to create. The schema is
// dropped, with everything in it, when the test ends.
func Schema(tb testing.TB) (schemaURL, schema string) {
	tb.Helper()
	base := BaseURL(tb)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema = "td_test_" + hex.EncodeToString(b[:])
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	tb.Cleanup(func() { Drop(tb, base, schema) })
	return u.String(), schema
}

// Drop drops the schema and everything in it.
func Drop(tb testing.TB, baseURL, schema string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}
