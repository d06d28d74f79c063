package screening

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/waybill/waybill/internal/transfer"
)

// fakeProvider stands in for a paid screening service: it answers with result and err, or
// blocks until release is closed (ignoring ctx, like a badly written adapter), or panics.
type fakeProvider struct {
	name    string
	result  transfer.ScreeningResult
	err     error
	block   chan struct{}
	honour  bool // return ctx.Err() when ctx ends while blocked
	panics  bool
	mu      sync.Mutex
	network string
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Screen(ctx context.Context, network, address string) (transfer.ScreeningResult, error) {
	p.mu.Lock()
	p.network = network
	p.mu.Unlock()
	if p.panics {
		panic("provider bug")
	}
	if p.block != nil {
		if p.honour {
			select {
			case <-p.block:
			case <-ctx.Done():
				return transfer.ScreeningResult{}, ctx.Err()
			}
		} else {
			<-p.block
		}
	}
	return p.result, p.err
}

func blocking(t *testing.T, name string, honour bool) *fakeProvider {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return &fakeProvider{name: name, block: release, honour: honour}
}

func score(s string) *decimal.Decimal { return dec(s) }

func TestScreen(t *testing.T) {
	t.Parallel()
	ofac := buildList(t, "ofac-sdn", "2025-06-03",
		Entry{Address: addrOTC, Network: "bitcoin", Entity: "EXAMPLE OTC", Tags: []string{"CYBER2"}, ID: "90002"})
	internal := buildList(t, "internal", "r7",
		Entry{Address: addrOTC, Entity: "Example OTC", RiskScore: dec("8"), Tags: []string{"mixer"}})
	both, err := NewIndex(ofac, internal)
	require.NoError(t, err)
	onlyOFAC, err := NewIndex(ofac)
	require.NoError(t, err)

	clean := &fakeProvider{name: "trm", result: transfer.ScreeningResult{Status: StatusCompleted, RiskScore: score("1"), RiskTags: []string{"Centralized Exchange"}, Entity: "Example Exchange", EntityID: "trm-7"}}
	risky := &fakeProvider{name: "chainalysis", result: transfer.ScreeningResult{RiskScore: score("6"), RiskTags: []string{"mixer", "darknet"}}}
	failing := &fakeProvider{name: "elliptic", err: errors.New("HTTP 503")}
	uncovered := &fakeProvider{name: "trm", result: transfer.ScreeningResult{Status: StatusNone}}
	outOfRange := &fakeProvider{name: "trm", result: transfer.ScreeningResult{RiskScore: score("15")}}

	tests := []struct {
		name      string
		index     *Index
		providers []Provider
		address   string
		cancel    bool
		want      transfer.ScreeningResult
	}{
		{
			name: "nothing configured", address: addrOTC,
			want: transfer.ScreeningResult{Status: StatusNone, Message: "no screening lists or providers configured"},
		},
		{
			name: "no address", index: onlyOFAC, address: "  ",
			want: transfer.ScreeningResult{Status: StatusNone, Message: "no address to screen"},
		},
		{
			name: "list hit", index: onlyOFAC, address: "BC1Q5VWQD02X8CUJ80Q64K77FZCKJAKQSPCHX9P2KM",
			want: transfer.ScreeningResult{
				Status: StatusCompleted, RiskScore: score("10"), RiskTags: []string{"CYBER2"},
				MatchedList: "ofac-sdn@2025-06-03", Entity: "EXAMPLE OTC", EntityID: "ofac-sdn:90002",
				Message: "lists: listed on ofac-sdn@2025-06-03 for bitcoin",
			},
		},
		{
			name: "list miss", index: both, address: addrTron,
			want: transfer.ScreeningResult{
				Status: StatusCompleted, RiskScore: score("0"),
				Message: "lists: not on internal@r7,ofac-sdn@2025-06-03",
			},
		},
		{
			name: "hits on two lists", index: both, address: addrOTC,
			want: transfer.ScreeningResult{
				Status: StatusCompleted, RiskScore: score("10"), RiskTags: []string{"mixer", "CYBER2"},
				MatchedList: "internal@r7,ofac-sdn@2025-06-03", Entity: "Example OTC; EXAMPLE OTC", EntityID: "ofac-sdn:90002",
				Message: "lists: listed on internal@r7,ofac-sdn@2025-06-03 for bitcoin",
			},
		},
		{
			name: "providers merge: max risk, union of tags", index: onlyOFAC, providers: []Provider{clean, risky}, address: addrTron,
			want: transfer.ScreeningResult{
				Status: StatusCompleted, RiskScore: score("6"),
				RiskTags: []string{"Centralized Exchange", "mixer", "darknet"}, Entity: "Example Exchange", EntityID: "trm-7",
				Message: "lists: not on ofac-sdn@2025-06-03; trm: completed; chainalysis: completed",
			},
		},
		{
			name: "a list hit outranks a provider", index: onlyOFAC, providers: []Provider{risky}, address: addrOTC,
			want: transfer.ScreeningResult{
				Status: StatusCompleted, RiskScore: score("10"), RiskTags: []string{"CYBER2", "mixer", "darknet"},
				MatchedList: "ofac-sdn@2025-06-03", Entity: "EXAMPLE OTC", EntityID: "ofac-sdn:90002",
				Message: "lists: listed on ofac-sdn@2025-06-03 for bitcoin; chainalysis: completed",
			},
		},
		{
			name: "provider error", providers: []Provider{failing}, address: addrTron,
			want: transfer.ScreeningResult{Status: StatusError, Message: "elliptic: error: HTTP 503"},
		},
		{
			name: "provider error keeps the list hit", index: onlyOFAC, providers: []Provider{failing}, address: addrOTC,
			want: transfer.ScreeningResult{
				Status: StatusError, RiskScore: score("10"), RiskTags: []string{"CYBER2"},
				MatchedList: "ofac-sdn@2025-06-03", Entity: "EXAMPLE OTC", EntityID: "ofac-sdn:90002",
				Message: "lists: listed on ofac-sdn@2025-06-03 for bitcoin; elliptic: error: HTTP 503",
			},
		},
		{
			name: "provider ignores the deadline", index: onlyOFAC, providers: []Provider{blocking(t, "slow", false)}, address: addrOTC,
			want: transfer.ScreeningResult{
				Status: StatusTimeout, RiskScore: score("10"), RiskTags: []string{"CYBER2"},
				MatchedList: "ofac-sdn@2025-06-03", Entity: "EXAMPLE OTC", EntityID: "ofac-sdn:90002",
				Message: "lists: listed on ofac-sdn@2025-06-03 for bitcoin; slow: timeout: no answer within 50ms",
			},
		},
		{
			name: "provider honours the deadline", providers: []Provider{blocking(t, "slow", true), clean}, address: addrTron,
			want: transfer.ScreeningResult{
				Status: StatusTimeout, RiskScore: score("1"), RiskTags: []string{"Centralized Exchange"}, Entity: "Example Exchange", EntityID: "trm-7",
				Message: "slow: timeout: no answer within 50ms; trm: completed",
			},
		},
		{
			name: "error outranks timeout", providers: []Provider{blocking(t, "slow", false), failing}, address: addrTron,
			want: transfer.ScreeningResult{Status: StatusError, Message: "slow: timeout: no answer within 50ms; elliptic: error: HTTP 503"},
		},
		{
			name: "caller cancels", providers: []Provider{blocking(t, "slow", false)}, address: addrTron, cancel: true,
			want: transfer.ScreeningResult{Status: StatusError, Message: "slow: error: cancelled"},
		},
		{
			name: "provider does not cover the network", providers: []Provider{uncovered}, address: addrTron,
			want: transfer.ScreeningResult{Status: StatusNone, Message: "trm: does not cover tron"},
		},
		{
			name: "provider panics", providers: []Provider{&fakeProvider{name: "buggy", panics: true}}, address: addrTron,
			want: transfer.ScreeningResult{Status: StatusError, Message: "buggy: error: provider panicked"},
		},
		{
			name: "provider risk clamped", providers: []Provider{outOfRange}, address: addrTron,
			want: transfer.ScreeningResult{Status: StatusCompleted, RiskScore: score("10"), Message: "trm: completed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewScreener(Config{Index: tt.index, Providers: tt.providers, Timeout: 50 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			start := time.Now()
			got := s.Screen(ctx, "tron", tt.address)
			require.Less(t, time.Since(start), 5*time.Second, "never blocks past the timeout")
			want := tt.want
			want.Address = tt.address
			require.Equal(t, resultString(want), resultString(got))
			require.Equal(t, want, normalizeResult(got))
		})
	}
}

// normalizeResult makes the decimal comparable with require.Equal.
func normalizeResult(r transfer.ScreeningResult) transfer.ScreeningResult {
	if r.RiskScore != nil {
		r.RiskScore = score(r.RiskScore.String())
	}
	return r
}

// resultString shows a result in a failure message readably.
func resultString(r transfer.ScreeningResult) string {
	s := r.Status + " risk="
	if r.RiskScore != nil {
		s += r.RiskScore.String()
	}
	return s + " tags=" + strings.Join(r.RiskTags, "|") + " list=" + r.MatchedList + " entity=" + r.Entity + " msg=" + r.Message
}

func TestScreenerSwapsLists(t *testing.T) {
	t.Parallel()
	v1 := buildList(t, "ofac-sdn", "2025-06-03", Entry{Address: addrOTC})
	v2 := buildList(t, "ofac-sdn", "2025-06-04", Entry{Address: addrOTC}, Entry{Address: addrTron})
	other := buildList(t, "internal", "r1", Entry{Address: addrShared})
	idx, err := NewIndex(v1)
	require.NoError(t, err)
	s := NewScreener(Config{Index: idx})

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := s.Screen(context.Background(), "bitcoin", addrOTC)
				if r.Status != StatusCompleted || (r.MatchedList != "ofac-sdn@2025-06-03" && r.MatchedList != "ofac-sdn@2025-06-04") {
					t.Errorf("during the swap: %s", resultString(r))
					return
				}
			}
		})
	}
	var swaps sync.WaitGroup
	swaps.Go(func() { s.With(v2) })
	swaps.Go(func() { s.With(other) })
	swaps.Wait()
	close(stop)
	wg.Wait()

	require.Equal(t, []string{"internal@r1", "ofac-sdn@2025-06-04"}, s.Index().Versions(), "neither concurrent update is lost")
	require.Equal(t, "ofac-sdn@2025-06-04", s.Screen(context.Background(), "tron", addrTron).MatchedList)
	s.Without("ofac-sdn")
	require.Equal(t, []string{"internal@r1"}, s.Index().Versions())
	s.SetIndex(nil)
	require.Equal(t, StatusNone, s.Screen(context.Background(), "tron", addrTron).Status)
}

