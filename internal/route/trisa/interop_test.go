package trisa_test

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"github.com/trisacrypto/trisa/pkg/trisa/envelope"
	"github.com/trisacrypto/trisa/pkg/trisa/keys"
	"github.com/trisacrypto/trisa/pkg/trisa/mtls"
	"github.com/trisacrypto/trisa/pkg/trust"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/transfer"
)

// refPeer is a TRISA node made from trisacrypto/trisa's packages alone (trust, mtls, keys,
// envelope): what a peer running the reference library sends and accepts, not what we think
// it does. How it answers a STARTED envelope is its mode.
type refPeer struct {
	api.UnimplementedTRISANetworkServer
	provider *trust.Provider
	key      *rsa.PrivateKey
	addr     string
	mode     string // accept, reject, repair or pending

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey // callers' sealing keys, by certificate common name
	got  []receivedEnv
}

type receivedEnv struct {
	state   api.TransferState
	payload *api.Payload
	err     *api.Error
}

func newRefPeer(t testing.TB, ca *pki.CA, mode string) *refPeer {
	t.Helper()
	leaf, err := ca.Issue(pki.LeafOptions{Endpoints: []string{"ref.trisa.test", "127.0.0.1"}, Bits: pki.TestBits})
	require.NoError(t, err)
	provider, err := trust.New(leaf.PEM())
	require.NoError(t, err)
	pool, err := trust.New(ca.CertPEM())
	require.NoError(t, err)
	key, err := provider.GetRSAKeys()
	require.NoError(t, err)
	p := &refPeer{provider: provider, key: key, mode: mode, keys: map[string]*rsa.PublicKey{}}
	creds, err := mtls.ServerCreds(provider, trust.NewPool(pool))
	require.NoError(t, err)
	srv := grpc.NewServer(creds)
	api.RegisterTRISANetworkServer(srv, p)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return p
}

func callerName(ctx context.Context) string {
	pr, ok := peer.FromContext(ctx)
	if !ok {
		return ""
	}
	ti, ok := pr.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return ""
	}
	return ti.State.PeerCertificates[0].Subject.CommonName
}

func (p *refPeer) KeyExchange(ctx context.Context, in *api.SigningKey) (*api.SigningKey, error) {
	k, err := keys.FromSigningKey(in)
	if err != nil {
		return nil, err
	}
	pub, err := k.SealingKey()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.keys[callerName(ctx)] = pub.(*rsa.PublicKey)
	p.mu.Unlock()
	own, err := keys.FromProvider(p.provider)
	if err != nil {
		return nil, err
	}
	return own.Proto()
}

func (p *refPeer) Transfer(ctx context.Context, in *api.SecureEnvelope) (*api.SecureEnvelope, error) {
	p.mu.Lock()
	sender := p.keys[callerName(ctx)]
	p.mu.Unlock()
	if rej, isErr := envelope.Check(in); isErr {
		p.record(receivedEnv{state: in.TransferState, err: rej})
		return in, nil
	}
	// (trisa v1.7.0's envelope.Open dereferences a nil envelope when unsealing fails, so the
	// steps are taken one by one here.)
	env, reject, err := openLikeTRISA(in, p.key)
	if err != nil {
		if reject == nil {
			return nil, err
		}
		p.record(receivedEnv{state: in.TransferState, err: reject})
		out, err := envelope.Reject(reject, envelope.WithEnvelopeID(in.Id))
		return out, err
	}
	payload, err := env.Payload()
	if err != nil {
		return nil, err
	}
	p.record(receivedEnv{state: in.TransferState, payload: payload})
	if sender == nil {
		return envelope.Reject(api.Errorf(api.NoSigningKey, "no key exchange"), envelope.WithEnvelopeID(in.Id))
	}
	state := in.TransferState
	if state == api.TransferStarted {
		switch p.mode {
		case "reject":
			return envelope.Reject(api.Errorf(api.ComplianceCheckFail, "specified account has been frozen temporarily"), envelope.WithEnvelopeID(in.Id))
		case "repair":
			return envelope.Reject(&api.Error{Code: api.IncompleteIdentity, Message: "date of birth required", Retry: true}, envelope.WithEnvelopeID(in.Id))
		case "accept":
			state = api.TransferAccepted
		default:
			state = api.TransferPending
			pending, err := anypb.New(&generic.Pending{EnvelopeId: in.Id, ReceivedBy: "Ref VASP", Message: "reviewing"})
			if err != nil {
				return nil, err
			}
			payload = &api.Payload{Identity: payload.Identity, Transaction: pending, SentAt: payload.SentAt,
				ReceivedAt: time.Now().UTC().Format(time.RFC3339)}
		}
	}
	out, _, err := envelope.Seal(payload, envelope.WithEnvelopeID(in.Id), envelope.WithTransferState(state), envelope.WithRSAPublicKey(sender))
	if err != nil {
		return nil, err
	}
	return out.Proto(), nil
}

