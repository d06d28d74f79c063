package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/store/sqlite"
	"github.com/waybill/waybill/internal/store/sqlstore"
)

// The review inbox's queries name the partial index of migration 00004, which holds only the
// transfers that wait for a person; SQLite finds no plan when the query's condition does not
// imply the index's, so the two must stay alike.
func TestInboxUsesItsIndex(t *testing.T) {
	t.Parallel()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), sqlite.Options{Synchronous: "normal"})
	require.NoError(t, err)
	defer db.Close()
	for _, q := range []string{
		`SELECT status, COUNT(*) FROM transfers INDEXED BY transfers_inbox WHERE vasp_id = 'v1' AND ` + sqlstore.InboxCond + ` GROUP BY status`,
		`SELECT id FROM transfers INDEXED BY transfers_inbox WHERE vasp_id = 'v1' AND ` + sqlstore.InboxCond + ` ORDER BY id ASC LIMIT 100`,
	} {
		rows, err := db.Writer().Query("EXPLAIN QUERY PLAN " + q)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		require.Contains(t, strings.Join(plan, "\n"), "USING INDEX transfers_inbox", q)
	}
}
