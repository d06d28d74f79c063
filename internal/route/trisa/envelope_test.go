package trisa

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/trisacrypto/trisa/pkg/ivms101"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	generic "github.com/trisacrypto/trisa/pkg/trisa/data/generic/v1beta1"
	"github.com/trisacrypto/trisa/pkg/trisa/envelope"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// fixtureDir returns trisa's envelope fixtures in the module cache (never copied here), or
// skips when the module is not in the cache.
func fixtureDir(t testing.TB) string {
	t.Helper()
	dir, err := moduleDir()
	if err != nil {
		t.Skip("trisa module not found in the module cache")
	}
	dir = filepath.Join(dir, "pkg", "trisa", "envelope", "testdata")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("trisa envelope testdata not found")
	}
	return dir
}

// moduleDir is where the trisa module sits in the module cache.
func moduleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/trisacrypto/trisa").Output()
	dir := strings.TrimSpace(string(out))
	if err == nil && dir == "" {
		err = os.ErrNotExist
	}
	return dir, err
}

func loadProto(t testing.TB, path string, m proto.Message) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, m))
}

func fixtureKey(t testing.TB, dir string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "sealing_key.pem"))
	require.NoError(t, err)
	k, err := parseRSAKey(data)
	require.NoError(t, err)
	return k
}

// TestOpenTRISAFixture: TRISA's own sealed envelope opens with our code path and says what
// TRISA's payload fixture says (a Pending reply), and TRISA's transaction fixture reads as the
// transfer it describes.
func TestOpenTRISAFixture(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t)
	env := &api.SecureEnvelope{}
	loadProto(t, filepath.Join(dir, "sealed_envelope.json"), env)
	want := &api.Payload{}
	loadProto(t, filepath.Join(dir, "pending_payload.json"), want)
	key := fixtureKey(t, dir)

	payload, kept, rej := Open(env, key)
	require.Nil(t, rej)
	require.True(t, proto.Equal(want, payload), "the fixture's payload")
	require.Equal(t, env.Payload, kept.Payload, "the ciphertext is kept byte for byte")
	require.Equal(t, env.Hmac, kept.Hmac, "and its HMAC")
	require.False(t, kept.Sealed)
	require.Len(t, kept.EncryptionKey, 32)

	c, rej := readPayload(payload)
	require.Nil(t, rej)
	require.NotNil(t, c.pending)
	require.Equal(t, "BobVASP Compliance Review", c.pending.ReceivedBy)
	o, b := parties(c.identity)
	require.NotNil(t, o)
	require.NotNil(t, b)
	require.Equal(t, "Howard", o.Persons[0].GetNaturalPerson().GetName().GetNameIdentifiers()[0].GetPrimaryIdentifier())

	// Our unsealed copy opens again (what the history does with it).
	again, err := openUnsealed(kept)
	require.NoError(t, err)
	require.True(t, proto.Equal(want, again))

	// The same envelope opened with another key is refused with INVALID_KEY, asking for a
	// new key exchange.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	_, _, rej = Open(env, other)
	require.NotNil(t, rej)
	require.Equal(t, api.InvalidKey, rej.Code)
	require.True(t, rej.Retry)

	// TRISA's full payload fixture: a bitcoin transaction.
	full := &api.Payload{}
	loadProto(t, filepath.Join(dir, "payload.json"), full)
	fc, rej := readPayload(full)
	require.Nil(t, rej)
	require.NotNil(t, fc.transaction)
	tx, rej := fromTransaction(fc.transaction)
	require.Nil(t, rej)
	require.Equal(t, "bitcoin", tx.Asset.Network)
	require.Equal(t, "BTC", tx.Asset.Symbol)
	require.Equal(t, "0.00206412", tx.Amount.String())
	require.Equal(t, "14WU745djqecaJ1gmtWQGeMCFim1W5MNp3", tx.DestinationAddress)
	require.Equal(t, "14HmBSwec8XrcWge9Zi1ZngNia64u3Wd2v", tx.OriginAddress)
	require.Equal(t, fc.transaction.Txid, tx.TxHash)
}

// TestOpenTRISAErrorFixture: TRISA's error envelope fixture is well formed for us, and its
// code means a decline.
func TestOpenTRISAErrorFixture(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t)
	env := &api.SecureEnvelope{}
	loadProto(t, filepath.Join(dir, "error_envelope.json"), env)
	require.Nil(t, checkEnvelope(env))
	require.True(t, hasError(env))
	m := fromError(env.Error, false)
	require.NotNil(t, m)
	require.Equal(t, "decision", string(m.Kind))
	require.Equal(t, "decline", m.Decision)
	require.True(t, strings.HasPrefix(m.Reason, "compliance_check_fail: "), m.Reason)
}

