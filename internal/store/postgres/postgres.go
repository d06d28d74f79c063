// Package postgres opens a waybill store on PostgreSQL through pgx (pgxpool wrapped as
// database/sql), and holds the PostgreSQL migrations; queries live in sqlstore.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/waybill/waybill/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the pool.
type Options struct {
	// MaxConns bounds the pool; zero keeps pgxpool's default.
	MaxConns int32
}

// Open connects to the database at url (postgres://...) and migrates it.
func Open(ctx context.Context, url string, opt Options) (*sqlstore.DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	return sqlstore.New(db, db, Dialect(), func() error { pool.Close(); return nil }), nil
}

// Dialect returns the PostgreSQL dialect.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{Name: "postgres", SkipLocked: "FOR UPDATE SKIP LOCKED", ForUpdate: "FOR UPDATE", IsUnique: isUnique, IsBusy: isBusy}
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func isUnique(err error) bool { return pgCode(err) == "23505" }

func isBusy(err error) bool {
	c := pgCode(err)
	return c == "40001" || c == "40P01"
}

// Migrate applies the embedded migrations.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}
