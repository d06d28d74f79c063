package trisa

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/keyring"
	"github.com/waybill/waybill/internal/pki"
	"github.com/waybill/waybill/internal/route"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/store/storetest"
	"github.com/waybill/waybill/internal/transfer"
	"github.com/waybill/waybill/internal/vasp"
)

// stubReceiver stands for the engine: it checks each message is well formed, keeps it, and
// answers with err.
type stubReceiver struct {
	mu  sync.Mutex
	got []route.Inbound
	err error
}

func (s *stubReceiver) Receive(_ context.Context, in *route.Inbound) error {
	if err := in.Message.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, *in)
	return s.err
}

func (s *stubReceiver) set(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *stubReceiver) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *stubReceiver) last() route.Inbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[len(s.got)-1]
}

type lowerKeys struct{}

func (lowerKeys) Key(_, a string) string { return strings.ToLower(a) }

// fixture is one node's TRISA route over a real store, with a stub engine, and a peer whose
// certificate its VASP's directory knows.
type fixture struct {
	a        *Adapter
	store    store.Store
	recv     *stubReceiver
	ca       *pki.CA
	peer     *pki.Leaf
	nodeLeaf *pki.Leaf
	vaspID   string
	cpID     string
	addr     string
	pc       *peerCert
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	ca, leaves, err := pki.TestSet([]string{"node.trisa.test", "127.0.0.1"}, []string{"peer.trisa.test", "127.0.0.1"})
	require.NoError(t, err)
	st := storetest.OpenSQLite(t)
	master := make([]byte, 32)
	keys, err := keyring.New(master, rand.Reader, func(ctx context.Context, id string) ([]byte, error) {
		return st.Read().DataKey(ctx, id)
	})
	require.NoError(t, err)
	f := &fixture{store: st, recv: &stubReceiver{}, ca: ca, nodeLeaf: leaves[0], peer: leaves[1], vaspID: "vasp-beta", cpID: "cp-alpha"}
	now := time.Now().UTC()
	wrapped, err := keys.NewDataKey(f.vaspID)
	require.NoError(t, err)
	require.NoError(t, st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateVASP(ctx, &vasp.VASP{ID: f.vaspID, Name: "Beta Exchange SAS", Country: "FR", Jurisdiction: "EU",
			Settings: vasp.DefaultSettings(), CreatedAt: now, UpdatedAt: now}, wrapped); err != nil {
			return err
		}
		if err := tx.CreateWallet(ctx, &vasp.Wallet{ID: "w1", VASPID: f.vaspID, Network: "ethereum", Address: "0xBeta", CreatedAt: now}, "0xbeta", nil); err != nil {
			return err
		}
		return tx.CreateCounterparty(ctx, &counterparty.Counterparty{ID: f.cpID, VASPID: f.vaspID, Name: "Alpha", Standing: counterparty.StandingAllowed,
			Routes: counterparty.Routes{TRISA: &counterparty.TRISA{Endpoint: "127.0.0.1:1", CommonName: "peer.trisa.test"}}, CreatedAt: now, UpdatedAt: now})
	}))
	id, err := ParseIdentity(leaves[0].CertPEM(), leaves[0].KeyPEM(), ca.CertPEM(), nil)
	require.NoError(t, err)
	f.a, err = New(Config{Identity: id, Store: st, Keys: keys, Receiver: f.recv, Address: lowerKeys{}, Timeout: 2 * time.Second})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f.addr = ln.Addr().String()
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = f.a.Serve(sctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	f.pc = &peerCert{chain: []*x509.Certificate{f.peer.Cert, ca.Cert}, names: certNames(f.peer.Cert)}
	return f
}

