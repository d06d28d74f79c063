package keyring

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	master := make([]byte, KeySize)
	_, _ = rand.Read(master)
	stored := map[string][]byte{}
	k1, err := New(master, rand.Reader, nil)
	require.NoError(t, err)
	w, err := k1.NewDataKey("v1")
	require.NoError(t, err)
	stored["v1"] = w

	ct, err := k1.Seal(ctx, "v1", []byte("t1"), []byte("secret identity"))
	require.NoError(t, err)
	require.NotContains(t, string(ct), "secret")

	// A second keyring (another replica) unwraps the stored key through the loader.
	k2, err := New(master, rand.Reader, func(_ context.Context, id string) ([]byte, error) { return stored[id], nil })
	require.NoError(t, err)
	pt, err := k2.Open(ctx, "v1", []byte("t1"), ct)
	require.NoError(t, err)
	require.Equal(t, "secret identity", string(pt))

	_, err = k2.Open(ctx, "v1", []byte("t2"), ct)
	require.ErrorIs(t, err, ErrDecrypt, "another record's context must not open it")
	ct[len(ct)-1] ^= 1
	_, err = k2.Open(ctx, "v1", []byte("t1"), ct)
	require.ErrorIs(t, err, ErrDecrypt, "tampering must be detected")

	other := make([]byte, KeySize)
	k3, err := New(other, rand.Reader, func(_ context.Context, id string) ([]byte, error) { return stored[id], nil })
	require.NoError(t, err)
	_, err = k3.Open(ctx, "v1", []byte("t1"), ct)
	require.Error(t, err, "a wrong master key must not unwrap the data key")
}

func TestMasterKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "waybill.key")
	k, created, err := LoadOrCreateMasterKeyFile(path, rand.Reader)
	require.NoError(t, err)
	require.True(t, created)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	k2, created, err := LoadOrCreateMasterKeyFile(path, rand.Reader)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, k, k2)

	_, err = ParseMasterKey("dG9vIHNob3J0")
	require.ErrorContains(t, err, "32 bytes")
}