func TestScreenTransfer(t *testing.T) {
	t.Parallel()
	idx, err := NewIndex(buildList(t, "ofac-sdn", "2025-06-03", Entry{Address: addrOTC, Entity: "EXAMPLE OTC"}))
	require.NoError(t, err)
	p := &fakeProvider{name: "trm", result: transfer.ScreeningResult{RiskScore: score("2")}}
	s := NewScreener(Config{Index: idx, Providers: []Provider{p}})

	got := s.ScreenTransfer(context.Background(), &transfer.Transfer{
		Asset: transfer.Asset{Network: "bitcoin", Symbol: "BTC"}, OriginAddress: addrTron, DestinationAddress: addrOTC,
	})
	require.Len(t, got, 2)
	require.Equal(t, RoleOrigin, got[0].Role)
	require.Equal(t, addrTron, got[0].Address)
	require.Equal(t, "2", got[0].RiskScore.String())
	require.Equal(t, RoleDestination, got[1].Role)
	require.Equal(t, "ofac-sdn@2025-06-03", got[1].MatchedList)
	require.Equal(t, "10", got[1].RiskScore.String())
	p.mu.Lock()
	require.Equal(t, "bitcoin", p.network)
	p.mu.Unlock()

	got = s.ScreenTransfer(context.Background(), &transfer.Transfer{Asset: transfer.Asset{Network: "bitcoin"}, DestinationAddress: addrOTC})
	require.Len(t, got, 1, "no origin address, nothing to screen there")
	require.Equal(t, RoleDestination, got[0].Role)
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven cha…"},
		{"ééééé", 3, "é…"}, // never cuts a rune in two
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, truncate(tt.in, tt.n), "%q", tt.in)
	}
	long := &fakeProvider{name: "trm", err: errors.New(strings.Repeat("x", 500))}
	r := NewScreener(Config{Providers: []Provider{long}}).Screen(context.Background(), "tron", addrTron)
	require.Equal(t, StatusError, r.Status)
	require.Len(t, r.Message, len("trm: error: ")+200+len("…"))
}
