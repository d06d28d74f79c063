package travel

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse feeds the decoder whatever a peer or an operator might give as an address: it never
// panics, refusals wrap ErrAddress, and what it reads is an absolute http(s) URL.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"ta2W2HPKfHxgSgrzY178knqXHg1H3jfeQrwQ9JrKBs9wv", "LNURL1DP68GURN8GHJ7MMSV4H8VCTNWQH8GETNWSKKUET59E5K7TE3XGEN7ARPVU7KJMN3W45HY7GF5KZ53",
		"https://trp.example/trp/v/x?t=i", "ta3MNQE1Y", "lnurl1split1a2y9w", "ta8H6WYEpcYa9aeXhnb8UktKNSadgqhKN313ajFnSXc6NbpmAMtEpk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, form, err := Parse(s)
		if err != nil {
			require.True(t, errors.Is(err, ErrAddress))
			return
		}
		require.Contains(t, []string{"http", "https"}, u.Scheme)
		require.NotEmpty(t, u.Hostname())
		require.Contains(t, []string{FormTravelAddress, FormLNURL, FormURL}, form)
		if form == FormTravelAddress {
			// A travel address we read re-encodes to one that reads back the same.
			ta, err := Encode(u.String())
			require.NoError(t, err)
			again, _, err := Parse(ta)
			require.NoError(t, err)
			require.Equal(t, u.Hostname(), again.Hostname())
		}
	})
}
