// Package sqlstore implements store.Store over database/sql with one set of SQL statements that
// runs on SQLite (modernc) and PostgreSQL (pgx stdlib): `$n` placeholders, timestamps as BIGINT
// Unix microseconds, JSON and decimals as TEXT. The few differences live in a Dialect. It holds
// no business rules and imports no driver.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/store"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// SkipLocked is appended to the job-claim subquery ("FOR UPDATE SKIP LOCKED" on
	// PostgreSQL, empty on SQLite where a writer holds the whole database).
	SkipLocked string
	// ForUpdate locks the rows a subquery reads ("FOR UPDATE" on PostgreSQL, empty on SQLite).
	ForUpdate string
	// IsUnique reports whether err is a uniqueness violation.
	IsUnique func(error) bool
	// IsBusy reports whether err is a transient lock or serialization failure worth a retry.
	IsBusy func(error) bool
	// PrepareCache keeps statements prepared (for drivers that do not cache them).
	PrepareCache bool
	// GroupCommit commits concurrent transactions together (for single-writer databases).
	GroupCommit bool
}

// DB is a store over a writer pool and a reader pool (the same pool on PostgreSQL).
type DB struct {
	w, r    *sql.DB
	dialect Dialect
	closers []func() error
	// Prepared statements per pool: SQLite re-parses every statement otherwise, which was a
	// quarter of the CPU of a lifecycle. PostgreSQL's pgx caches statements itself.
	wc, rc *stmtCache
	gc     *committer
}

// New returns a store over the given pools; closers run on Close after the pools are closed.
func New(w, r *sql.DB, d Dialect, closers ...func() error) *DB {
	db := &DB{w: w, r: r, dialect: d, closers: closers}
	if d.PrepareCache {
		db.wc, db.rc = &stmtCache{db: w}, &stmtCache{db: r}
	}
	if d.GroupCommit {
		db.gc = newCommitter(db)
	}
	return db
}

// Writer returns the pool used for transactions (for migrations and tests).
func (db *DB) Writer() *sql.DB { return db.w }

// Dialect implements store.Store.
func (db *DB) Dialect() string { return db.dialect.Name }

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return err
	}
	return db.w.PingContext(ctx)
}

// Close implements store.Store.
func (db *DB) Close() error {
	var errs []error
	if db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.gc != nil {
		db.gc.close()
	}
	db.wc.close()
	db.rc.close()
	errs = append(errs, db.w.Close())
	for _, c := range db.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// Read implements store.Store.
func (db *DB) Read() store.Tx {
	return &queries{q: &cached{q: db.r, c: db.rc}, d: &db.dialect}
}

// InTx implements store.Store. Transient lock errors (SQLITE_BUSY, serialization failures) are
// retried a few times with a short back-off.
func (db *DB) InTx(ctx context.Context, fn func(store.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if db.gc != nil {
			err = db.gc.submit(ctx, fn)
		} else {
			err = db.inTx(ctx, fn)
		}
		if err == nil || db.dialect.IsBusy == nil || !db.dialect.IsBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) inTx(ctx context.Context, fn func(store.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&queries{q: &cached{q: tx, tx: tx, c: db.wc}, d: &db.dialect}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type queries struct {
	q querier
	d *Dialect
}

// wrap turns driver errors into store errors.
func (s *queries) wrap(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case s.d.IsUnique != nil && s.d.IsUnique(err):
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (s *queries) exec(ctx context.Context, what, q string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, s.wrap(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap(err, what)
	}
	return n, nil
}

// execOne runs a statement that must touch exactly one row, else ErrNotFound.
func (s *queries) execOne(ctx context.Context, what, q string, args ...any) error {
	n, err := s.exec(ctx, what, q, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// placeholders returns "$start, $start+1, ..." for n values.
func placeholders(start, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$")
		b.WriteString(strconv.Itoa(start + i))
	}
	return b.String()
}

func limitOr(n, def, max int) int {
	if n <= 0 {
		return def
	}
	if n > max {
		return max
	}
	return n
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// stmtCache holds prepared statements of one pool, by query text. It stops growing at
// maxCached statements; queries beyond that run unprepared.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

const maxCached = 512

// get returns the prepared statement for query, or nil. Inside a transaction (wait false) a
// miss is prepared in the background: on SQLite the writer pool has one connection, which the
// transaction holds, so preparing there would wait for itself.
func (c *stmtCache) get(ctx context.Context, query string, wait bool) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, pending := c.m[query], c.pending[query]
	c.mu.RUnlock()
	if st != nil || pending {
		return st
	}
	if !wait {
		c.mu.Lock()
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		if !c.pending[query] && len(c.m)+len(c.pending) < maxCached {
			c.pending[query] = true
			go c.prepare(context.WithoutCancel(ctx), query)
		}
		c.mu.Unlock()
		return nil
	}
	return c.prepare(ctx, query)
}

func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	full := len(c.m) >= maxCached
	c.mu.RUnlock()
	if full {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	if old := c.m[query]; old != nil {
		_ = st.Close()
		return old
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m = nil
}

// cached runs queries through prepared statements when it can.
type cached struct {
	q  querier
	tx *sql.Tx
	c  *stmtCache
}

func (c *cached) stmt(ctx context.Context, query string) *sql.Stmt {
	st := c.c.get(ctx, query, c.tx == nil)
	if st != nil && c.tx != nil {
		st = c.tx.StmtContext(ctx, st)
	}
	return st
}

func (c *cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, query, args...)
}

func (c *cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c *cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}
