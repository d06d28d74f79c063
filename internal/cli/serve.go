package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/webhook"
)

func (e *env) serveCmd() *cobra.Command {
	var demo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (API, dashboard, peer endpoints, background jobs)",
		Long: "Run the server. With no configuration it stores everything in ./waybill.db (SQLite) and\n" +
			"listens on :8080. --demo uses ./waybill-demo.db, hosts two demo VASPs with wallets, API keys\n" +
			"and a webhook receiver that prints each verified delivery, and explains how to use them.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := e.config()
			if err != nil {
				return err
			}
			if demo && !hasVar(e.environ, "WAYBILL_DATABASE_URL") && e.configPath == "" {
				c.Database.URL = "sqlite:waybill-demo.db"
			}
			if demo && c.Log.Format == "json" && !hasVar(e.environ, "WAYBILL_LOG_FORMAT") {
				c.Log.Format = "text"
			}
			ctx := cmd.Context()
			n, err := OpenNode(ctx, c, Options{Logger: NewLogger(c.Log, e.stderr)})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", c.HTTP.Addr)
			if err != nil {
				n.Close()
				return fmt.Errorf("listen %s: %w", c.HTTP.Addr, err)
			}
			if n.MasterKeyCreated {
				n.Log.Warn("generated a new master key; back it up: without it identity data cannot be read",
					"file", c.Keys.MasterKeyFile)
			}
			kind, _ := c.Database.Kind()
			n.Log.Info("waybill serving", "version", Version, "addr", ln.Addr().String(), "database", kind)
			if demo {
				if err := e.startDemo(ctx, n, ln.Addr()); err != nil {
					ln.Close()
					n.Close()
					return err
				}
			}
			return n.Serve(ctx, ln)
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "host two demo VASPs and print how to try a withdrawal")
	return cmd
}

