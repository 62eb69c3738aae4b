package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/threaddigest/threaddigest/store/postgres/pgtest"
)

// TestPingDoesNotWaitForThePool holds every connection of the pool, as heavy
// command traffic does, and pings: the health check has its own connection
// and answers at once; after the server drops it, the next ping reconnects.
func TestPingDoesNotWaitForThePool(t *testing.T) {
	pgtest.BaseURL(t)
	url, _ := pgtest.Schema(t)
	ctx := context.Background()
	s, h, err := open(ctx, url, Options{PoolSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		c, err := h.Write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	for i := range 2 {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := s.Ping(pctx); err != nil {
			t.Errorf("Ping %d with the pool busy: %v", i+1, err)
		}
		cancel()
		if i == 0 {
			// The health connection is lost: the next ping opens a new
			// one.
			c, err := h.Health.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Raw(func(dc any) error { return dc.(*stdlib.Conn).Conn().Close(ctx) }); err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
	}
}
