package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/threaddigest/threaddigest/store/internal/rules"
)

// The language-model engine's cache (digest/llm): what it learnt about a
// thread, so that a scheduled digest asks the model only about comments it
// has not read before, and labels them against the same arguments.
//
// Keys and scopes are opaque to the store (the engine makes them from a hash
// of everything an answer depends on); values are opaque bytes kept exactly.
// Both belong to a thread and go with it. Keys and scopes must be valid UTF-8
// without NUL, or the call fails.

// labelRows is how many labels one INSERT carries.
const labelRows = 100

var (
	modelLabels  = query(`SELECT key, labels FROM model_labels WHERE thread = ? AND key {list}`)
	saveLabels   = query(saveLabelsOf(labelRows))
	threadExists = query(`SELECT 1 FROM threads WHERE name = ?`)
	argumentSet  = query(`SELECT arguments FROM argument_sets WHERE thread = ? AND scope = ?`)
	saveArgSet   = query(`INSERT INTO argument_sets (thread, scope, arguments, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (thread, scope) DO UPDATE SET arguments = excluded.arguments, updated_at = excluded.updated_at`)
)

// saveLabelsOf is the upsert of rows labels.
func saveLabelsOf(rows int) string {
	return `INSERT INTO model_labels (thread, key, labels, created_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", rows), ", ") +
		` ON CONFLICT (thread, key) DO UPDATE SET labels = excluded.labels, created_at = excluded.created_at`
}

// ModelLabels returns the stored labels of the thread under the given
// keys; keys with none are absent from the map. store.ErrNotFound is never
// returned: an unknown thread has no labels.
func (s *Store) ModelLabels(ctx context.Context, thread string, keys []string) (map[string][]byte, error) {
	if err := rules.CheckModelKeys(thread, keys...); err != nil {
		return nil, s.errorf(err, "model labels of thread %q", thread)
	}
	out := make(map[string][]byte)
	err := s.list(s.reads(), keys, false, func(o on, list []any) error {
		rows, err := o.query(ctx, modelLabels, append([]any{thread}, list...)...)
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
	})
	if err != nil {
		return nil, s.errorf(err, "model labels of thread %q", thread)
	}
	return out, nil
}

// SaveModelLabels stores labels by key, replacing those already stored
// under the same keys. The thread must exist (else store.ErrNotFound).
func (s *Store) SaveModelLabels(ctx context.Context, thread string, labels map[string][]byte, now time.Time) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err := rules.CheckModelKeys(thread, keys...)
	if err == nil {
		err = s.writeTx(ctx, false, func(o on) error {
			var one int
			if err := o.queryRow(ctx, threadExists, thread).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return missingThread(thread)
			} else if err != nil {
				return err
			}
			at := s.timeArg(now)
			for len(keys) > 0 {
				n := min(len(keys), labelRows)
				args := make([]any, 0, 4*n)
				for _, k := range keys[:n] {
					args = append(args, thread, k, nonNil(labels[k]), at)
				}
				var err error
				if n == labelRows {
					_, err = o.exec(ctx, saveLabels, args...)
				} else {
					_, err = o.execText(ctx, saveLabelsOf(n), args...)
				}
				if err != nil {
					return s.threadMissing(err, thread)
				}
				keys = keys[n:]
			}
			return nil
		})
	}
	if err != nil {
		return s.errorf(err, "save %d model labels of thread %q", len(labels), thread)
	}
	return nil
}

// ArgumentSet returns the thread's argument set stored under scope, or
// ok=false when there is none.
func (s *Store) ArgumentSet(ctx context.Context, thread, scope string) ([]byte, bool, error) {
	if err := rules.CheckModelKeys(thread, scope); err != nil {
		return nil, false, s.errorf(err, "argument set of thread %q", thread)
	}
	var set []byte
	err := s.reads().queryRow(ctx, argumentSet, thread, scope).Scan(&set)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.errorf(err, "argument set of thread %q", thread)
	}
	return nonNil(set), true, nil
}

// SaveArgumentSet stores (or replaces) the thread's argument set under
// scope. The thread must exist (else store.ErrNotFound).
func (s *Store) SaveArgumentSet(ctx context.Context, thread, scope string, set []byte, now time.Time) error {
	err := rules.CheckModelKeys(thread, scope)
	if err == nil {
		err = s.write(ctx, func(o on) error {
			_, err := o.exec(ctx, saveArgSet, thread, scope, nonNil(set), s.timeArg(now))
			return s.threadMissing(err, thread)
		})
	}
	if err != nil {
		return s.errorf(err, "save argument set of thread %q", thread)
	}
	return nil
}