func testPayload(t testing.TB) *api.Payload {
	t.Helper()
	identity := &ivms101.IdentityPayload{Originator: &ivms101.Originator{AccountNumbers: []string{"acct-1"},
		OriginatorPersons: []*ivms101.Person{{Person: &ivms101.Person_NaturalPerson{NaturalPerson: &ivms101.NaturalPerson{
			Name: &ivms101.NaturalPersonName{NameIdentifiers: []*ivms101.NaturalPersonNameId{
				{PrimaryIdentifier: "Schmidt", SecondaryIdentifier: "Anna", NameIdentifierType: ivms101.NaturalPersonLegal}}}}}}}}}
	tx := &generic.Transaction{Originator: "0xa", Beneficiary: "0xb", Amount: 1.5, Network: "ETH", AssetType: "ETH"}
	p, err := newPayload(identity, tx, time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), time.Time{})
	require.NoError(t, err)
	return p
}

// TestSealOpensWithTRISA: what we seal opens with trisa's envelope package, and also with an
// independent standard-library reading of TRISA's layout (RSA-OAEP-SHA512 secrets,
// HMAC-SHA256 over the whole ciphertext, AES-256-GCM with the nonce at the end).
func TestSealOpensWithTRISA(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p := testPayload(t)
	id := uuid.NewString()
	at := time.Date(2026, 11, 21, 12, 0, 0, 123, time.UTC)
	sealed, kept, err := Seal(id, api.TransferStarted, p, &key.PublicKey, at)
	require.NoError(t, err)
	require.Equal(t, id, sealed.Id)
	require.Equal(t, api.TransferStarted, sealed.TransferState)
	require.True(t, sealed.Sealed)
	require.Equal(t, "AES256-GCM", sealed.EncryptionAlgorithm)
	require.Equal(t, "HMAC-SHA256", sealed.HmacAlgorithm)
	require.Equal(t, at.Format(time.RFC3339Nano), sealed.Timestamp)
	pks, err := publicKeySignature(&key.PublicKey)
	require.NoError(t, err)
	require.Equal(t, pks, sealed.PublicKeySignature)
	require.Equal(t, sealed.Payload, kept.Payload)
	require.Equal(t, sealed.Hmac, kept.Hmac)

	// trisa's package.
	// (trisa's OpenPayload unseals the message it is given in place: give it a copy.)
	got, rej, err := envelope.OpenPayload(proto.Clone(sealed).(*api.SecureEnvelope), envelope.WithRSAPrivateKey(key))
	require.NoError(t, err)
	require.Nil(t, rej)
	require.True(t, proto.Equal(p, got))

	// The standard library alone.
	label := []byte(nil)
	encKey, err := rsa.DecryptOAEP(sha512.New(), nil, key, sealed.EncryptionKey, label)
	require.NoError(t, err)
	require.Len(t, encKey, 32)
	secret, err := rsa.DecryptOAEP(sha512.New(), nil, key, sealed.HmacSecret, label)
	require.NoError(t, err)
	mac := hmac.New(sha256.New, secret)
	mac.Write(sealed.Payload)
	require.True(t, hmac.Equal(mac.Sum(nil), sealed.Hmac), "HMAC over the whole blob, nonce included")
	block, err := aes.NewCipher(encKey)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	n := len(sealed.Payload) - gcm.NonceSize()
	clear, err := gcm.Open(nil, sealed.Payload[n:], sealed.Payload[:n], nil)
	require.NoError(t, err, "nonce appended after ciphertext and tag")
	var decoded api.Payload
	require.NoError(t, proto.Unmarshal(clear, &decoded))
	require.True(t, proto.Equal(p, &decoded))
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	sum := sha256.Sum256(der)
	require.Equal(t, "SHA256:"+base64.RawStdEncoding.EncodeToString(sum[:]), sealed.PublicKeySignature)
}

// TestTRISASealOpensWithOurs: what trisa's package seals opens with our code path.
func TestTRISASealOpensWithOurs(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p := testPayload(t)
	env, rej, err := envelope.SealPayload(p, envelope.WithRSAPublicKey(&key.PublicKey), envelope.WithTransferState(api.TransferAccepted))
	require.NoError(t, err)
	require.Nil(t, rej)
	got, _, ourRej := Open(env, key)
	require.Nil(t, ourRej)
	require.True(t, proto.Equal(p, got))
}

