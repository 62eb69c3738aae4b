package postgres_test

import (
	"context"
	"testing"

	"github.com/threaddigest/threaddigest/store/postgres"
	"github.com/threaddigest/threaddigest/store/postgres/pgtest"
	"github.com/threaddigest/threaddigest/store/sqldb"
	"github.com/threaddigest/threaddigest/store/storetest"
)

func open(t *testing.T, url string) *sqldb.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{PoolSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		url, _ := pgtest.Schema(t)
		return open(t, url)
	}, storetest.Parallel)
}

// Two pools on one schema are two replicas.
func TestConformanceTwoReplicas(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.RunTwoStores(t, func(t *testing.T) (storetest.Store, storetest.Store) {
		url, _ := pgtest.Schema(t)
		return open(t, url), open(t, url)
	}, storetest.Parallel)
}

func openBench(b *testing.B) storetest.Store {
	url, _ := pgtest.Schema(b)
	s, err := postgres.Open(context.Background(), url, postgres.Options{PoolSize: 8})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkClaimRun(b *testing.B) { storetest.BenchmarkClaimRun(b, openBench) }

func BenchmarkUpsertComments(b *testing.B) { storetest.BenchmarkUpsertComments(b, openBench) }
