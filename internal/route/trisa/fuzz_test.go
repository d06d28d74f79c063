package trisa

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// checkAnswer holds for every answer to any envelope: a valid envelope with a UUID id (the
// received one when it was a UUID), and when it is an error, a known code and a message.
func checkAnswer(t *testing.T, in, reply *api.SecureEnvelope) {
	t.Helper()
	require.NotNil(t, reply)
	if err := checkEnvelope(reply); err != nil {
		require.Failf(t, "invalid answer", "%s", err.Message)
	}
	if _, err := uuid.Parse(in.GetId()); err == nil {
		require.Equal(t, in.GetId(), reply.Id)
	}
	if hasError(reply) {
		_, ok := api.Error_Code_name[int32(reply.Error.Code)]
		require.True(t, ok)
		require.NotEqual(t, api.Unhandled, reply.Error.Code)
		require.NotEmpty(t, reply.Error.Message)
		want := api.TransferRejected
		if reply.Error.Retry {
			want = api.TransferRepair
		}
		require.Equal(t, want, reply.TransferState)
	}
}

// seedEnvelopes are valid and nearly valid envelopes for the fuzzers to start from.
func seedEnvelopes(t testing.TB, key *rsa.PublicKey, known string) [][]byte {
	t.Helper()
	var out [][]byte
	add := func(e *api.SecureEnvelope) {
		b, err := proto.Marshal(e)
		require.NoError(t, err)
		out = append(out, b)
	}
	now := time.Now()
	identity := &ivms101.IdentityPayload{Originator: &ivms101.Originator{OriginatorPersons: testOriginator().Persons}}
	for _, st := range []api.TransferState{api.TransferStarted, api.TransferAccepted, api.TransferCompleted, api.TransferStateUnspecified, api.TransferReview} {
		p, err := newPayload(identity, &generic.Transaction{Txid: "0xfeed", Beneficiary: "0xBeta", Originator: "0xAlpha", Network: "ETH", Amount: 1.5,
			ExtraJson: `{"waybill":{"amount":"1.5","network":"ethereum"}}`}, now, now)
		require.NoError(t, err)
		e, _, err := Seal(known, st, p, key, now)
		require.NoError(t, err)
		add(e)
	}
	p, err := newPayload(identity, &generic.Pending{Message: "later", ExtraJson: `{"waybill":{"kind":"address_confirmation"}}`}, now, now)
	require.NoError(t, err)
	e, _, err := Seal(known, api.TransferPending, p, key, now)
	require.NoError(t, err)
	add(e)
	for _, c := range []api.Error_Code{api.Canceled, api.UnkownWalletAddress, api.HighRisk, api.MissingFields, api.Unavailable, api.InvalidKey} {
		add(rejection(known, &api.Error{Code: c, Message: "seed"}, now))
	}
	add(&api.SecureEnvelope{})
	add(&api.SecureEnvelope{Id: known, Timestamp: now.Format(time.RFC3339), TransferState: 42})
	return out
}

// FuzzOpen: opening any envelope never panics, and either yields a payload or says why not
// with a TRISA code.
func FuzzOpen(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(f, err)
	for _, s := range seedEnvelopes(f, &key.PublicKey, uuid.NewString()) {
		f.Add(s)
	}
	if dir := fixtureDirOrEmpty(); dir != "" {
		env := &api.SecureEnvelope{}
		if data, err := os.ReadFile(filepath.Join(dir, "sealed_envelope.json")); err == nil && protojson.Unmarshal(data, env) == nil {
			if b, err := proto.Marshal(env); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env := &api.SecureEnvelope{}
		if proto.Unmarshal(data, env) != nil {
			return
		}
		p, kept, rej := Open(env, key)
		if rej != nil {
			require.Nil(t, p)
			require.NotEqual(t, api.Unhandled, rej.Code)
			require.NotEmpty(t, rej.Message)
			return
		}
		require.NotNil(t, p)
		require.NotNil(t, kept)
		if c, rej := readPayload(p); rej == nil && c.transaction != nil {
			_, _ = fromTransaction(c.transaction)
		}
	})
}

// FuzzTransfer: the inbound Transfer handler answers anything with a valid envelope, never
// panicking; bad envelopes get an error envelope with a TRISA code.
func FuzzTransfer(f *testing.F) {
	fx := newFixture(f)
	known := uuid.NewString()
	fx.transferFor(f, known)
	for _, s := range seedEnvelopes(f, fx.a.id.SealingKey(), known) {
		f.Add(s)
	}
	// Replies are sealed for the peer's certificate key: keep the fuzz loop free of key
	// exchanges with an endpoint that does not exist.
	fx.a.cache.put("peer.trisa.test", &fx.peer.Key.PublicKey)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		env := &api.SecureEnvelope{}
		if proto.Unmarshal(data, env) != nil {
			return
		}
		reply := fx.a.handle(ctx, fx.pc, env)
		checkAnswer(t, env, reply)
	})
}

// fixtureDirOrEmpty is fixtureDir without a test to skip.
func fixtureDirOrEmpty() string {
	dir, err := moduleDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "pkg", "trisa", "envelope", "testdata")
}
