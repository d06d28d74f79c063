// Package keyring protects identity data at rest: AES-256-GCM under a per-VASP data key, each
// data key wrapped by the node's master key. It holds no storage; wrapped keys are loaded through
// a function the caller supplies. It never logs or returns plaintext in errors.
package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeySize is the size of master and data keys: 32 bytes, AES-256.
const KeySize = 32

const version byte = 1

// ErrDecrypt is returned when a ciphertext does not open: wrong key, wrong context or tampering.
var ErrDecrypt = errors.New("keyring: ciphertext does not open")

// Loader returns the wrapped data key of a VASP.
type Loader func(ctx context.Context, vaspID string) ([]byte, error)

// Keyring seals and opens data for VASPs.
type Keyring struct {
	master cipher.AEAD
	rand   io.Reader
	load   Loader

	mu   sync.RWMutex
	keys map[string]cipher.AEAD
}

// New returns a keyring over a 32-byte master key. rand supplies nonces and new data keys;
// load fetches wrapped data keys not yet in memory.
func New(master []byte, rand io.Reader, load Loader) (*Keyring, error) {
	aead, err := newAEAD(master)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return &Keyring{master: aead, rand: rand, load: load, keys: map[string]cipher.AEAD{}}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// NewDataKey makes a fresh data key for a VASP and returns it wrapped by the master key, ready to
// store. The key is also kept in memory.
func (k *Keyring) NewDataKey(vaspID string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(k.rand, key); err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	wrapped, err := seal(k.master, k.rand, wrapAAD(vaspID), key)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys[vaspID] = aead
	k.mu.Unlock()
	return wrapped, nil
}

func wrapAAD(vaspID string) []byte { return []byte("waybill/data-key/" + vaspID) }

func (k *Keyring) dataKey(ctx context.Context, vaspID string) (cipher.AEAD, error) {
	k.mu.RLock()
	aead, ok := k.keys[vaspID]
	k.mu.RUnlock()
	if ok {
		return aead, nil
	}
	if k.load == nil {
		return nil, fmt.Errorf("keyring: no data key for vasp %s", vaspID)
	}
	wrapped, err := k.load(ctx, vaspID)
	if err != nil {
		return nil, fmt.Errorf("keyring: load data key for vasp %s: %w", vaspID, err)
	}
	key, err := open(k.master, wrapAAD(vaspID), wrapped)
	if err != nil {
		return nil, fmt.Errorf("keyring: unwrap data key for vasp %s: %w", vaspID, err)
	}
	if aead, err = newAEAD(key); err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.keys[vaspID] = aead
	k.mu.Unlock()
	return aead, nil
}

// Seal encrypts plaintext for a VASP. aad binds the ciphertext to its context (for example the
// transfer id), so it cannot be moved to another record.
func (k *Keyring) Seal(ctx context.Context, vaspID string, aad, plaintext []byte) ([]byte, error) {
	aead, err := k.dataKey(ctx, vaspID)
	if err != nil {
		return nil, err
	}
	return seal(aead, k.rand, aad, plaintext)
}

// Open decrypts what Seal produced with the same VASP and aad; it returns ErrDecrypt when the
// ciphertext was altered or belongs elsewhere.
func (k *Keyring) Open(ctx context.Context, vaspID string, aad, ciphertext []byte) ([]byte, error) {
	aead, err := k.dataKey(ctx, vaspID)
	if err != nil {
		return nil, err
	}
	return open(aead, aad, ciphertext)
}

func seal(aead cipher.AEAD, rand io.Reader, aad, plaintext []byte) ([]byte, error) {
	ns := aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(rand, out[1:1+ns]); err != nil {
		return nil, fmt.Errorf("keyring: nonce: %w", err)
	}
	return aead.Seal(out, out[1:1+ns], plaintext, aad), nil
}

func open(aead cipher.AEAD, aad, ciphertext []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(ciphertext) < 1+ns+aead.Overhead() || ciphertext[0] != version {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, ciphertext[1:1+ns], ciphertext[1+ns:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// ParseMasterKey decodes a base64 (standard or URL alphabet) master key and checks its size.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("master key must decode to %d bytes, got %d", KeySize, len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("master key is not base64")
}

// LoadOrCreateMasterKeyFile reads the master key from path, or, when the file does not exist,
// generates one and writes it with mode 0600. created reports which happened.
func LoadOrCreateMasterKeyFile(path string, rand io.Reader) (key []byte, created bool, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseMasterKey(string(data))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, KeySize)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil, false, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process created it first
			return LoadOrCreateMasterKeyFile(path, rand)
		}
		return nil, false, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	return key, true, nil
}