// openLikeTRISA is envelope.Open without its nil dereference: Wrap, Unseal, Decrypt.
func openLikeTRISA(in *api.SecureEnvelope, key *rsa.PrivateKey) (*envelope.Envelope, *api.Error, error) {
	env, err := envelope.Wrap(in)
	if err != nil {
		return nil, nil, err
	}
	u, reject, err := env.Unseal(envelope.WithRSAPrivateKey(key))
	if err != nil {
		return nil, reject, err
	}
	return u.Decrypt()
}

func (p *refPeer) record(r receivedEnv) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, r)
}

func (p *refPeer) states() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.got {
		s := r.state.String()
		if r.err != nil {
			s += " " + r.err.Code.String()
		}
		out = append(out, s)
	}
	return out
}

// client is the reference peer calling a node, with trisa's TLS profile.
func (p *refPeer) client(t testing.TB, ca *pki.CA, addr string) api.TRISANetworkClient {
	t.Helper()
	pool, err := trust.New(ca.CertPEM())
	require.NoError(t, err)
	conf, err := mtls.Config(p.provider, trust.NewPool(pool))
	require.NoError(t, err)
	roots, err := pool.GetCertPool()
	require.NoError(t, err)
	client := &tls.Config{Certificates: conf.Certificates, MinVersion: conf.MinVersion, CurvePreferences: conf.CurvePreferences,
		CipherSuites: conf.CipherSuites, RootCAs: roots, ServerName: "127.0.0.1"}
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(credentials.NewTLS(client)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return api.NewTRISANetworkClient(conn)
}

// TestReferencePeerAnswers: our client against a beneficiary node built from trisa's library,
// which answers our STARTED envelope at once: an acceptance (then our COMPLETED is echoed), a
// rejection, a repair request, or a PENDING.
func TestReferencePeerAnswers(t *testing.T) {
	t.Parallel()
	ca, err := pki.NewCA(pki.CAOptions{Bits: pki.TestBits})
	require.NoError(t, err)
	c := &clock{now: time.Now().UTC().Truncate(time.Millisecond)}
	a := newNode(t, "node-a", ca, c, pairOptions{}, engine.NewVASP{Name: "Alpha Exchange GmbH", Country: "DE"}, alphaETH)
	ctx := context.Background()
	tests := []struct {
		mode   string
		status transfer.Status
		reason string
	}{
		{"accept", transfer.StatusAccepted, ""},
		{"reject", transfer.StatusDeclined, "compliance_check_fail: specified account has been frozen temporarily"},
		{"repair", transfer.StatusDeclined, "repair_requested: date of birth required"},
		{"pending", transfer.StatusSent, ""},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			ref := newRefPeer(t, ca, tc.mode)
			cp := a.link(t, a.vasp, ref.addr, "ref.trisa.test")
			req := engine.CreateInput{Ref: "ref-" + tc.mode, Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"},
				Amount: decimal.RequireFromString("1.5"), OriginAddress: alphaETH, DestinationAddress: betaETH, Originator: originator(t),
				Beneficiary: beneficiary(t), BeneficiaryVASP: &engine.VASPInput{CounterpartyID: cp.ID}}
			out, _, err := a.engine.Create(ctx, testActor(), a.vasp.ID, req)
			require.NoError(t, err)
			// Each subtest's peer has a new key under the same name: our cached key is stale, the
			// peer says INVALID_KEY, and the retry exchanges keys again.
			pump(t, c, a, func() bool { return a.queueEmpty(t) }, "the inquiry to be delivered")
			got := a.wait(out.MessageID, tc.status)
			require.Equal(t, tc.reason, got.StatusReason)
			require.Contains(t, ref.states(), "STARTED")
			if tc.mode == "accept" {
				_, err := a.engine.TxHash(ctx, testActor(), a.vasp.ID, out.ID, "0xfeed")
				require.NoError(t, err)
				a.wait(out.MessageID, transfer.StatusCompleted)
				poll(t, func() bool { return a.queueEmpty(t) }, func() string { return "the chain hash to be delivered" })
				states := ref.states()
				require.Equal(t, "COMPLETED", states[len(states)-1])
				ref.mu.Lock()
				tx := &generic.Transaction{}
				require.NoError(t, ref.got[len(ref.got)-1].payload.Transaction.UnmarshalTo(tx))
				ref.mu.Unlock()
				require.Equal(t, "0xfeed", tx.Txid)
			}
		})
	}
}

