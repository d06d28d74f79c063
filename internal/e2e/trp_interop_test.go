package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/openvasp"
	trpclient "github.com/trisacrypto/trisa/pkg/openvasp/client"
	trisatrp "github.com/trisacrypto/trisa/pkg/openvasp/trp/v3"
	"github.com/trisacrypto/trisa/pkg/slip0044"
	"github.com/trisacrypto/trisa/pkg/trust"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/nodetest"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route/trp"
	"github.com/waybill/waybill/internal/transfer"
)

// Interoperability with trisacrypto/trisa's own TRP implementation (pkg/openvasp): its client
// talks to our server, and its handler types take what our client sends. Both sides speak
// mutual TLS with certificates from the pair's throw-away CA.

// trisaFixture reads a file of the trisa module from the module cache (never copied).
func trisaFixture(t *testing.T, rel string) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/trisacrypto/trisa").Output()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), filepath.FromSlash(rel)))
	require.NoError(t, err)
	return b
}

// trisaSide is a VASP running trisa's TRP code: a mutual TLS server from the pair's CA, and
// the identity its client presents.
type trisaSide struct {
	srv      *httptest.Server
	mux      *http.ServeMux
	provider *trust.Provider
	pool     trust.ProviderPool
}

func newTRISASide(t *testing.T, p *nodetest.Pair) *trisaSide {
	t.Helper()
	leaf, err := p.CA.Issue(pki.LeafOptions{Endpoints: []string{"127.0.0.1", "trisa-vasp.waybill.test"}, Bits: pki.TestBits})
	require.NoError(t, err)
	s := &trisaSide{mux: http.NewServeMux()}
	s.srv = httptest.NewUnstartedServer(s.mux)
	s.srv.TLS = pki.ServerConfig(leaf.TLSCertificate(), p.CA.Pool())
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	s.provider, err = trust.New(leaf.PEM())
	require.NoError(t, err)
	caProvider, err := trust.New(p.CA.CertPEM())
	require.NoError(t, err)
	s.pool = trust.NewPool(caProvider)
	return s
}

// entry adds the trisa-side VASP to a party's directory, reachable at path on its server.
func (s *trisaSide) entry(t *testing.T, party *nodetest.Party, path string) *counterparty.Counterparty {
	t.Helper()
	cp, err := party.Client.CreateCounterparty(ctxT(t), engine.CounterpartyInput{Name: "Trisa-based VASP", Country: "US",
		Standing: counterparty.StandingAllowed, Routes: counterparty.Routes{TRP: &counterparty.TRP{URL: s.srv.URL + path, AllowPrivate: true}}})
	require.NoError(t, err)
	return cp
}

