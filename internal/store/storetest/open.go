// Package storetest is the storage conformance suite: one set of tests every store driver must
// pass, and helpers that open throw-away stores of each kind for other packages' tests. It is
// imported only by tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/postgres"
	"github.com/waybill/waybill/internal/store/sqlite"
	"github.com/waybill/waybill/internal/store/sqlstore"
)

// PostgresEnv names the variable that points tests at a PostgreSQL server.
const PostgresEnv = "WAYBILL_TEST_POSTGRES_URL"

// Opener opens a fresh, empty, migrated store for one test.
type Opener func(t testing.TB) store.Store

// Drivers returns an opener per available driver: sqlite always, postgres when
// WAYBILL_TEST_POSTGRES_URL is set.
func Drivers() map[string]Opener {
	out := map[string]Opener{"sqlite": OpenSQLite}
	if os.Getenv(PostgresEnv) != "" {
		out["postgres"] = OpenPostgres
	}
	return out
}

// OpenSQLite opens a store on a new SQLite file in a temporary directory.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "waybill.db"), sqlite.Options{Synchronous: "normal"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL creates a fresh schema on the test server and returns a URL whose search_path
// selects it; the schema is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "wbtest_" + hex.EncodeToString(b)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres opens a store on a fresh schema of the test server.
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	db, err := postgres.Open(context.Background(), PostgresURL(t), postgres.Options{MaxConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Exec runs a statement directly on the writer pool of a store opened by this package, for
// tests that must reach around the store (tampering with the audit trail, say).
func Exec(t testing.TB, s store.Store, q string, args ...any) {
	t.Helper()
	_, err := s.(*sqlstore.DB).Writer().ExecContext(context.Background(), q, args...)
	require.NoError(t, err)
}