func hasVar(environ []string, name string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

// demoReceiver is the webhook receiver of demo mode: it verifies each delivery with the
// endpoint's secret, prints one line, and keeps the last deliveries for GET /demo/webhooks.
type demoReceiver struct {
	out     io.Writer
	mu      sync.Mutex
	secrets map[string]string // vasp short name -> secret
	last    []map[string]any
}

func (d *demoReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		d.mu.Lock()
		defer d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(d.last)
		return
	}
	who := r.PathValue("vasp")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	secret := d.secrets[who]
	d.mu.Unlock()
	verr := webhook.Verify(secret, r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now(), 5*time.Minute)
	var ev webhook.Event
	_ = json.Unmarshal(body, &ev)
	mark := "signature verified"
	if verr != nil {
		mark = "SIGNATURE INVALID: " + verr.Error()
	}
	line := fmt.Sprintf("webhook → %-5s %-40s transfer=%s status=%s", who, ev.Type, ev.Data.TransferID, ev.Data.Status)
	if ev.Data.From != "" {
		line += fmt.Sprintf(" (%s → %s)", ev.Data.From, ev.Data.To)
	}
	if ev.Data.Reason != "" {
		line += " reason=" + ev.Data.Reason
	}
	fmt.Fprintf(d.out, "%s  [%s]\n", line, mark)
	d.mu.Lock()
	d.last = append(d.last, map[string]any{"vasp": who, "webhook_id": r.Header.Get("webhook-id"), "verified": verr == nil, "event": ev})
	if len(d.last) > 100 {
		d.last = d.last[len(d.last)-100:]
	}
	d.mu.Unlock()
	if verr != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// startDemo seeds the demo VASPs (once per database), mounts the demo receiver and prints how
// to use them.
func (e *env) startDemo(ctx context.Context, n *Node, addr net.Addr) error {
	port := addr.(*net.TCPAddr).Port
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	d, recv, err := e.demoData(ctx, n, base)
	if err != nil {
		return err
	}
	n.Mux.Handle("POST /demo/webhooks/{vasp}", recv)
	n.Mux.Handle("GET /demo/webhooks", recv)
	fmt.Fprintf(e.stdout, `
waybill demo is running on %[1]s

Two VASPs are hosted on this node:
  Alpha Exchange GmbH (Germany)   id %[2]s
      API key: %[3]s
      customer wallet (ethereum): %[4]s
  Beta Exchange SAS (France)      id %[5]s
      API key: %[6]s
      customer wallet (ethereum): %[7]s

Alpha's withdrawals are approved automatically; Beta holds what it receives for acceptance.
Signed webhooks of both go to a receiver on this server, which verifies and prints each one
below; GET %[1]s/demo/webhooks lists the last ones.

Try a withdrawal from Alpha to Beta's customer (the README walks the rest: accept, tx-hash):

  export ALPHA=%[3]s BETA=%[6]s
  curl -s %[1]s/v1/transfers -H "Authorization: Bearer $ALPHA" -H 'Content-Type: application/json' -d '{
    "ref": "withdrawal-1", "asset": {"network": "ethereum", "symbol": "USDC"}, "amount": "1500",
    "origin_address": "%[4]s", "destination_address": "%[7]s",
    "originator": {"originatorPersons": [{"naturalPerson": {"name": {"nameIdentifier": [{"primaryIdentifier": "Schmidt", "secondaryIdentifier": "Anna", "nameIdentifierType": "LEGL"}]},
      "geographicAddress": [{"addressType": "HOME", "streetName": "Unter den Linden", "buildingNumber": "1", "townName": "Berlin", "postCode": "10117", "country": "DE"}],
      "dateAndPlaceOfBirth": {"dateOfBirth": "1985-07-14", "placeOfBirth": "Hamburg"}}}],
      "accountNumber": ["%[4]s"]},
    "beneficiary": {"beneficiaryPersons": [{"naturalPerson": {"name": {"nameIdentifier": [{"primaryIdentifier": "Dupont", "secondaryIdentifier": "Bruno", "nameIdentifierType": "LEGL"}]}}}],
      "accountNumber": ["%[7]s"]}}'

API reference: %[1]s/docs    OpenAPI: %[1]s/openapi.json

`, base, d.Alpha.VASP.ID, d.Alpha.APIKey, d.Alpha.Wallets[0].Address, d.Beta.VASP.ID, d.Beta.APIKey, d.Beta.Wallets[0].Address)
	return nil
}

// demoData seeds the demo on a fresh database; on a database that already holds it (a second
// start), it finds the two VASPs, gives each a new API key and reads their receivers' secrets.
func (e *env) demoData(ctx context.Context, n *Node, base string) (*Demo, *demoReceiver, error) {
	recv := &demoReceiver{out: e.stdout, secrets: map[string]string{}}
	vs, err := n.Store.Read().ListVASPs(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(vs) == 0 {
		d, err := SeedDemo(ctx, n, DemoOptions{})
		if err != nil {
			return nil, nil, err
		}
		for name, v := range map[string]DemoVASP{"alpha": d.Alpha, "beta": d.Beta} {
			ep, err := n.Engine.CreateEndpoint(ctx, cliActor(), v.VASP.ID, engine.EndpointInput{URL: base + "/demo/webhooks/" + name,
				Description: "demo receiver (prints verified deliveries)"}, n.Rand)
			if err != nil {
				return nil, nil, err
			}
			recv.secrets[name] = ep.Secret
		}
		return d, recv, nil
	}
	d := &Demo{}
	for i := range vs {
		var slot *DemoVASP
		var name string
		switch vs[i].Name {
		case demoAlpha:
			slot, name = &d.Alpha, "alpha"
		case demoBeta:
			slot, name = &d.Beta, "beta"
		default:
			continue
		}
		slot.VASP = &vs[i]
		k, err := n.Engine.CreateAPIKey(ctx, cliActor(), vs[i].ID, "demo backend", n.Rand)
		if err != nil {
			return nil, nil, err
		}
		slot.APIKey = k.Secret
		ws, err := n.Store.Read().ListWallets(ctx, vs[i].ID, "", 10)
		if err != nil {
			return nil, nil, err
		}
		for j := range ws {
			slot.Wallets = append(slot.Wallets, &ws[j])
		}
		eps, err := n.Store.Read().ListEndpoints(ctx, vs[i].ID)
		if err != nil {
			return nil, nil, err
		}
		for j := range eps {
			if strings.HasSuffix(eps[j].URL, "/demo/webhooks/"+name) {
				secrets, err := n.Engine.WebhookSecrets(ctx, &eps[j])
				if err != nil {
					return nil, nil, err
				}
				recv.secrets[name] = secrets[0].Key
				if eps[j].URL != base+"/demo/webhooks/"+name {
					in := engine.EndpointInput{URL: base + "/demo/webhooks/" + name, Description: eps[j].Description}
					if _, err := n.Engine.UpdateEndpoint(ctx, cliActor(), vs[i].ID, eps[j].ID, in); err != nil {
						return nil, nil, err
					}
				}
			}
		}
	}
	if d.Alpha.VASP == nil || d.Beta.VASP == nil || len(d.Alpha.Wallets) == 0 || len(d.Beta.Wallets) == 0 {
		return nil, nil, fmt.Errorf("this database holds VASPs but not the demo's; point --demo at a fresh database (WAYBILL_DATABASE_URL)")
	}
	return d, recv, nil
}