// client dials the fixture's server as leaf.
func (f *fixture) client(t testing.TB, leaf *pki.Leaf) (api.TRISANetworkClient, api.TRISAHealthClient) {
	t.Helper()
	conf := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, RootCAs: f.ca.Pool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	conn, err := grpc.NewClient("passthrough:///"+f.addr, grpc.WithTransportCredentials(credentials.NewTLS(conf)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return api.NewTRISANetworkClient(conn), api.NewTRISAHealthClient(conn)
}

// started is a STARTED envelope from the peer, sealed for the node.
func (f *fixture) started(t testing.TB, mod func(*generic.Transaction)) *api.SecureEnvelope {
	t.Helper()
	tx := transaction(&route.Transaction{Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1.5"),
		OriginAddress: "0xAlpha", DestinationAddress: "0xBeta"}, route.KindInquiry)
	if mod != nil {
		mod(tx)
	}
	m := &route.Message{Originator: testOriginator(), OriginatingVASP: &transfer.VASPRef{Name: "Alpha"}}
	p, err := newPayload(identityPayload(m), tx, time.Now(), time.Time{})
	require.NoError(t, err)
	env, _, err := Seal(uuid.NewString(), api.TransferStarted, p, f.a.id.SealingKey(), time.Now())
	require.NoError(t, err)
	return env
}

// sealed seals a payload of the given state for the node.
func (f *fixture) sealed(t testing.TB, id string, state api.TransferState, tx proto.Message) *api.SecureEnvelope {
	t.Helper()
	p, err := newPayload(&ivms101.IdentityPayload{}, tx, time.Now(), time.Time{})
	require.NoError(t, err)
	env, _, err := Seal(id, state, p, f.a.id.SealingKey(), time.Now())
	require.NoError(t, err)
	return env
}

// transferFor stores a transfer of the node's VASP with the peer under envelope id.
func (f *fixture) transferFor(t testing.TB, id string) {
	t.Helper()
	now := time.Now().UTC()
	require.NoError(t, f.store.InTx(context.Background(), func(tx store.Tx) error {
		return tx.CreateTransfer(context.Background(), &store.Transfer{Transfer: transfer.Transfer{ID: "t-" + id, VASPID: f.vaspID, MessageID: id,
			Direction: transfer.Incoming, Status: transfer.StatusACK, Route: transfer.RouteTRISA, CounterpartyID: f.cpID,
			Asset: transfer.Asset{Network: "ethereum", Symbol: "ETH"}, Amount: decimal.RequireFromString("1"), DestinationAddress: "0xBeta",
			CreatedAt: now, UpdatedAt: now, Version: 1}})
	}))
}

func errEnvelope(id string, code api.Error_Code, msg string) *api.SecureEnvelope {
	return rejection(id, &api.Error{Code: code, Message: msg}, time.Now())
}

// TestTransferAnswers: what the node answers each envelope, over gRPC with mutual TLS.
func TestTransferAnswers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	netc, _ := f.client(t, f.peer)
	ctx := context.Background()
	known := uuid.NewString()
	f.transferFor(t, known)
	txid := &generic.Transaction{Txid: "0xfeed", Beneficiary: "0xBeta", Network: "ETH", Amount: 1}
	tests := []struct {
		name    string
		env     func() *api.SecureEnvelope
		recvErr error
		code    api.Error_Code // UNHANDLED: a payload reply is expected
		state   api.TransferState
		got     func(t *testing.T, m route.Inbound)
	}{
		{"inquiry", func() *api.SecureEnvelope { return f.started(t, nil) }, nil, api.Unhandled, api.TransferPending,
			func(t *testing.T, m route.Inbound) {
				require.Equal(t, route.KindInquiry, m.Message.Kind)
				require.Equal(t, f.vaspID, m.VASPID)
				require.Equal(t, f.cpID, m.CounterpartyID, "identified by its certificate")
				require.Equal(t, "1.5", m.Message.Transaction.Amount.String())
				require.NotNil(t, m.Message.Originator)
			}},
		{"post-transaction request", func() *api.SecureEnvelope {
			return f.started(t, func(tx *generic.Transaction) { tx.Txid = "0xabc"; tx.ExtraJson = `{"waybill":{"kind":"request"}}` })
		}, nil, api.Unhandled, api.TransferPending, func(t *testing.T, m route.Inbound) { require.Equal(t, route.KindRequest, m.Message.Kind) }},
		{"request without txid", func() *api.SecureEnvelope {
			return f.started(t, func(tx *generic.Transaction) { tx.ExtraJson = `{"waybill":{"kind":"request"}}` })
		}, nil, api.MissingFields, api.TransferRepair, nil},
		{"engine finds it invalid", func() *api.SecureEnvelope { return f.started(t, nil) },
			&engine.ValidationError{Fields: []engine.FieldError{{Path: "transaction.amount", Code: "invalid", Message: "must be positive"}}},
			api.ValidationError, api.TransferRepair, nil},
		{"engine refuses the move", func() *api.SecureEnvelope { return f.sealed(t, known, api.TransferAccepted, txid) },
			&transfer.TransitionError{From: transfer.StatusDeclined, Event: transfer.EventAccept}, api.BadRequest, api.TransferRejected, nil},
		{"engine fails", func() *api.SecureEnvelope { return f.started(t, nil) }, errors.New("database on fire"), api.InternalError, api.TransferRepair, nil},
		{"address confirmed", func() *api.SecureEnvelope {
			return f.sealed(t, known, api.TransferPending, &generic.Pending{ExtraJson: `{"waybill":{"kind":"address_confirmation"}}`})
		}, nil, api.Unhandled, api.TransferPending, func(t *testing.T, m route.Inbound) {
			require.Equal(t, route.KindAddressConfirmation, m.Message.Kind)
			require.True(t, m.Message.Confirmed)
		}},
		{"pending from another node means not ready", func() *api.SecureEnvelope {
			return f.sealed(t, known, api.TransferPending, &generic.Pending{Message: "compliance review, reply within 24h"})
		}, nil, api.Unhandled, api.TransferPending, func(t *testing.T, m route.Inbound) {
			require.Equal(t, route.DecisionNotReady, m.Message.Decision)
			require.Equal(t, "not_ready: compliance review, reply within 24h", m.Message.Reason)
		}},
		{"accepted", func() *api.SecureEnvelope { return f.sealed(t, known, api.TransferAccepted, txid) }, nil, api.Unhandled, api.TransferAccepted,
			func(t *testing.T, m route.Inbound) { require.Equal(t, route.DecisionAccept, m.Message.Decision) }},
		{"completed", func() *api.SecureEnvelope { return f.sealed(t, known, api.TransferCompleted, txid) }, nil, api.Unhandled, api.TransferCompleted,
			func(t *testing.T, m route.Inbound) { require.Equal(t, "0xfeed", m.Message.TxHash) }},
		{"completed without txid", func() *api.SecureEnvelope {
			return f.sealed(t, known, api.TransferCompleted, &generic.Transaction{Beneficiary: "0xb", Network: "ETH"})
		}, nil, api.MissingFields, api.TransferRepair, nil},
		{"pre-v1.1 envelope with a txid", func() *api.SecureEnvelope { return f.sealed(t, known, api.TransferStateUnspecified, txid) },
			nil, api.Unhandled, api.TransferStateUnspecified, func(t *testing.T, m route.Inbound) { require.Equal(t, route.KindTxHash, m.Message.Kind) }},
		{"accepted, unknown transfer", func() *api.SecureEnvelope { return f.sealed(t, uuid.NewString(), api.TransferAccepted, txid) },
			nil, api.BadRequest, api.TransferRejected, nil},
		{"started carrying a pending", func() *api.SecureEnvelope {
			return f.sealed(t, uuid.NewString(), api.TransferStarted, &generic.Pending{})
		}, nil, api.UnparseableTransaction, api.TransferRepair, nil},
		{"rejected without an error", func() *api.SecureEnvelope { return f.sealed(t, known, api.TransferRejected, txid) },
			nil, api.BadRequest, api.TransferRejected, nil},
		{"cancel", func() *api.SecureEnvelope { return errEnvelope(known, api.Canceled, "customer withdrew") }, nil, api.Canceled, api.TransferRejected,
			func(t *testing.T, m route.Inbound) {
				require.Equal(t, route.KindCancel, m.Message.Kind)
				require.Equal(t, "cancelled: customer withdrew", m.Message.Reason)
			}},
		{"decline", func() *api.SecureEnvelope { return errEnvelope(known, api.HighRisk, "risk") }, nil, api.HighRisk, api.TransferRejected,
			func(t *testing.T, m route.Inbound) { require.Equal(t, route.DecisionDecline, m.Message.Decision) }},
		{"error about an unknown transfer", func() *api.SecureEnvelope { return errEnvelope(uuid.NewString(), api.Canceled, "x") },
			nil, api.BadRequest, api.TransferRejected, nil},
		{"service error is echoed, no change", func() *api.SecureEnvelope { return errEnvelope(known, api.Unavailable, "busy") },
			nil, api.Unavailable, api.TransferRejected, nil},
		{"unknown state", func() *api.SecureEnvelope { e := f.started(t, nil); e.TransferState = 99; return e }, nil, api.BadRequest, api.TransferRejected, nil},
		{"not sealed", func() *api.SecureEnvelope { e := f.started(t, nil); e.Sealed = false; return e }, nil, api.BadRequest, api.TransferRejected, nil},
		{"sealed for another key", func() *api.SecureEnvelope {
			p, err := newPayload(&ivms101.IdentityPayload{}, txid, time.Now(), time.Time{})
			require.NoError(t, err)
			e, _, err := Seal(uuid.NewString(), api.TransferStarted, p, &f.peer.Key.PublicKey, time.Now())
			require.NoError(t, err)
			return e
		}, nil, api.InvalidKey, api.TransferRepair, nil},
		{"empty envelope", func() *api.SecureEnvelope { return &api.SecureEnvelope{} }, nil, api.BadRequest, api.TransferRejected, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.recv.set(tc.recvErr)
			before := f.recv.count()
			env := tc.env()
			reply, err := netc.Transfer(ctx, env)
			require.NoError(t, err, "refusals travel inside OK responses")
			require.Nil(t, checkEnvelope(reply), "the reply is a valid envelope")
			if _, perr := uuid.Parse(env.Id); perr == nil {
				require.Equal(t, env.Id, reply.Id)
			}
			if tc.code != api.Unhandled {
				require.True(t, hasError(reply), "an error envelope")
				require.Equal(t, tc.code.String(), reply.Error.Code.String(), reply.Error.Message)
				require.NotEmpty(t, reply.Error.Message)
			} else {
				require.False(t, hasError(reply), "%v", reply.Error)
				payload, _, rej := Open(reply, f.peer.Key)
				require.Nil(t, rej, "sealed for the sender")
				c, rej := readPayload(payload)
				require.Nil(t, rej)
				if tc.state == api.TransferPending && tc.name == "inquiry" {
					require.Equal(t, "Beta Exchange SAS", c.pending.ReceivedBy)
				}
			}
			require.Equal(t, tc.state.String(), reply.TransferState.String())
			if tc.got != nil {
				require.Greater(t, f.recv.count(), before, "the engine got the message")
				tc.got(t, f.recv.last())
			}
		})
	}
	// The history of the known transfer holds what was received and answered.
	h, err := f.a.History(ctx, f.vaspID, "t-"+known)
	require.NoError(t, err)
	require.NotEmpty(t, h)
}