// TestReferencePeerSends: a node built from trisa's library sends us an inquiry (key
// exchange, then a STARTED envelope sealed by trisa's package); our PENDING reply opens with
// trisa's package; our address confirmation and acceptance then reach its server.
func TestReferencePeerSends(t *testing.T) {
	t.Parallel()
	ca, err := pki.NewCA(pki.CAOptions{Bits: pki.TestBits})
	require.NoError(t, err)
	c := &clock{now: time.Now().UTC().Truncate(time.Millisecond)}
	a := newNode(t, "node-a", ca, c, pairOptions{}, engine.NewVASP{Name: "Alpha Exchange GmbH", Country: "DE"}, alphaETH)
	ref := newRefPeer(t, ca, "pending")
	a.link(t, a.vasp, ref.addr, "ref.trisa.test")
	ctx := context.Background()

	netc := ref.client(t, ca, a.addr)
	own, err := keys.FromProvider(ref.provider)
	require.NoError(t, err)
	ownProto, err := own.Proto()
	require.NoError(t, err)
	theirs, err := netc.KeyExchange(ctx, ownProto)
	require.NoError(t, err)
	nodeKey, err := keys.FromSigningKey(theirs)
	require.NoError(t, err)
	sealTo, err := nodeKey.SealingKey()
	require.NoError(t, err)
	// Like Envoy's keychain, the peer keeps the key it received, by the node's name, to seal
	// its replies to the node's own calls.
	ref.mu.Lock()
	ref.keys["node-a.trisa.test"] = sealTo.(*rsa.PublicKey)
	ref.mu.Unlock()

	identity := &ivms101.IdentityPayload{
		Originator:  &ivms101.Originator{OriginatorPersons: originator(t).Persons, AccountNumbers: []string{"0xRefCustomer"}},
		Beneficiary: &ivms101.Beneficiary{BeneficiaryPersons: beneficiary(t).Persons, AccountNumbers: []string{alphaETH}},
	}
	idAny, err := anypb.New(identity)
	require.NoError(t, err)
	txAny, err := anypb.New(&generic.Transaction{Originator: "0xRefCustomer", Beneficiary: alphaETH, Amount: 0.25, Network: "ETH", AssetType: "ETH"})
	require.NoError(t, err)
	payload := &api.Payload{Identity: idAny, Transaction: txAny, SentAt: time.Now().UTC().Format(time.RFC3339)}
	id := uuid.NewString()
	env, _, err := envelope.Seal(payload, envelope.WithEnvelopeID(id), envelope.WithTransferState(api.TransferStarted), envelope.WithSealingKey(sealTo))
	require.NoError(t, err)
	reply, err := netc.Transfer(ctx, env.Proto())
	require.NoError(t, err)
	require.Equal(t, api.TransferPending, reply.TransferState)
	opened, rej, err := envelope.Open(reply, envelope.WithRSAPrivateKey(ref.key))
	require.NoError(t, err, "our reply opens with trisa's package")
	require.Nil(t, rej)
	p, err := opened.Payload()
	require.NoError(t, err)
	pending := &generic.Pending{}
	require.NoError(t, p.Transaction.UnmarshalTo(pending))
	require.Equal(t, "Alpha Exchange GmbH", pending.ReceivedBy)
	require.Equal(t, id, pending.EnvelopeId)

	// Alpha's record: received from the reference peer, address in Alpha's book (ACK).
	in := a.wait(id, transfer.StatusACK)
	require.Equal(t, "0.25", in.Amount.String())
	poll(t, func() bool { return len(ref.states()) >= 1 }, func() string { return "our address confirmation" })
	_, err = a.engine.Accept(ctx, testActor(), a.vasp.ID, in.ID, engine.AcceptInput{})
	require.NoError(t, err)
	poll(t, func() bool { return len(ref.states()) >= 2 }, func() string { return "our acceptance" })
	require.Equal(t, []string{"PENDING", "ACCEPTED"}, ref.states())
	ref.mu.Lock()
	accepted := ref.got[1].payload
	ref.mu.Unlock()
	echo := &ivms101.IdentityPayload{}
	require.NoError(t, accepted.Identity.UnmarshalTo(echo))
	require.Equal(t, originatorName, echo.Originator.OriginatorPersons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier(),
		"the acceptance echoes the identity payload")

	// The reference peer completes; Alpha completes.
	txAny, err = anypb.New(&generic.Transaction{Txid: "0xref", Originator: "0xRefCustomer", Beneficiary: alphaETH, Amount: 0.25, Network: "ETH"})
	require.NoError(t, err)
	done, _, err := envelope.Seal(&api.Payload{Identity: idAny, Transaction: txAny, SentAt: time.Now().UTC().Format(time.RFC3339)},
		envelope.WithEnvelopeID(id), envelope.WithTransferState(api.TransferCompleted), envelope.WithSealingKey(sealTo))
	require.NoError(t, err)
	reply, err = netc.Transfer(ctx, done.Proto())
	require.NoError(t, err)
	require.Equal(t, api.TransferCompleted, reply.TransferState)
	got := a.wait(id, transfer.StatusCompleted)
	require.Equal(t, "0xref", got.TxHash)

	// A refusal from trisa's helpers: an error envelope the library made.
	bad, err := envelope.Reject(api.Errorf(api.Canceled, "no longer required"), envelope.WithEnvelopeID(uuid.NewString()))
	require.NoError(t, err)
	reply, err = netc.Transfer(ctx, bad)
	require.NoError(t, err)
	require.Equal(t, api.BadRequest, reply.Error.GetCode(), "no transfer with that envelope id")
}

// pump moves the clock a minute at a time, waking the node's jobs, until cond holds.
func pump(t testing.TB, c *clock, n *node, cond func() bool, what string) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
			c.Advance(time.Minute)
			n.kick()
		}
	}
}

func (n *node) queueEmpty(t testing.TB) bool {
	t.Helper()
	at, err := n.store.Read().NextJobAt(context.Background(), []string{engine.JobSend})
	require.NoError(t, err)
	return at.IsZero()
}