// TestOpenRefusals: every bad envelope gets the code TRISA prescribes.
func TestOpenRefusals(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	good := func() *api.SecureEnvelope {
		s, _, err := Seal(uuid.NewString(), api.TransferStarted, testPayload(t), &key.PublicKey, time.Now())
		require.NoError(t, err)
		return s
	}
	sealWith := func(p *api.Payload, secret []byte) *api.SecureEnvelope {
		opts := []envelope.Option{envelope.WithRSAPublicKey(&key.PublicKey)}
		if secret != nil {
			opts = append(opts, envelope.WithAESGCM(secret, nil))
		}
		env, err := envelope.New(p, opts...)
		require.NoError(t, err)
		u, _, err := env.Encrypt()
		require.NoError(t, err)
		s, _, err := u.Seal()
		require.NoError(t, err)
		return s.Proto()
	}
	tests := []struct {
		name string
		env  func() *api.SecureEnvelope
		code api.Error_Code
	}{
		{"nil", func() *api.SecureEnvelope { return nil }, api.BadRequest},
		{"id not a uuid", func() *api.SecureEnvelope { e := good(); e.Id = "tx-1"; return e }, api.BadRequest},
		{"bad timestamp", func() *api.SecureEnvelope { e := good(); e.Timestamp = "yesterday"; return e }, api.BadRequest},
		{"unknown state", func() *api.SecureEnvelope { e := good(); e.TransferState = 42; return e }, api.BadRequest},
		{"nothing in it", func() *api.SecureEnvelope {
			return &api.SecureEnvelope{Id: uuid.NewString(), Timestamp: time.Now().Format(time.RFC3339)}
		}, api.BadRequest},
		{"error without code", func() *api.SecureEnvelope {
			return &api.SecureEnvelope{Id: uuid.NewString(), Timestamp: time.Now().Format(time.RFC3339), Error: &api.Error{Message: "x"}}
		}, api.BadRequest},
		{"error with unknown code", func() *api.SecureEnvelope {
			return &api.SecureEnvelope{Id: uuid.NewString(), Timestamp: time.Now().Format(time.RFC3339), Error: &api.Error{Code: 77, Message: "x"}}
		}, api.BadRequest},
		{"no hmac", func() *api.SecureEnvelope { e := good(); e.Hmac = nil; return e }, api.BadRequest},
		{"not sealed", func() *api.SecureEnvelope { e := good(); e.Sealed = false; return e }, api.BadRequest},
		{"other algorithm", func() *api.SecureEnvelope { e := good(); e.EncryptionAlgorithm = "AES128-CBC"; return e }, api.UnhandledAlgorithm},
		{"sealed for another key", func() *api.SecureEnvelope {
			s, _, err := Seal(uuid.NewString(), api.TransferStarted, testPayload(t), &other.PublicKey, time.Now())
			require.NoError(t, err)
			return s
		}, api.InvalidKey},
		{"sealed for another key, unsigned", func() *api.SecureEnvelope {
			s, _, err := Seal(uuid.NewString(), api.TransferStarted, testPayload(t), &other.PublicKey, time.Now())
			require.NoError(t, err)
			s.PublicKeySignature = ""
			return s
		}, api.InvalidKey},
		{"garbage key", func() *api.SecureEnvelope { e := good(); e.EncryptionKey = []byte("garbage"); return e }, api.InvalidKey},
		{"AES-128 key under an AES-256 name", func() *api.SecureEnvelope {
			e := sealWith(testPayload(t), bytes.Repeat([]byte{7}, 16))
			e.EncryptionAlgorithm = "AES256-GCM"
			return e
		}, api.InvalidKey},
		{"AES-128", func() *api.SecureEnvelope { return sealWith(testPayload(t), bytes.Repeat([]byte{7}, 16)) }, api.UnhandledAlgorithm},
		{"tampered ciphertext", func() *api.SecureEnvelope { e := good(); e.Payload[0] ^= 1; return e }, api.InvalidSignature},
		{"tampered hmac", func() *api.SecureEnvelope { e := good(); e.Hmac[0] ^= 1; return e }, api.InvalidSignature},
		{"payload without identity", func() *api.SecureEnvelope {
			p := testPayload(t)
			p.Identity = nil
			s, _, err := Seal(uuid.NewString(), api.TransferStarted, &api.Payload{Transaction: p.Transaction, SentAt: p.SentAt}, &key.PublicKey, time.Now())
			require.Error(t, err, "we never seal an invalid payload")
			require.Nil(t, s)
			env, err := envelope.New(&api.Payload{Transaction: p.Transaction, SentAt: p.SentAt, Identity: &anypb.Any{}}, envelope.WithRSAPublicKey(&key.PublicKey))
			require.NoError(t, err)
			u, _, err := env.Encrypt()
			require.NoError(t, err)
			// An empty identity Any passes trisa's payload check; the protobuf then says what it is.
			sealed, _, err := u.Seal()
			require.NoError(t, err)
			return sealed.Proto()
		}, api.Unhandled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, kept, rej := Open(tc.env(), key)
			if tc.code == api.Unhandled {
				// Opens, but the payload's parts are not TRISA's types: readPayload says so.
				require.Nil(t, rej)
				require.NotNil(t, kept)
				_, rej = readPayload(p)
				require.NotNil(t, rej)
				require.Equal(t, api.UnparseableIdentity, rej.Code)
				return
			}
			require.NotNil(t, rej)
			require.Nil(t, p)
			require.Equal(t, tc.code.String(), rej.Code.String(), rej.Message)
			require.NotEmpty(t, rej.Message)
		})
	}
}
