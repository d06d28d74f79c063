package trisa

import (
	"crypto/rsa"
	"sync"
	"time"
)

// maxCachedKeys bounds the key-exchange cache; peers are authenticated by mutual TLS, so the
// bound only guards against a misbehaving one.
const maxCachedKeys = 4096

// keyCache holds peers' sealing keys learned in key exchanges, by peer name, for a TTL
// (TRISA recommends at most an hour). A miss means: exchange keys again. Nothing else depends
// on it, so each replica keeps its own.
type keyCache struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   *rsa.PublicKey
	until time.Time
}

func newKeyCache(ttl time.Duration, now func() time.Time) *keyCache {
	return &keyCache{ttl: ttl, now: now, m: map[string]cachedKey{}}
}

// get returns the peer's key while it is fresh.
func (c *keyCache) get(peer string) (*rsa.PublicKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.m[peer]
	if !ok {
		return nil, false
	}
	if !c.now().Before(k.until) {
		delete(c.m, peer)
		return nil, false
	}
	return k.key, true
}

// put remembers the peer's key for the TTL.
func (c *keyCache) put(peer string, key *rsa.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if _, ok := c.m[peer]; !ok && len(c.m) >= maxCachedKeys {
		for p, k := range c.m {
			if !now.Before(k.until) {
				delete(c.m, p)
			}
		}
		for p := range c.m {
			if len(c.m) < maxCachedKeys {
				break
			}
			delete(c.m, p)
		}
	}
	c.m[peer] = cachedKey{key: key, until: now.Add(c.ttl)}
}

// forget drops the peer's key (it refused an envelope sealed with it).
func (c *keyCache) forget(peer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, peer)
}

// forgetAll drops the keys of every name of a peer.
func (c *keyCache) forgetAll(peers []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range peers {
		delete(c.m, p)
	}
}
