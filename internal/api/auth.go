package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
)

const (
	securityVASP  = "apiKey"
	securityAdmin = "adminKey"
)

// principal is who a request acts as: an API key and the VASP it names (none for admin keys).
type principal struct {
	KeyID   string
	KeyName string
	VASPID  string
}

func (p principal) actor() audit.Actor {
	return audit.Actor{Type: audit.ActorAPIKey, ID: p.KeyID, Name: p.KeyName}
}

type principalKey struct{}

// who returns the principal the guard put in the request context.
func who(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// keyCache remembers recently seen keys for a few seconds, so a busy backend does not cost a
// key lookup per request. Revocations through this API drop the entry at once; revocations
// elsewhere (the CLI) take effect within the TTL.
type keyCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedKey
}

type cachedKey struct {
	p       principal
	expires time.Time
}

func newKeyCache() *keyCache {
	return &keyCache{ttl: 5 * time.Second, m: map[string]cachedKey{}}
}

func (c *keyCache) get(hash string, now time.Time) (principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.m[hash]
	if !ok || now.After(k.expires) {
		return principal{}, false
	}
	return k.p, true
}

func (c *keyCache) put(hash string, p principal, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= 4096 {
		clear(c.m)
	}
	c.m[hash] = cachedKey{p: p, expires: now.Add(c.ttl)}
}

func (c *keyCache) dropKey(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, k := range c.m {
		if k.p.KeyID == keyID {
			delete(c.m, h)
		}
	}
}

// authenticate checks the bearer key of a request: VASP keys only on /v1, admin keys only on
// /admin/v1. It also bounds the request body to limit bytes.
func (s *server) authenticate(admin bool, limit int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			secret, ok = strings.CutPrefix(auth, "bearer ")
		}
		secret = strings.TrimSpace(secret)
		if !ok || secret == "" || len(secret) > 200 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="waybill"`)
			writeProblem(w, r, http.StatusUnauthorized, "an API key is required: Authorization: Bearer <key>", nil)
			return
		}
		hash := engine.HashAPIKey(secret)
		now := time.Now()
		p, hit := s.keys.get(hash, now)
		if !hit {
			k, err := s.st.Read().GetAPIKeyByHash(r.Context(), hash)
			switch {
			case errors.Is(err, store.ErrNotFound):
				w.Header().Set("WWW-Authenticate", `Bearer realm="waybill", error="invalid_token"`)
				writeProblem(w, r, http.StatusUnauthorized, "the API key is unknown or revoked", nil)
				return
			case err != nil:
				s.log.Error("api key lookup", "request_id", RequestID(r.Context()), "err", err)
				writeProblem(w, r, http.StatusInternalServerError, internalDetail(r.Context()), nil)
				return
			}
			p = principal{KeyID: k.ID, KeyName: k.Name, VASPID: k.VASPID}
			s.keys.put(hash, p, now)
		}
		if admin != (p.VASPID == "") {
			msg := "this key is a VASP key: /admin/v1 needs the administrator's key"
			if !admin {
				msg = "this key is the administrator's: /v1 needs a VASP's key"
			}
			writeProblem(w, r, http.StatusForbidden, msg, nil)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// One byte more than huma's own limit, so huma answers 413 before this reader fails.
			r.Body = http.MaxBytesReader(w, r.Body, limit+1)
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}
