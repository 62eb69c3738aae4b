package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// keysPerQuery bounds the keys one SELECT … IN (…) carries: SQLite allows
// 32,766 parameters, and shorter statements plan faster.
const keysPerQuery = 500

// ModelLabels returns the thread's stored labels under keys.
func (s *Store) ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error) {
	if err := rules.CheckModelKeys(thread, keys...); err != nil {
		return nil, fmt.Errorf("sqlite: model labels of thread %q: %w", thread, err)
	}
	out := make(map[string][]byte)
	for lo := 0; lo < len(keys); lo += keysPerQuery {
		chunk := keys[lo:min(lo+keysPerQuery, len(keys))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, thread)
		for _, k := range chunk {
			args = append(args, k)
		}
		q := `SELECT key, labels FROM model_labels WHERE thread = ? AND key IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := s.scanLabels(ctx, q, args, out); err != nil {
			return nil, fmt.Errorf("sqlite: model labels of thread %q: %w", thread, err)
		}
	}
	return out, nil
}

func (s *Store) scanLabels(ctx context.Context, q string, args []any, out map[string][]byte) error {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var labels []byte
		if err := rows.Scan(&key, &labels); err != nil {
			return err
		}
		out[key] = nonNil(labels)
	}
	return rows.Err()
}

// SaveModelLabels stores labels by key, in one transaction.
func (s *Store) SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err := rules.CheckModelKeys(thread, keys...)
	if err == nil {
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			if err := threadExists(ctx, tx, thread); err != nil {
				return err
			}
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO model_labels (thread, key, labels, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (thread, key) DO UPDATE SET labels = excluded.labels, created_at = excluded.created_at`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, k := range keys {
				if _, err := stmt.ExecContext(ctx, thread, k, nonNil(labels[k]), micros(now)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: save %d model labels of thread %q: %w", len(labels), thread, err)
	}
	return nil
}

// ArgumentSet returns the thread's argument set under scope.
func (s *Store) ArgumentSet(ctx context.Context, thread, scope string) ([]byte, bool, error) {
	if err := rules.CheckModelKeys(thread, scope); err != nil {
		return nil, false, fmt.Errorf("sqlite: argument set of thread %q: %w", thread, err)
	}
	var set []byte
	err := s.read.QueryRowContext(ctx, `SELECT arguments FROM argument_sets WHERE thread = ? AND scope = ?`, thread, scope).Scan(&set)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: argument set of thread %q: %w", thread, err)
	}
	return nonNil(set), true, nil
}

// SaveArgumentSet stores or replaces the thread's argument set under scope.
func (s *Store) SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error {
	err := rules.CheckModelKeys(thread, scope)
	if err == nil {
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			if err := threadExists(ctx, tx, thread); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO argument_sets (thread, scope, arguments, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (thread, scope) DO UPDATE SET arguments = excluded.arguments, updated_at = excluded.updated_at`,
				thread, scope, nonNil(set), micros(now))
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("sqlite: save argument set of thread %q: %w", thread, err)
	}
	return nil
}

// nonNil keeps an empty value from being stored as NULL in a NOT NULL BLOB.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
