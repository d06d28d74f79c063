// Package sqlite opens a waybill store on an embedded SQLite file through modernc.org/sqlite
// (pure Go): WAL journal, busy timeout, foreign keys, one writer connection and a pool of
// readers. It holds the SQLite migrations; queries live in sqlstore.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/waybill/waybill/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the SQLite connection.
type Options struct {
	// Synchronous is the PRAGMA synchronous level: "full" (every commit is fsynced; survives
	// power loss) or "normal" (survives a process crash; the last commits may be lost on power
	// loss). Empty means full.
	Synchronous string
	// Readers is the size of the read pool; zero means 4.
	Readers int
}

// Open opens (creating if needed) the database file at path and migrates it.
func Open(ctx context.Context, path string, opt Options) (*sqlstore.DB, error) {
	sync := strings.ToUpper(opt.Synchronous)
	if sync == "" {
		sync = "FULL"
	}
	if sync != "FULL" && sync != "NORMAL" {
		return nil, fmt.Errorf("sqlite synchronous must be full or normal")
	}
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	wdsn := "file:" + escapePath(path) + "?" + common + "&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")&_txlock=immediate"
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := Migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro&"+common)
	if err != nil {
		w.Close()
		return nil, err
	}
	n := opt.Readers
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return sqlstore.New(w, r, Dialect()), nil
}

func escapePath(p string) string {
	return strings.NewReplacer("?", "%3F", "#", "%23").Replace(p)
}

// Dialect returns the SQLite dialect.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{Name: "sqlite", IsUnique: isUnique, IsBusy: isBusy, PrepareCache: true, GroupCommit: true}
}

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isBusy(err error) bool {
	c := code(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	return nil
}

// PathFromURL turns "sqlite:path", "sqlite://path" or "file:path" into a file path.
func PathFromURL(raw string) (string, error) {
	for _, p := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if strings.HasPrefix(raw, p) {
			rest := strings.TrimPrefix(raw, p)
			if i := strings.IndexByte(rest, '?'); i >= 0 {
				rest = rest[:i]
			}
			if u, err := url.PathUnescape(rest); err == nil {
				rest = u
			}
			if rest == "" {
				return "", errors.New("sqlite url names no file")
			}
			return rest, nil
		}
	}
	return "", fmt.Errorf("not a sqlite url")
}
