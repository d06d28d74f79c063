package web_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
)

// seedTransfers writes count transfers of Alpha straight to the store, spread over the last 30
// days, each with its created and status-changed audit events. About one in twelve waits for a
// person (NEW held for review, or a received one waiting for our answer); the rest are done.
func seedTransfers(b testing.TB, n *nodetest.Node, count int) {
	ctx := context.Background()
	vaspID := n.Alpha.VASP.ID
	cps, err := n.Node.Store.Read().ListCounterparties(ctx, vaspID, "", 10)
	require.NoError(b, err)
	cp := cps[0]
	start := n.Clock.Now().Add(-30 * 24 * time.Hour)
	step := 30 * 24 * time.Hour / time.Duration(count)
	statuses := []transfer.Status{transfer.StatusCompleted, transfer.StatusCompleted, transfer.StatusCompleted, transfer.StatusCompleted,
		transfer.StatusCompleted, transfer.StatusSaved, transfer.StatusAccepted, transfer.StatusSent, transfer.StatusCancelled,
		transfer.StatusDeclined, transfer.StatusCompleted, transfer.StatusNew}
	for done := 0; done < count; done += 1000 {
		err := n.Node.Store.InTx(ctx, func(tx store.Tx) error {
			for i := done; i < min(done+1000, count); i++ {
				at := start.Add(time.Duration(i) * step)
				st := statuses[i%len(statuses)]
				dir, initiator := transfer.Outgoing, transfer.InitiatorOriginator
				if i%2 == 1 {
					dir = transfer.Incoming
				}
				if dir == transfer.Incoming && st == transfer.StatusNew {
					st = transfer.StatusACK
				}
				score := decimal.NewFromInt(int64(i % 10))
				t := &store.Transfer{Transfer: transfer.Transfer{
					ID: n.Node.NewID(), VASPID: vaspID, Ref: fmt.Sprintf("seed-%06d", i), MessageID: n.Node.NewID(),
					Direction: dir, Initiator: initiator, Status: st, Route: transfer.RouteInternal,
					Asset: transfer.Asset{Network: "ethereum", Symbol: "USDC"}, Amount: decimal.NewFromInt(int64(100 + i)),
					FiatValue:     &transfer.FiatValue{Currency: "EUR", Amount: decimal.NewFromInt(int64(92 + i)), Source: "converted"},
					OriginAddress: alphaETH, DestinationAddress: fmt.Sprintf("0x%040x", i), CounterpartyID: cp.ID,
					OriginatingVASP: &transfer.VASPRef{ID: vaspID, Name: "Alpha Exchange GmbH"},
					BeneficiaryVASP: &transfer.VASPRef{ID: cp.ID, Name: cp.Name},
					Screening: []transfer.ScreeningResult{{Address: fmt.Sprintf("0x%040x", i), Role: "destination", Status: "COMPLETED",
						RiskScore: &score, RiskTags: []string{"exchange"}}},
					Decision:  &transfer.Decision{Action: "review", Source: "default", Reason: "held for review", DecidedAt: at},
					CreatedAt: at, UpdatedAt: at, Version: 2,
				}, DestinationKey: fmt.Sprintf("0x%040x", i)}
				if err := tx.CreateTransfer(ctx, t); err != nil {
					return err
				}
				for _, e := range []audit.Event{
					{Type: "transfer.created", To: string(transfer.StatusNew), Actor: audit.Actor{Type: audit.ActorAPIKey, ID: "k", Name: "backend"}},
					{Type: "transfer.status_changed", From: string(transfer.StatusNew), To: string(st), Actor: audit.Actor{Type: audit.ActorPolicy, ID: "p", Name: "p"}},
				} {
					e.ID, e.VASPID, e.TransferID, e.CreatedAt = n.Node.NewID(), vaspID, t.ID, at
					if err := tx.AppendAudit(ctx, &e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		require.NoError(b, err)
	}
}

// BenchmarkPages renders the dashboard's pages over HTTP with 10,000 transfers in the database
// (plus one real withdrawal, whose detail page is measured), on SQLite and, with
// WAYBILL_TEST_POSTGRES_URL, PostgreSQL. The p50 and p99 metrics are milliseconds per page,
// measured over HTTP; the bar is 100 ms.
//
//	go test ./internal/web -run '^$' -bench Pages -benchtime 200x
func BenchmarkPages(b *testing.B) {
	for _, d := range nodetest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			n := heldNode(b, d)
			seedTransfers(b, n, 10_000)
			if d == nodetest.Postgres {
				// A database in use has been vacuumed and analysed by autovacuum; a freshly seeded
				// one not yet (no index-only scans, no statistics).
				storetest.Exec(b, n.Node.Store, "VACUUM ANALYZE transfers, audit_events")
			}
			held := withdrawal(b, n, "wd-bench-1")
			addUser(b, n, n.Alpha.VASP.ID, "olga@alpha.example", "Olga Officer", store.RoleOfficer)
			s := signIn(b, n, "olga@alpha.example")
			for _, p := range []struct{ name, path string }{
				{"inbox", "/ui/inbox"},
				{"inbox-refresh", "/ui/inbox/rows?poll=1"},
				{"inbox-search-counterparty", "/ui/inbox?q=beta"},
				{"inbox-search-ref", "/ui/inbox?q=seed-009995"},
				{"transfers", "/ui/transfers"},
				{"transfers-completed", "/ui/transfers?status=COMPLETED"},
				{"detail", "/ui/transfers/" + held.ID},
				{"stats", "/ui/stats"},
				{"counterparties", "/ui/counterparties"},
			} {
				b.Run(p.name, func(b *testing.B) {
					var took []time.Duration
					for b.Loop() {
						t0 := time.Now()
						res := s.get(p.path)
						took = append(took, time.Since(t0))
						if res.status != http.StatusOK {
							b.Fatalf("%s: %d", p.path, res.status)
						}
					}
					sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