// TestPeers: who may call, and what the other services answer.
func TestPeers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()

	t.Run("a certificate no directory knows", func(t *testing.T) {
		stranger, err := f.ca.Issue(pki.LeafOptions{Endpoints: []string{"stranger.trisa.test"}, Bits: pki.TestBits})
		require.NoError(t, err)
		netc, _ := f.client(t, stranger)
		reply, err := netc.Transfer(ctx, f.started(t, nil))
		require.NoError(t, err)
		require.Equal(t, api.Forbidden, reply.Error.GetCode())
		conf, err := netc.ConfirmAddress(ctx, &api.Address{CryptoAddress: "0xBeta", Network: "ETH"})
		require.NoError(t, err)
		require.False(t, conf.ControlledByEntity, "strangers learn nothing")
		require.Equal(t, api.Forbidden, conf.Error.GetCode())
	})

	t.Run("a certificate from another authority", func(t *testing.T) {
		other, leaves, err := pki.TestSet([]string{"peer.trisa.test"})
		require.NoError(t, err)
		netc, _ := f.client(t, leaves[0])
		_, err = netc.Transfer(ctx, f.started(t, nil))
		require.Error(t, err, "refused in the TLS handshake")
		require.NotEqual(t, codes.OK, status.Code(err))

		// Pinned in the directory entry, that authority vouches for it.
		require.NoError(t, f.store.InTx(ctx, func(tx store.Tx) error {
			cp, err := tx.GetCounterparty(ctx, f.vaspID, f.cpID)
			if err != nil {
				return err
			}
			cp.Routes.TRISA.CertPEM = string(other.CertPEM())
			return tx.UpdateCounterparty(ctx, cp)
		}))
		defer func() {
			require.NoError(t, f.store.InTx(ctx, func(tx store.Tx) error {
				cp, err := tx.GetCounterparty(ctx, f.vaspID, f.cpID)
				if err != nil {
					return err
				}
				cp.Routes.TRISA.CertPEM = ""
				return tx.UpdateCounterparty(ctx, cp)
			}))
		}()
		netc, _ = f.client(t, leaves[0])
		reply, err := netc.Transfer(ctx, f.started(t, nil))
		require.NoError(t, err)
		require.False(t, hasError(reply), "%v", reply.Error)
		// And the node's own authority no longer does, for that entry.
		netc, _ = f.client(t, f.peer)
		reply, err = netc.Transfer(ctx, f.started(t, nil))
		require.NoError(t, err)
		require.Equal(t, api.Forbidden, reply.Error.GetCode())
	})

	t.Run("key exchange", func(t *testing.T) {
		netc, _ := f.client(t, f.peer)
		k, err := keysFromLeaf(f.peer)
		require.NoError(t, err)
		theirs, err := netc.KeyExchange(ctx, k)
		require.NoError(t, err)
		got, err := exchangeKey(theirs, time.Now())
		require.NoError(t, err)
		require.True(t, got.Equal(f.a.id.SealingKey()))
		cached, ok := f.a.cache.get("peer.trisa.test")
		require.True(t, ok, "the caller's key is kept for sealing replies")
		require.True(t, cached.Equal(&f.peer.Key.PublicKey))

		for name, bad := range map[string]*api.SigningKey{
			"nothing":  {},
			"garbage":  {Data: []byte("not a key")},
			"revoked":  {Data: k.Data, Revoked: true},
			"expired":  {Data: k.Data, NotAfter: time.Now().Add(-time.Hour).Format(time.RFC3339)},
			"too weak": weakKey(t),
		} {
			_, err := netc.KeyExchange(ctx, bad)
			require.Equal(t, codes.InvalidArgument, status.Code(err), name)
		}
	})

	t.Run("confirm address", func(t *testing.T) {
		netc, _ := f.client(t, f.peer)
		for _, tc := range []struct {
			addr       *api.Address
			controlled bool
			code       api.Error_Code
		}{
			{&api.Address{CryptoAddress: "0xBETA", Network: "ETH", Confirmation: api.ConfirmationTypeSimple}, true, 0},
			{&api.Address{CryptoAddress: "0xbeta", Network: "ethereum"}, true, 0},
			{&api.Address{CryptoAddress: "0xBeta", Network: "BTC"}, false, 0},
			{&api.Address{CryptoAddress: "0xelse", Network: "ETH"}, false, 0},
			{&api.Address{CryptoAddress: "0xBeta", Network: "ETH", Confirmation: api.ConfirmationTypeKeyToken}, false, api.Error_UNSUPPORTED_ADDRESS_CONFIRMATION},
			{&api.Address{Network: "ETH"}, false, api.MissingFields},
		} {
			got, err := netc.ConfirmAddress(ctx, tc.addr)
			require.NoError(t, err)
			require.Equal(t, tc.controlled, got.ControlledByEntity, "%v", tc.addr)
			require.Equal(t, tc.code, got.Error.GetCode())
		}
	})

	t.Run("stream", func(t *testing.T) {
		netc, _ := f.client(t, f.peer)
		stream, err := netc.TransferStream(ctx)
		require.NoError(t, err)
		sent := []*api.SecureEnvelope{f.started(t, nil), {Id: "not-a-uuid"}, f.started(t, nil)}
		for _, e := range sent {
			require.NoError(t, stream.Send(e))
		}
		require.NoError(t, stream.CloseSend())
		for i := range sent {
			reply, err := stream.Recv()
			require.NoError(t, err)
			if i == 1 {
				require.Equal(t, api.BadRequest, reply.Error.GetCode())
				continue
			}
			require.Equal(t, sent[i].Id, reply.Id, "in order")
			require.Equal(t, api.TransferPending, reply.TransferState)
		}
	})

	t.Run("health", func(t *testing.T) {
		_, health := f.client(t, f.peer)
		st, err := health.Status(ctx, &api.HealthCheck{Attempts: 1})
		require.NoError(t, err)
		require.Equal(t, api.ServiceStatusHealthy, st.Status)
	})
}

func keysFromLeaf(l *pki.Leaf) (*api.SigningKey, error) {
	der, err := x509.MarshalPKIXPublicKey(&l.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &api.SigningKey{Version: 3, PublicKeyAlgorithm: "RSA", Data: der}, nil
}

func weakKey(t testing.TB) *api.SigningKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return &api.SigningKey{Data: der}
}

func testOriginator() *ivms.Originator {
	return &ivms.Originator{AccountNumbers: []string{"0xAlpha"}, Persons: []*ivms101.Person{{Person: &ivms101.Person_NaturalPerson{
		NaturalPerson: &ivms101.NaturalPerson{Name: &ivms101.NaturalPersonName{NameIdentifiers: []*ivms101.NaturalPersonNameId{
			{PrimaryIdentifier: "Schmidt", SecondaryIdentifier: "Anna", NameIdentifierType: ivms101.NaturalPersonLegal}}}}}}}}
}
