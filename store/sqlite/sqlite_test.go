package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/sqlite"
	"github.com/threaddigest/threaddigest/store/storetest"
)

func openFile(t *testing.T, path string) *sqldb.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openFile(t, filepath.Join(t.TempDir(), "threaddigest.db"))
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		return openFile(t, sqlite.Memory)
	})
}

// Two Store values on one file are what two processes started by mistake on
// one database look like to SQLite: separate connections, one file lock.
func TestConformanceTwoStoresOneFile(t *testing.T) {
	storetest.RunTwoStores(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		path := filepath.Join(t.TempDir(), "threaddigest.db")
		return openFile(t, path), openFile(t, path)
	})
}

func openBench(b *testing.B) storetest.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkClaimRun(b *testing.B) { storetest.BenchmarkClaimRun(b, openBench) }

func BenchmarkUpsertComments(b *testing.B) { storetest.BenchmarkUpsertComments(b, openBench) }
