package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestPingDoesNotWaitForTheReadPool holds every read connection, as heavy
// command traffic does, and pings: the health check has its own connection
// and answers at once.
func TestPingDoesNotWaitForTheReadPool(t *testing.T) {
	ctx := context.Background()
	s, h, err := open(ctx, filepath.Join(t.TempDir(), "td.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range readers {
		c, err := h.Read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		t.Errorf("Ping with the read pool busy: %v", err)
	}
}
