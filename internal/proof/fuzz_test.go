package proof

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzVerify checks that no input panics and that Verify's outcomes are consistent: an error is
// always a *FieldError, a verified result always has a strength, and every result has a reason.
func FuzzVerify(f *testing.F) {
	seeds := []struct{ typ, network, addr, message, sig string }{
		{"eip191", "ethereum", web3Address, "Some data", "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"},
		{"bip137", "bitcoin", "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV", "This is an example of a signed message.", "H9L5yLFjti0QTHhPyFrZCT1V/MMnBtXKmoiKDZ78NDBjERki6ZTQZdSMCtkgoNmp17By9ItJr8o7ChX0XxY91nk="},
		{"bip322", "bitcoin", bip322P2WPKH, "Hello World", "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="},
		{"bip322", "bitcoin", bip322P2TR, "Hello World", "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="},
		{"declaration", "xrp", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh is mine", ""},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.network, s.addr, s.message, s.sig, "A. Name", true)
	}
	f.Fuzz(func(t *testing.T, typ, network, addr, message, sig, name string, accepted bool) {
		p := Proof{Type: Type(typ), Network: network, Address: addr, Message: message, Signature: sig}
		if name != "" {
			p.Declaration = &Declaration{Name: name, Date: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Accepted: accepted}
		}
		res, err := Verify(p)
		if err != nil {
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			require.NotEmpty(t, fe.Field)
			require.Equal(t, Result{}, res)
			return
		}
		require.Equal(t, p.Type, res.Type)
		require.NotEmpty(t, res.Method)
		require.NotEmpty(t, res.Reason)
		require.Equal(t, res.Verified, res.Strength != "")
	})
}
