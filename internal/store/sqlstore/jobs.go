package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/waybill/waybill/internal/store"
)

func (s *queries) Enqueue(ctx context.Context, jobs ...*store.Job) error {
	for _, j := range jobs {
		if j.CreatedAt.IsZero() {
			j.CreatedAt = j.RunAt
		}
		if j.MaxAttempts == 0 {
			j.MaxAttempts = 25
		}
		// A job with a key waits behind any job of the same key already queued. On PostgreSQL
		// the earlier jobs are locked until this transaction ends, so a worker finishing one of
		// them meanwhile waits, and then sees this job when it releases the next: no job is
		// left blocked behind a job that is gone.
		err := s.q.QueryRowContext(ctx, `INSERT INTO jobs (kind, key, payload, max_attempts, run_at, created_at, blocked)
			SELECT $1, $2, $3, $4, $5, $6, EXISTS (SELECT 1 FROM jobs WHERE key = $2 AND $2 <> '' `+s.d.ForUpdate+`)
			RETURNING id`,
			j.Kind, j.Key, string(j.Payload), j.MaxAttempts, micros(j.RunAt), micros(j.CreatedAt)).Scan(&j.ID)
		if err != nil {
			return s.wrap(err, "enqueue "+j.Kind)
		}
	}
	return nil
}

func kindFilter(kinds []string, start int) (string, []any) {
	if len(kinds) == 0 {
		return "", nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = k
	}
	return " AND j.kind IN (" + placeholders(start, len(kinds)) + ")", args
}

// ClaimJobs leases due jobs by moving their run_at to the end of the lease: the claim reads only
// the front of the due index, whatever the queue's length.
func (s *queries) ClaimJobs(ctx context.Context, kinds []string, now, leaseUntil time.Time, limit int) ([]store.Job, error) {
	kf, kargs := kindFilter(kinds, 4)
	q := `UPDATE jobs SET run_at = $1, attempts = attempts + 1 WHERE id IN (
		SELECT j.id FROM jobs j WHERE NOT j.blocked AND j.run_at <= $2` + kf + `
		ORDER BY j.run_at, j.id LIMIT $3 ` + s.d.SkipLocked + `)
		RETURNING id, kind, key, payload, attempts, max_attempts, run_at, created_at, last_error`
	args := append([]any{micros(leaseUntil), micros(now), limit}, kargs...)
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err, "claim jobs")
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		var j store.Job
		var payload string
		var runAt, created int64
		if err := rows.Scan(&j.ID, &j.Kind, &j.Key, &payload, &j.Attempts, &j.MaxAttempts, &runAt, &created, &j.LastError); err != nil {
			return nil, s.wrap(err, "claim jobs")
		}
		j.Payload = []byte(payload)
		j.RunAt, j.CreatedAt = fromMicros(runAt), fromMicros(created)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "claim jobs")
	}
	// RETURNING gives no order guarantee.
	slices.SortFunc(out, func(a, b store.Job) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CompleteJobs deletes finished jobs and lets the next job of each of their keys run.
func (s *queries) CompleteJobs(ctx context.Context, ids ...int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i := range n {
			args[i] = ids[i]
		}
		rows, err := s.q.QueryContext(ctx, `DELETE FROM jobs WHERE id IN (`+placeholders(1, n)+`) RETURNING key`, args...)
		if err != nil {
			return s.wrap(err, "complete jobs")
		}
		var keys []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return s.wrap(err, "complete jobs")
			}
			if k != "" {
				keys = append(keys, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.wrap(err, "complete jobs")
		}
		for _, k := range keys {
			if _, err := s.exec(ctx, "release next job", `UPDATE jobs SET blocked = FALSE WHERE id = (
				SELECT MIN(id) FROM jobs WHERE key = $1) AND blocked`, k); err != nil {
				return err
			}
		}
		ids = ids[n:]
	}
	return nil
}

func (s *queries) RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string) error {
	if len(lastError) > 1000 {
		lastError = lastError[:1000]
	}
	return s.execOne(ctx, "retry job", `UPDATE jobs SET run_at = $2, last_error = $3 WHERE id = $1`,
		id, micros(runAt), lastError)
}

func (s *queries) NextJobAt(ctx context.Context, kinds []string) (time.Time, error) {
	kf, kargs := kindFilter(kinds, 1)
	var v sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT MIN(j.run_at) FROM jobs j WHERE NOT j.blocked`+kf, kargs...).Scan(&v)
	if err != nil {
		return time.Time{}, s.wrap(err, "next job")
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return fromMicros(v.Int64), nil
}

func (s *queries) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT kind, COUNT(*) FROM jobs GROUP BY kind`)
	if err != nil {
		return nil, s.wrap(err, "count jobs")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, s.wrap(err, "count jobs")
		}
		out[k] = n
	}
	return out, s.wrap(rows.Err(), "count jobs")
}

func (s *queries) RecordInbound(ctx context.Context, vaspID, route, messageID, kind string, at time.Time) error {
	_, err := s.exec(ctx, "record inbound message", `INSERT INTO inbound (vasp_id, route, message_id, kind, received_at)
		VALUES ($1, $2, $3, $4, $5)`, vaspID, route, messageID, kind, micros(at))
	return err
}

func (s *queries) CreateMessage(ctx context.Context, m *store.Message) error {
	_, err := s.exec(ctx, "create message", `INSERT INTO messages (id, vasp_id, transfer_id, direction, route, kind,
		state, detail, sealed, created_at, updated_at) VALUES (`+placeholders(1, 11)+`)`,
		m.ID, m.VASPID, m.TransferID, m.Direction, m.Route, m.Kind, m.State, m.Detail, m.Sealed,
		micros(m.CreatedAt), micros(m.UpdatedAt))
	return err
}

func (s *queries) UpdateMessage(ctx context.Context, m *store.Message) error {
	return s.execOne(ctx, "update message", `UPDATE messages SET state = $3, detail = $4, sealed = $5, updated_at = $6
		WHERE vasp_id = $1 AND id = $2`, m.VASPID, m.ID, m.State, m.Detail, m.Sealed, micros(m.UpdatedAt))
}

func (s *queries) ListMessages(ctx context.Context, vaspID, transferID string) ([]store.Message, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, vasp_id, transfer_id, direction, route, kind, state, detail,
		sealed, created_at, updated_at FROM messages WHERE vasp_id = $1 AND transfer_id = $2
		ORDER BY created_at, id LIMIT 500`, vaspID, transferID)
	if err != nil {
		return nil, s.wrap(err, "list messages")
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		var m store.Message
		var c, u int64
		if err := rows.Scan(&m.ID, &m.VASPID, &m.TransferID, &m.Direction, &m.Route, &m.Kind, &m.State,
			&m.Detail, &m.Sealed, &c, &u); err != nil {
			return nil, s.wrap(err, "list messages")
		}
		m.CreatedAt, m.UpdatedAt = fromMicros(c), fromMicros(u)
		out = append(out, m)
	}
	return out, s.wrap(rows.Err(), "list messages")
}