// TestTRISAClientToOurServer: trisa's TRP client sends its own inquiry fixture to our server;
// the transfer is stored, decided, approved back to the trisa side's callback, and completed
// by its confirmation.
func TestTRISAClientToOurServer(t *testing.T) {
	t.Parallel()
	p := nodetest.StartPair(t, nodetest.SQLite, nodetest.PairOptions{})
	side := newTRISASide(t, p)
	resolutions := make(chan trisatrp.Resolution, 4)
	side.mux.HandleFunc("POST /resolve", func(w http.ResponseWriter, r *http.Request) {
		var res trisatrp.Resolution
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&res); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resolutions <- res
		w.WriteHeader(http.StatusNoContent)
	})
	entry := side.entry(t, p.B.Beta, "/inquiry")

	var inq trisatrp.Inquiry
	require.NoError(t, json.Unmarshal(trisaFixture(t, "pkg/openvasp/testdata/inquiry.json"), &inq))
	inq.Callback = side.srv.URL + "/resolve"
	v, err := p.B.Beta.Client.GetVASPWithAddress(ctxT(t))
	require.NoError(t, err)
	target, _, err := trp.ParseAddress(v.TravelAddress)
	require.NoError(t, err)
	reqID := uuid.NewString()
	inq.Info = &trisatrp.Info{Address: target.String(), RequestIdentifier: reqID}

	c, err := trpclient.New(trpclient.WithMTLS(side.provider, side.pool))
	require.NoError(t, err)
	// trisa's types cannot say BTC (coin type 0 is dropped by omitempty): its client sends an
	// empty asset, which we refuse with the protocol's 400, naming the field.
	_, err = c.Inquiry(context.Background(), &inq)
	var se *trisatrp.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusBadRequest, se.Code)
	require.Contains(t, se.Message, "asset")

	inq.Asset.SLIP044 = slip0044.CoinType_ETH
	inq.IVMS101.Beneficiary.AccountNumbers = []string{betaETH}
	reqID = uuid.NewString()
	inq.Info = &trisatrp.Info{Address: target.String(), RequestIdentifier: reqID}
	res, err := c.Inquiry(context.Background(), &inq)
	require.NoError(t, err)
	require.NoError(t, res.Validate())
	require.Equal(t, openvasp.APIVersion, res.Version, "acknowledged; the resolution follows by callback")
	require.Equal(t, reqID, res.Info.RequestIdentifier, "the request-identifier is echoed")

	in := nodetest.WaitCounterpart(t, p.B.Beta.Client, reqID)
	require.Equal(t, entry.ID, in.CounterpartyID)
	require.Equal(t, transfer.Asset{Network: "ethereum", Symbol: "ETH"}, in.Asset)
	require.Equal(t, "1", in.Amount.String())
	require.Equal(t, betaETH, in.DestinationAddress)
	require.Equal(t, "Post", in.Originator.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
	see(t, p.B.Beta.Client, in.ID, transfer.StatusACK)

	_, err = p.B.Beta.Client.Accept(ctxT(t), in.ID, engine.AcceptInput{})
	require.NoError(t, err)
	var approved trisatrp.Resolution
	select {
	case approved = <-resolutions:
	case <-t.Context().Done():
		t.Fatal("no resolution")
	}
	require.NoError(t, approved.Validate(), "trisa's validation accepts our approval")
	require.NotNil(t, approved.Approved)
	require.Equal(t, betaETH, approved.Approved.Address)

	err = c.Confirm(context.Background(), &trisatrp.Confirmation{TXID: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
		Info: &trisatrp.Info{Address: approved.Approved.Callback, RequestIdentifier: reqID}})
	require.NoError(t, err)
	done := see(t, p.B.Beta.Client, in.ID, transfer.StatusCompleted)
	require.Equal(t, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", done.TxHash)
}

// trisaHandler is the application behind trisa's TRP handler types: it approves every
// inquiry at once and records what it got.
type trisaHandler struct {
	mu            sync.Mutex
	inquiries     []*trisatrp.Inquiry
	confirmations []*trisatrp.Confirmation
	confirmURL    string
}

func (h *trisaHandler) OnInquiry(in *trisatrp.Inquiry) (*trisatrp.Resolution, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inquiries = append(h.inquiries, in)
	return &trisatrp.Resolution{Approved: &trisatrp.Approval{Address: strangeETH, Callback: h.confirmURL}}, nil
}

func (h *trisaHandler) OnConfirmation(c *trisatrp.Confirmation) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.confirmations = append(h.confirmations, c)
	return nil
}

// TestOurClientToTRISAHandlers: our node sends to a VASP running trisa's TRP handlers
// (TransferInquiry, TransferConfirmation), which check headers and decode strictly; its
// immediate approval and our confirmation complete the transfer.
func TestOurClientToTRISAHandlers(t *testing.T) {
	t.Parallel()
	p := nodetest.StartPair(t, nodetest.SQLite, nodetest.PairOptions{})
	side := newTRISASide(t, p)
	h := &trisaHandler{confirmURL: side.srv.URL + "/confirm"}
	side.mux.Handle("/inquiry", openvasp.TransferInquiry(h))
	side.mux.Handle("/confirm", openvasp.TransferConfirmation(h))
	entry := side.entry(t, p.A.Alpha, "/inquiry")

	req := withdrawal(t, "trisa-interop-1", strangeETH)
	req.BeneficiaryVASP = &engine.VASPInput{CounterpartyID: entry.ID}
	out, _, err := p.A.Alpha.Client.CreateTransfer(ctxT(t), req)
	require.NoError(t, err)
	require.Equal(t, transfer.RouteTRP, out.Route)
	see(t, p.A.Alpha.Client, out.ID, transfer.StatusAccepted)

	h.mu.Lock()
	require.Len(t, h.inquiries, 1)
	got := h.inquiries[0]
	h.mu.Unlock()
	require.Equal(t, out.MessageID, got.Info.RequestIdentifier)
	require.Equal(t, openvasp.APIVersion, got.Info.APIVersion)
	require.Equal(t, "ETH", got.Asset.SLIP044.Symbol())
	require.Equal(t, 1.5, got.Amount)
	require.True(t, strings.HasSuffix(got.Callback, trp.ResolvePath(p.A.Alpha.VASP.ID, out.MessageID)), got.Callback)
	require.Equal(t, originatorFamily, got.IVMS101.Originator.OriginatorPersons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())
	require.Contains(t, got.IVMS101.Beneficiary.AccountNumbers, strangeETH)
	require.NotNil(t, got.IVMS101.OriginatingVasp.GetOriginatingVasp().GetLegalPerson())

	_, err = p.A.Alpha.Client.TxHash(ctxT(t), out.ID, "0xbeef")
	require.NoError(t, err)
	see(t, p.A.Alpha.Client, out.ID, transfer.StatusCompleted)
	nodetest.Poll(t, "trisa's handler to get the confirmation", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.confirmations) == 1
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	require.Equal(t, "0xbeef", h.confirmations[0].TXID)
	require.Equal(t, out.MessageID, h.confirmations[0].Info.RequestIdentifier)
}
