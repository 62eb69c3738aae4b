package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/threaddigest/threaddigest/store"
	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// ModelLabels returns the thread's stored labels under keys.
func (s *Store) ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error) {
	if err := rules.CheckModelKeys(thread, keys...); err != nil {
		return nil, fmt.Errorf("postgres: model labels of thread %q: %w", thread, err)
	}
	out := make(map[string][]byte)
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT key, labels FROM model_labels WHERE thread = $1 AND key = ANY($2)`, thread, keys)
	if err == nil {
		for rows.Next() {
			var key string
			var labels []byte
			if err = rows.Scan(&key, &labels); err != nil {
				break
			}
			out[key] = nonNil(labels)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: model labels of thread %q: %w", thread, err)
	}
	return out, nil
}

// SaveModelLabels stores labels by key, in one statement.
func (s *Store) SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err := rules.CheckModelKeys(thread, keys...)
	if err == nil && len(keys) > 0 {
		values := make([][]byte, len(keys))
		for i, k := range keys {
			values[i] = nonNil(labels[k])
		}
		_, err = s.pool.Exec(ctx, `INSERT INTO model_labels (thread, key, labels, created_at)
			SELECT $1, k, v, $4 FROM unnest($2::text[], $3::bytea[]) AS u (k, v)
			ON CONFLICT (thread, key) DO UPDATE SET labels = excluded.labels, created_at = excluded.created_at`,
			thread, keys, values, ts(now))
		if isMissingThread(err) {
			err = fmt.Errorf("thread %q: %w", thread, store.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: save %d model labels of thread %q: %w", len(labels), thread, err)
	}
	return nil
}

// ArgumentSet returns the thread's argument set under scope.
func (s *Store) ArgumentSet(ctx context.Context, thread, scope string) ([]byte, bool, error) {
	if err := rules.CheckModelKeys(thread, scope); err != nil {
		return nil, false, fmt.Errorf("postgres: argument set of thread %q: %w", thread, err)
	}
	var set []byte
	err := s.pool.QueryRow(ctx, `SELECT arguments FROM argument_sets WHERE thread = $1 AND scope = $2`, thread, scope).Scan(&set)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: argument set of thread %q: %w", thread, err)
	}
	return nonNil(set), true, nil
}

// SaveArgumentSet stores or replaces the thread's argument set under scope.
func (s *Store) SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error {
	err := rules.CheckModelKeys(thread, scope)
	if err == nil {
		_, err = s.pool.Exec(ctx, `INSERT INTO argument_sets (thread, scope, arguments, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (thread, scope) DO UPDATE SET arguments = excluded.arguments, updated_at = excluded.updated_at`,
			thread, scope, nonNil(set), ts(now))
		if isMissingThread(err) {
			err = fmt.Errorf("thread %q: %w", thread, store.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: save argument set of thread %q: %w", thread, err)
	}
	return nil
}

// nonNil keeps an empty value from being stored as NULL in a NOT NULL bytea
// column, and reads one back as empty rather than nil.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
